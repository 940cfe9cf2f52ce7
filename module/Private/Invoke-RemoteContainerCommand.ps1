function Invoke-RemoteContainerCommand {
    <#
    .SYNOPSIS
    Runs a script block on several PowerShell sessions at once and says which hosts could not be reached.
    .DESCRIPTION
    The fan-out behind the -Session parameters: one Invoke-Command over all
    usable sessions (-ThrottleLimit bounds how many run at once), so a slow
    host does not hold up the others and every object that comes back carries
    PSComputerName. It never throws for one host: a session that is not open
    before the call, or that breaks during it, becomes an entry of
    Unreachable (computer name, session, reason); errors the script block
    wrote on a host come back in Errors, with that host in OriginInfo. A host
    that has not answered after -TimeoutSeconds is stopped and counted as
    unreachable too.

    Returns one object: Output (the objects, as Invoke-Command returns them),
    Errors (ErrorRecords) and Unreachable.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [Parameter(Mandatory)]
        [scriptblock] $ScriptBlock,

        [object[]] $ArgumentList = @(),

        [ValidateRange(1, 1000)]
        [int] $ThrottleLimit = 32,

        [ValidateRange(1, 86400)]
        [int] $TimeoutSeconds = 900
    )

    $unreachable = [System.Collections.Generic.List[object]]::new()
    $usable = [System.Collections.Generic.List[System.Management.Automation.Runspaces.PSSession]]::new()
    $seen = [System.Collections.Generic.HashSet[int]]::new()
    foreach ($s in $Session) {
        if ($null -eq $s -or -not $seen.Add($s.Id)) { continue }
        if ($s.State -eq 'Opened' -and $s.Availability -eq 'Available') { $usable.Add($s) }
        else {
            $unreachable.Add([pscustomobject]@{
                    ComputerName = $s.ComputerName
                    Session      = $s
                    Reason       = "The session to '$($s.ComputerName)' ($($s.Name)) is $($s.State) (availability $($s.Availability)), so nothing was run there. Open a new session with New-PSSession."
                })
        }
    }

    # As a job, read child by child: one child job per session, its output,
    # its errors and its state, without writing anything to this command's
    # error stream (a caller's -ErrorVariable would otherwise see each error
    # twice: once from Invoke-Command, once when the caller writes it again).
    # psobject, not object: a method argument of type object would be unwrapped,
    # and a string that came back would lose its PSComputerName and RunspaceId.
    $output = [System.Collections.Generic.List[psobject]]::new()
    $errors = [System.Collections.Generic.List[System.Management.Automation.ErrorRecord]]::new()
    if ($usable.Count) {
        $job = Invoke-Command -Session $usable.ToArray() -ScriptBlock $ScriptBlock -ArgumentList $ArgumentList -ThrottleLimit $ThrottleLimit -AsJob
        try {
            $null = Wait-Job -Job $job -Timeout $TimeoutSeconds
            foreach ($child in $job.ChildJobs) {
                $s = $usable | Where-Object { $_.Runspace.InstanceId -eq $child.Runspace.InstanceId } | Select-Object -First 1
                $computer = if ($s) { $s.ComputerName } else { $child.Location }
                $label = if ($s) { "'$computer' ($($s.Name))" } else { "'$computer'" }
                foreach ($item in $child.Output) { $output.Add($item) }
                foreach ($record in $child.Error) { $errors.Add($record) }
                $why = if ($child.State -notin 'Completed', 'Failed', 'Stopped') {
                    "The host $label did not answer within $TimeoutSeconds s; the check there was stopped."
                }
                elseif ($child.State -eq 'Failed' -or ($s -and $s.State -ne 'Opened')) {
                    $reason = if ($child.JobStateInfo.Reason) { $child.JobStateInfo.Reason.Message } else { "session state $($s.State)" }
                    "The connection to $label failed: $reason"
                }
                if ($why) { $unreachable.Add([pscustomobject]@{ ComputerName = $computer; Session = $s; Reason = $why }) }
            }
        }
        finally {
            Stop-Job -Job $job -ErrorAction Ignore
            Remove-Job -Job $job -Force -ErrorAction Ignore
        }
    }

    [pscustomobject]@{
        Output      = $output.ToArray()
        Errors      = $errors.ToArray()
        Unreachable = $unreachable.ToArray()
    }
}
