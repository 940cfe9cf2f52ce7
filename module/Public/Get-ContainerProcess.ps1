function Get-ContainerProcess {
    <#
    .SYNOPSIS
    Gets the processes running in a container, lined up with Get-Process.

    .DESCRIPTION
    Get-ContainerProcess asks the container itself (runc ps, docker top, HCS
    ProcessList, the utility VM's guest agent) which processes it runs, and
    shows them with Get-Process's columns: NPM(K), PM(M), WS(M), CPU(s), Id,
    SI, ProcessName, plus the container's name.

    Id and HostProcessId are the PID the HOST gives the process, and only
    when the host really shows that very process (same PID, name and start
    time). In a Hyper-V-isolated container the host cannot see the
    container's processes: Id and HostProcessId are then $null and
    VisibleOnHost is $false. The PID inside the container is
    ContainerProcessId.

    Piping these objects to Stop-Process is safe: Stop-Process binds Id by
    property name, which is the host PID of this very process or $null
    (refused), and the objects carry no Name or ProcessName property, so a
    process name can never make Stop-Process stop unrelated host processes.

    .PARAMETER Name
    The containers' names, in any case. Wildcards are allowed (web*); a
    pattern that matches no container returns nothing, while a name without
    wildcards that matches none is an error (ContainerNotFound).

    .PARAMETER InputObject
    A container from Get-IsolatedContainer or New-IsolatedContainer.

    .EXAMPLE
    Get-ContainerProcess -Name web

    Lists the processes of container web with Get-Process's columns.

    .EXAMPLE
    Get-ContainerProcess web | Where-Object VisibleOnHost | ForEach-Object { Get-Process -Id $_.HostProcessId }

    Shows the host's own view of each container process the host can see.

    .EXAMPLE
    Get-IsolatedContainer | Get-ContainerProcess | Format-Table ContainerName, ContainerProcessId, HostProcessId, ContainerProcessName

    Maps container PIDs to host PIDs for every container.

    .INPUTS
    WindowsContainers.Container
    Containers from Get-IsolatedContainer or New-IsolatedContainer.
    System.Management.Automation.PSObject
    Objects with a Name property (the container name), by property name.

    .OUTPUTS
    WindowsContainers.ContainerProcess

    .LINK
    https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container

    .LINK
    about_WindowsContainers

    .LINK
    Get-IsolatedContainer

    .LINK
    Test-ContainerIsolation

    .LINK
    Get-Process
    #>
    [CmdletBinding(DefaultParameterSetName = 'Name', HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    [OutputType('WindowsContainers.ContainerProcess')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Name', ValueFromPipelineByPropertyName)]
        [SupportsWildcards()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [Parameter(Mandatory, ParameterSetName = 'InputObject', ValueFromPipeline)]
        [PSTypeName('WindowsContainers.Container')]
        [psobject[]] $InputObject
    )

    process {
        $targets = if ($PSCmdlet.ParameterSetName -eq 'InputObject') { @($InputObject.Name) } else { $Name }
        foreach ($pattern in $targets) {
            $failure = $null
            $names = @(Resolve-ContainerNamePattern -Pattern $pattern -Failure ([ref]$failure))
            if ($null -ne $failure) {
                $PSCmdlet.WriteError($failure)
                continue
            }
            foreach ($target in $names) {
                $failure = $null
                $body = Invoke-CoreCommand -Command 'container.processes' -Arguments @{ name = $target } -TimeoutSeconds 60 -TargetObject $target -Failure ([ref]$failure)
                if ($null -ne $failure) {
                    $PSCmdlet.WriteError($failure)
                    continue
                }
                foreach ($record in @($body.processes)) {
                    New-ContainerProcessObject -Record $record
                }
            }
        }
    }
}
