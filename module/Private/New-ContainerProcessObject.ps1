function New-ContainerProcessObject {
    <#
    .SYNOPSIS
    Builds a WindowsContainers.ContainerProcess from the core's process record.
    .DESCRIPTION
    The object is shaped for Get-Process's columns and, above all, to be safe
    when piped to Stop-Process, which binds -Id and -Name (alias ProcessName)
    by property name:

    - Id is the host PID, and only when the core confirmed that the host shows
      this very process (PID, name, start time, NSpid); otherwise $null, which
      Stop-Process refuses to bind. The PID inside the container is
      ContainerProcessId, a name Stop-Process never binds.
    - There is no Name, ProcessName or PID property: a bare name such as
      'ping' would make Stop-Process stop every host process of that name.
      The process name is ContainerProcessName (the view titles it ProcessName).
    #>
    [CmdletBinding()]
    [OutputType('WindowsContainers.ContainerProcess')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [object] $Record
    )

    process {
        $hostPid = if ($null -ne $Record.hostPid -and [bool]$Record.visibleOnHost) { [int]$Record.hostPid } else { $null }
        [pscustomobject]@{
            PSTypeName                 = 'WindowsContainers.ContainerProcess'
            ContainerName              = [string]$Record.containerName
            ContainerProcessId         = [int]$Record.containerPid
            ContainerProcessName       = [string]$Record.name
            Id                         = $hostPid
            HostProcessId              = $hostPid
            VisibleOnHost              = $null -ne $hostPid
            SI                         = if ($null -ne $Record.sessionId) { [int]$Record.sessionId } else { $null }
            CPU                        = if ($null -ne $Record.cpuSeconds) { [double]$Record.cpuSeconds } else { $null }
            WS                         = if ($null -ne $Record.workingSetBytes) { [long]$Record.workingSetBytes } else { $null }
            PM                         = if ($null -ne $Record.pagedBytes) { [long]$Record.pagedBytes } else { $null }
            NPM                        = if ($null -ne $Record.nonPagedBytes) { [long]$Record.nonPagedBytes } else { $null }
            PrivateMemorySize          = if ($null -ne $Record.privateBytes) { [long]$Record.privateBytes } else { $null }
            StartTime                  = ConvertTo-ContainerDate $Record.startTime
            CommandLine                = if ($null -ne $Record.commandLine) { [string]$Record.commandLine } else { $null }
        }
    }
}
