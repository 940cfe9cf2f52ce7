function Stop-IsolatedContainer {
    <#
    .SYNOPSIS
    Stops a container: asks its main process to end, then kills it after a timeout.

    .DESCRIPTION
    Stop-IsolatedContainer sends the container's main process a termination
    request (SIGTERM on Linux; a shutdown request on Windows) and waits up to
    -TimeoutSeconds for it to end; then it kills it. The container stays, in
    the exited state, until Remove-IsolatedContainer removes it. Stopping a
    container that has already exited does nothing.

    .PARAMETER Name
    The container's name.

    .PARAMETER InputObject
    A container from Get-IsolatedContainer.

    .PARAMETER TimeoutSeconds
    How long to wait for a graceful end before killing. Default 10.

    .PARAMETER PassThru
    Returns the stopped container.

    .EXAMPLE
    Stop-IsolatedContainer -Name web

    Stops container web, killing it if it is still running after 10 seconds.

    .EXAMPLE
    Get-IsolatedContainer web* | Stop-IsolatedContainer -TimeoutSeconds 2 -PassThru

    Stops every container whose name starts with web and shows their final state.

    .EXAMPLE
    'web' | Stop-IsolatedContainer -TimeoutSeconds 1 -PassThru

    Names come from the pipeline as plain strings, as with 'spooler' | Stop-Service:
    Get-Content ./containers.txt | Stop-IsolatedContainer stops every container
    the file names, one per line. A name that does not exist is an error for
    that name alone; the others are still stopped.

    .INPUTS
    System.String
    Container names, by value ('web', 'db' | Stop-IsolatedContainer), one item each.
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
    Get-IsolatedContainer

    .LINK
    Remove-IsolatedContainer
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
            if (-not (Confirm-ContainerAction -Cmdlet $PSCmdlet -Target $target -Action 'Stop container' -NotDone "container '$target' was not stopped")) { continue }
            $failure = $null
            $record = Invoke-CoreCommand -Command 'container.stop' -Arguments @{ name = $target; timeoutSeconds = $TimeoutSeconds } -TimeoutSeconds ($TimeoutSeconds + 60) -TargetObject $target -Failure ([ref]$failure)
            if ($null -ne $failure) {
                $PSCmdlet.WriteError($failure)
                continue
            }
            if ($PassThru) { New-ContainerObject -Record $record }
        }
    }
}
