function New-ContainerProcessObject {
    <#
    .SYNOPSIS
    Builds a WindowsContainers.ContainerProcess from the core's process record.
    .DESCRIPTION
    Two shapes, one type name, one rule: piped to Stop-Process, Get-Process
    or Wait-Process, a ContainerProcess acts on that very host process or on
    nothing.

    - The host sees the process (the core confirmed PID, name, start time
      and NSpid): the object IS the host's System.Diagnostics.Process for
      that PID, re-checked here by start time, with the container's facts
      added (ContainerName, ContainerProcessId). Every Get-Process property
      is the real one, and the three cmdlets bind it by value to
      -InputObject, ahead of any by-property-name binding.
    - The host cannot see it (a utility VM's guest, or it is gone): a record
      with the same property names, where Id and Name are $null. Stop-Process
      tries -Id first (its default set) and refuses $null; Get-Process and
      Wait-Process try -Name first (theirs) and refuse $null there, before the
      ProcessName alias could bind. ProcessName holds the name for
      Where-Object and Sort-Object; Name, the property those cmdlets bind,
      never does.

    HostProcessId, VisibleOnHost and ContainerProcessName come from
    WindowsContainers.Types.ps1xml (alias of Id, Id not $null, alias of
    ProcessName), so both shapes have them.
    #>
    [CmdletBinding()]
    [OutputType([System.Diagnostics.Process], [pscustomobject])]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [object] $Record
    )

    process {
        $hostProcess = $null
        if ($null -ne $Record.hostPid -and [bool]$Record.visibleOnHost) {
            $hostProcess = Get-ConfirmedHostProcess -Id ([int]$Record.hostPid) -StartTime $Record.startTime
        }
        if ($null -ne $hostProcess) {
            # Instance members first, the type name last: Add-Member refuses a
            # name the type data already declares.
            $hostProcess | Add-Member -NotePropertyMembers ([ordered]@{
                    ContainerName      = [string]$Record.containerName
                    ContainerProcessId = [int]$Record.containerPid
                })
            $hostProcess.PSObject.TypeNames.Insert(0, 'WindowsContainers.ContainerProcess')
            return $hostProcess
        }

        $cpu = if ($null -ne $Record.cpuSeconds) { [double]$Record.cpuSeconds } else { $null }
        $record = [pscustomobject][ordered]@{
            ContainerName      = [string]$Record.containerName
            ContainerProcessId = [int]$Record.containerPid
            # Id and Name are what Stop-Process, Get-Process and Wait-Process bind
            # by property name: $null, so each refuses the object.
            Id                 = $null
            Name               = $null
            ProcessName        = [string]$Record.name
            SI                 = if ($null -ne $Record.sessionId) { [int]$Record.sessionId } else { $null }
            CPU                = $cpu
            TotalProcessorTime = if ($null -ne $cpu) { [timespan]::FromTicks([long]($cpu * [timespan]::TicksPerSecond)) } else { $null }
            WS                 = if ($null -ne $Record.workingSetBytes) { [long]$Record.workingSetBytes } else { $null }
            PM                 = if ($null -ne $Record.pagedBytes) { [long]$Record.pagedBytes } else { $null }
            NPM                = if ($null -ne $Record.nonPagedBytes) { [long]$Record.nonPagedBytes } else { $null }
            VM                 = $null
            PrivateMemorySize  = if ($null -ne $Record.privateBytes) { [long]$Record.privateBytes } else { $null }
            Handles            = $null
            Path               = $null
            StartTime          = ConvertTo-ContainerDate $Record.startTime
            CommandLine        = if ($null -ne $Record.commandLine) { [string]$Record.commandLine } else { $null }
        }
        $record.PSObject.TypeNames.Insert(0, 'WindowsContainers.ContainerProcess')
        $record
    }
}
