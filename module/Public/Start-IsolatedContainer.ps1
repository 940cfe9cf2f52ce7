function Start-IsolatedContainer {
    <#
    .SYNOPSIS
    Starts an exited container again, with the isolation, image and command it was created with.

    .DESCRIPTION
    Start-IsolatedContainer runs a stopped container's command again. Its
    isolation, image, command, environment and user are the ones it was
    created with, and its writable layer (the files it changed) is kept. On
    the linux backend a process-isolated container is run again from its
    kept runtime bundle, with its overlay mounted again if needed (after a
    host reboot too); a Hyper-V-isolated one boots a new utility VM from its
    kept kernel and initramfs. On the docker backend the Engine API starts
    it. Starting a container that already runs does nothing and returns it.

    .PARAMETER Name
    The container's name.

    .PARAMETER InputObject
    A container from Get-IsolatedContainer.

    .PARAMETER PassThru
    Returns the started container.

    .EXAMPLE
    Start-IsolatedContainer -Name web -WhatIf

    Shows what would be started without starting it.

    .EXAMPLE
    Get-IsolatedContainer web* | Where-Object State -eq 'exited' | Start-IsolatedContainer -PassThru

    Starts every exited container whose name starts with web and shows it running.

    .EXAMPLE
    'web' | Start-IsolatedContainer -PassThru

    Starts the containers named in the pipeline (plain strings, such as the
    lines of a file); one that is already running is answered as it is.

    .INPUTS
    System.String
    Container names, by value ('web', 'db' | Start-IsolatedContainer), one item each.
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
    Stop-IsolatedContainer

    .LINK
    Restart-IsolatedContainer
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

        [switch] $PassThru
    )

    process {
        $targets = if ($PSCmdlet.ParameterSetName -eq 'InputObject') { @($InputObject.Name) } else { $Name }
        foreach ($target in $targets) {
            if (-not (Confirm-ContainerAction -Cmdlet $PSCmdlet -Target $target -Action 'Start container' -NotDone "container '$target' was not started")) { continue }
            $failure = $null
            # A utility VM boots under TCG in up to two minutes.
            $record = Invoke-CoreCommand -Command 'container.start' -Arguments @{ name = $target } -TimeoutSeconds 240 -TargetObject $target -Failure ([ref]$failure)
            if ($null -ne $failure) {
                $PSCmdlet.WriteError($failure)
                continue
            }
            if ($PassThru) { New-ContainerObject -Record $record }
        }
    }
}
