function Get-ContainerProcess {
    <#
    .SYNOPSIS
    Gets the processes running in a container, lined up with Get-Process.

    .DESCRIPTION
    Get-ContainerProcess asks the container itself (runc ps, docker top, HCS
    ProcessList, the utility VM's guest agent) which processes it runs, and
    shows them with Get-Process's columns: NPM(K), PM(M), WS(M), CPU(s), Id,
    SI, ProcessName, plus the container's name.

    A process the host can see (same PID, name and start time, confirmed by
    the core and checked again here) is the host's own
    System.Diagnostics.Process, with the container's name and the PID inside
    the container added (ContainerName, ContainerProcessId): every
    Get-Process property (StartTime, Path, Handles, VM, TotalProcessorTime,
    CPU, WS) is the real one. In a Hyper-V-isolated container the host
    cannot see the container's processes: each is then a record with the
    same property names, Id and Name $null, VisibleOnHost $false, and the
    process's name in ProcessName.

    Piping these objects to Stop-Process, Get-Process or Wait-Process acts on
    that very host process or on nothing: a visible one binds by value as
    the Process it is, an invisible one is refused ($null Id for
    Stop-Process, $null Name for Get-Process and Wait-Process), so a
    process name can never reach unrelated host processes. See
    about_WindowsContainers.

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
    Get-ContainerProcess web | Where-Object ProcessName -eq ping | Get-Process

    Shows the host's own view of the container's ping, if the host can see it; a ping inside a utility VM is refused with an error instead.

    .EXAMPLE
    Get-IsolatedContainer | Get-ContainerProcess | Format-Table ContainerName, ContainerProcessId, HostProcessId, ProcessName

    Maps container PIDs to host PIDs for every container.

    .EXAMPLE
    'web' | Get-ContainerProcess

    Lists the processes of the containers named in the pipeline (plain
    strings or wildcard patterns).

    .INPUTS
    System.String
    Container names or wildcard patterns, by value ('web', 'db' | Get-ContainerProcess), one item each.
    WindowsContainers.Container
    Containers from Get-IsolatedContainer or New-IsolatedContainer.
    System.Management.Automation.PSObject
    Objects with a Name property (the container name), by property name.

    .OUTPUTS
    WindowsContainers.ContainerProcess: a System.Diagnostics.Process when the host sees the process, else a record with the same property names

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
    [CmdletBinding(DefaultParameterSetName = 'InputObject', HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    # Both: a process the host sees is the host's own System.Diagnostics.Process
    # (whose members tab completion lists from this type), the container's
    # facts are declared for WindowsContainers.ContainerProcess.
    [OutputType('WindowsContainers.ContainerProcess')]
    [OutputType([System.Diagnostics.Process])]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Name', ValueFromPipeline, ValueFromPipelineByPropertyName)]
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
