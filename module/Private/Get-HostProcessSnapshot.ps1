function Get-HostProcessSnapshot {
    <#
    .SYNOPSIS
    One snapshot of the host's process table, taken by the core, as typed records.
    .DESCRIPTION
    The same snapshot the verdict judges against (the core's host.processes),
    brought into PowerShell as WindowsContainersHostProcess records. The
    tests compare it with Get-Process and the benchmark measures it against
    Get-Process. -ProcessId and -Name filter in the core, as Get-Process
    -Id and -Name do (names match exactly, ignoring case); a process that
    does not exist is simply absent.
    #>
    [CmdletBinding()]
    [OutputType([WindowsContainersHostSnapshot])]
    param(
        [ValidateRange(1, [int]::MaxValue)]
        [int[]] $ProcessId,

        [ValidateNotNullOrEmpty()]
        [string[]] $Name
    )

    $arguments = @{}
    if ($PSBoundParameters.ContainsKey('ProcessId')) { $arguments.pids = $ProcessId }
    if ($PSBoundParameters.ContainsKey('Name')) { $arguments.names = $Name }
    Invoke-CoreCommand -Command host.processes -Arguments $arguments -BodyType ([WindowsContainersHostSnapshot])
}
