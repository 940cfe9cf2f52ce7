function Remove-IsolatedContainer {
    <#
    .SYNOPSIS
    Removes a container and everything it holds on the host.

    .DESCRIPTION
    Remove-IsolatedContainer removes a stopped container: its runtime state,
    cgroups, bundle and root filesystem copy (linux backend), or the
    backend's container object. A running container is refused
    (ContainerRunning) unless -Force is given, which kills it first.

    -Force also cleans up a container whose saved state is damaged
    (ContainerStateCorrupt): it removes whatever the runtimes hold under that
    name.

    .PARAMETER Name
    The container's name.

    .PARAMETER InputObject
    A container from Get-IsolatedContainer.

    .PARAMETER Force
    Removes a running container (killing it) or one with damaged state.

    .EXAMPLE
    Remove-IsolatedContainer -Name web

    Removes the stopped container web.

    .EXAMPLE
    Get-IsolatedContainer test-* | Remove-IsolatedContainer -Force

    Kills and removes every container whose name starts with test-.

    .EXAMPLE
    Remove-IsolatedContainer -Name web -WhatIf

    Shows what would be removed, and removes nothing.

    .EXAMPLE
    'web' | Remove-IsolatedContainer -Force

    Removes the containers named in the pipeline (plain strings, such as the
    lines of a file), killing them first. A name that does not exist is an
    error for that name alone; the others are still removed.

    .INPUTS
    System.String
    Container names, by value ('web', 'db' | Remove-IsolatedContainer), one item each.
    WindowsContainers.Container
    Containers from Get-IsolatedContainer.
    System.Management.Automation.PSObject
    Objects with a Name property (the container name), by property name.

    .OUTPUTS
    None

    .LINK
    https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container

    .LINK
    about_WindowsContainers

    .LINK
    Get-IsolatedContainer

    .LINK
    Stop-IsolatedContainer

    .LINK
    New-IsolatedContainer
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'InputObject', HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Name', ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [Parameter(Mandatory, ParameterSetName = 'InputObject', ValueFromPipeline)]
        [PSTypeName('WindowsContainers.Container')]
        [psobject[]] $InputObject,

        [switch] $Force
    )

    process {
        $targets = if ($PSCmdlet.ParameterSetName -eq 'InputObject') { @($InputObject.Name) } else { $Name }
        foreach ($target in $targets) {
            $action = if ($Force) { 'Remove container (killing it if it runs)' } else { 'Remove container' }
            if (-not (Confirm-ContainerAction -Cmdlet $PSCmdlet -Target $target -Action $action -NotDone "container '$target' was not removed")) { continue }
            $failure = $null
            $null = Invoke-CoreCommand -Command 'container.remove' -Arguments @{ name = $target; force = [bool]$Force } -TimeoutSeconds 120 -TargetObject $target -Failure ([ref]$failure)
            if ($null -ne $failure) { $PSCmdlet.WriteError($failure) }
        }
    }
}
