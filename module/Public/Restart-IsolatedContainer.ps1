function Restart-IsolatedContainer {
    <#
    .SYNOPSIS
    Stops a container and starts it again.

    .DESCRIPTION
    Restart-IsolatedContainer stops the container as Stop-IsolatedContainer
    does (a termination request, then a kill after -TimeoutSeconds) and then
    starts it again as Start-IsolatedContainer does, with the same isolation,
    image and command and its writable layer kept. An exited container is
    simply started.

    .PARAMETER Name
    The container's name.

    .PARAMETER InputObject
    A container from Get-IsolatedContainer.

    .PARAMETER TimeoutSeconds
    How long to wait for a graceful end before killing. Default 10.

    .PARAMETER PassThru
    Returns the restarted container.

    .EXAMPLE
    Restart-IsolatedContainer -Name web -WhatIf

    Shows what would be restarted without touching it.

    .EXAMPLE
    Get-IsolatedContainer web* | Restart-IsolatedContainer -TimeoutSeconds 2 -PassThru

    Restarts every container whose name starts with web and shows them running.

    .EXAMPLE
    'web' | Restart-IsolatedContainer -TimeoutSeconds 1 -PassThru

    Restarts the containers named in the pipeline (plain strings, such as
    the lines of a file).

    .INPUTS
    System.String
    Container names, by value ('web', 'db' | Restart-IsolatedContainer), one item each.
    WindowsContainers.Container
    Containers from Get-IsolatedContainer.
    System.Management.Automation.PSObject
    Objects with a Name property (the container name), by property name.

    .OUTPUTS
    None, or WindowsContainers.Container with -PassThru.

    .LINK
    https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container

    .LINK
    about_WindowsContainers

    .LINK
    Start-IsolatedContainer

    .LINK
    Stop-IsolatedContainer
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'InputObject', HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    [OutputType('WindowsContainers.Container')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Name', ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [Parameter(Mandatory, ParameterSetName = 'InputObject', ValueFromPipeline)]
        [PSTypeName('WindowsContainers.Container')]
        [psobject[]] $InputObject,

        [ValidateRange(0, 3600)]
        [int] $TimeoutSeconds = 10,

        [switch] $PassThru
    )

    process {
        $targets = if ($PSCmdlet.ParameterSetName -eq 'InputObject') { @($InputObject.Name) } else { $Name }
        foreach ($target in $targets) {
            if (-not (Confirm-ContainerAction -Cmdlet $PSCmdlet -Target $target -Action 'Restart container' -NotDone "container '$target' was not restarted")) { continue }
            $failure = $null
            $null = Invoke-CoreCommand -Command 'container.stop' -Arguments @{ name = $target; timeoutSeconds = $TimeoutSeconds } -TimeoutSeconds ($TimeoutSeconds + 60) -TargetObject $target -Failure ([ref]$failure)
            if ($null -ne $failure) {
                $PSCmdlet.WriteError($failure)
                continue
            }
            $record = Invoke-CoreCommand -Command 'container.start' -Arguments @{ name = $target } -TimeoutSeconds 240 -TargetObject $target -Failure ([ref]$failure)
            if ($null -ne $failure) {
                $PSCmdlet.WriteError($failure)
                continue
            }
            if ($PassThru) { New-ContainerObject -Record $record }
        }
    }
}
