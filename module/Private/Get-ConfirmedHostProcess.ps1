function Get-ConfirmedHostProcess {
    <#
    .SYNOPSIS
    The host's System.Diagnostics.Process for a PID the core confirmed, if it is still that process; else $null.
    .DESCRIPTION
    The core confirmed the PID a moment ago (PID, name, start time, NSpid).
    Between its answer and this call the process may have exited and, rarely,
    its PID been reused: the start time .NET reports must agree with the
    core's. The core measures start times from the kernel's whole-second boot
    time (/proc/stat btime) while .NET measures its boot time to the
    millisecond, so .NET's start time is later by less than a second on
    Linux; the window allows exactly that, plus a few ms of clock reading.
    When the platform does not let this process read the start time, the
    core's confirmation stands.
    #>
    [CmdletBinding()]
    [OutputType([System.Diagnostics.Process])]
    param(
        [Parameter(Mandatory)]
        [int] $Id,

        # The core's start time for the process (ISO 8601 from the wire, or a DateTime).
        [AllowNull()]
        [object] $StartTime
    )

    try {
        $process = [System.Diagnostics.Process]::GetProcessById($Id)
    }
    catch [System.ArgumentException] {
        return $null # gone
    }
    $coreStart = ConvertTo-ContainerDate $StartTime
    if ($null -eq $coreStart) { return $process }
    $coreMs = ([System.DateTimeOffset]$coreStart.ToUniversalTime()).ToUnixTimeMilliseconds()
    try {
        $dotnetMs = ([System.DateTimeOffset]$process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds()
    }
    catch [System.InvalidOperationException] {
        return $null # exited between the two reads
    }
    catch [System.ComponentModel.Win32Exception] {
        return $process # not allowed to read it: the core's confirmation stands
    }
    $laterBy = $dotnetMs - $coreMs
    if ($laterBy -lt -$script:HostStartTimeSlackMs -or $laterBy -gt 1000 + $script:HostStartTimeSlackMs) {
        return $null # another process now has this PID
    }
    $process
}
