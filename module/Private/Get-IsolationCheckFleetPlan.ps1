function Get-IsolationCheckFleetPlan {
    <#
    .SYNOPSIS
    Invoke-ContainerIsolationCheck -Session: gathers the evidence on every host at once and returns one check plan per host.
    .DESCRIPTION
    Runs Get-IsolationCheckEvidence on each session's host through
    Invoke-RemoteContainerCommand (one Invoke-Command, -ThrottleLimit at a
    time) and judges here, with Get-IsolationCheckPlan, so every host is
    checked by the same rules and lands in one report. The evidence travels
    as CLIXML made on the host (PSSerializer, depth 8): remoting's own
    serialization keeps only one level of nested objects, and the plan needs
    the verdicts inside it.

    A host that cannot be reached, or where the check cannot run (the module
    is not installed there, say), still gets a plan: one failing case that
    names the host and the reason, so it is a failed test, not an exception
    that stops the other hosts.

    Each plan's ComputerName is the name the session reached the host by
    (PSComputerName), with the session's name added where two sessions reach
    hosts by the same name.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [Parameter(Mandatory)]
        [string[]] $Pattern,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [System.Collections.IDictionary] $Expectation,

        [AllowEmptyString()] [string] $Isolation,
        [AllowEmptyString()] [string] $DefaultIsolation,
        [AllowEmptyString()] [string] $HostBuild,
        [AllowEmptyString()] [string] $HostEdition,

        [ValidateRange(1, 1000)]
        [int] $ThrottleLimit = 32
    )

    $seen = [System.Collections.Generic.HashSet[int]]::new()
    $sessions = @($Session | Where-Object { $null -ne $_ -and $seen.Add($_.Id) })
    $labels = @{}
    foreach ($s in $sessions) {
        $twins = @($sessions | Where-Object ComputerName -EQ $s.ComputerName)
        $labels[$s.Id] = if ($twins.Count -gt 1) { "$($s.ComputerName) ($($s.Name))" } else { [string]$s.ComputerName }
    }
    $sessionOf = {
        param($RunspaceId, [string] $ComputerName)
        $match = @($sessions | Where-Object { $null -ne $RunspaceId -and "$($_.InstanceId)" -eq "$RunspaceId" })
        if (-not $match.Count) { $match = @($sessions | Where-Object ComputerName -EQ $ComputerName) }
        $match | Select-Object -First 1
    }

    $remote = {
        param([string[]] $Pattern, [hashtable] $Expectation, [string] $Isolation)
        Import-Module WindowsContainers -ErrorAction Stop
        $module = Get-Module WindowsContainers | Select-Object -First 1
        $evidence = & $module {
            param($p, $e, $i)
            Get-IsolationCheckEvidence -Pattern $p -Expectation $e -Isolation $i
        } $Pattern $Expectation $Isolation
        [System.Management.Automation.PSSerializer]::Serialize($evidence, 8)
    }
    $plainExpectation = @{}
    foreach ($key in $Expectation.Keys) { $plainExpectation[[string]$key] = [string]$Expectation[$key] }
    $answer = Invoke-RemoteContainerCommand -Session $sessions -ScriptBlock $remote -ThrottleLimit $ThrottleLimit `
        -ArgumentList ([string[]]$Pattern), $plainExpectation, ([string]$Isolation)

    $failedPlan = {
        param([string] $Label, [string] $Why)
        @{
            ComputerName     = $Label
            Backends         = @(@{ Name = 'of this host'; Usable = $false; Reason = ''; Problem = $Why })
            DefaultIsolation = @()
            Isolation        = @()
            Images           = @()
        }
    }

    # Keyed by the session id as a string: an int would index an ordered dictionary by position.
    $plans = [ordered]@{}
    foreach ($item in $answer.Output) {
        $runspaceId = if ($item.PSObject.Properties['RunspaceId']) { $item.RunspaceId } else { $null }
        $computer = if ($item.PSObject.Properties['PSComputerName']) { [string]$item.PSComputerName } else { '' }
        $s = & $sessionOf $runspaceId $computer
        if ($null -eq $s -or $plans.Contains("$($s.Id)")) { continue }
        try {
            $evidence = [System.Management.Automation.PSSerializer]::Deserialize([string]$item)
            $plan = Get-IsolationCheckPlan -Evidence $evidence -Expectation $Expectation -Isolation $Isolation `
                -DefaultIsolation $DefaultIsolation -HostBuild $HostBuild -HostEdition $HostEdition
            $plan.ComputerName = $labels[$s.Id]
        }
        catch {
            $plan = & $failedPlan $labels[$s.Id] "The check's evidence from '$($labels[$s.Id])' could not be read: $($_.Exception.Message)"
        }
        $plans["$($s.Id)"] = $plan
    }
    foreach ($record in $answer.Errors) {
        $s = & $sessionOf ($record.OriginInfo.RunspaceID) ($record.OriginInfo.PSComputerName)
        if ($null -eq $s -or $plans.Contains("$($s.Id)")) { continue }
        $plans["$($s.Id)"] = & $failedPlan $labels[$s.Id] "The check could not run on '$($labels[$s.Id])': $($record.Exception.Message)"
    }
    foreach ($gone in $answer.Unreachable) {
        if ($null -eq $gone.Session -or $plans.Contains("$($gone.Session.Id)")) { continue }
        $plans["$($gone.Session.Id)"] = & $failedPlan $labels[$gone.Session.Id] "Host '$($labels[$gone.Session.Id])' could not be reached, so nothing on it was checked: $($gone.Reason)"
    }
    # Every session has its plan, in the order the sessions were given.
    foreach ($s in $sessions) {
        if ($plans.Contains("$($s.Id)")) { $plans["$($s.Id)"] }
        else { & $failedPlan $labels[$s.Id] "Host '$($labels[$s.Id])' returned nothing." }
    }
}
