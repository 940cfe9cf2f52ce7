function Test-BeIsolatedAssertion {
    <#
    .SYNOPSIS
    The Pester operator Should -BeIsolated: asserts the isolation a container really has.
    .DESCRIPTION
    Follows Pester's operator contract (Add-ShouldOperator): it takes
    $ActualValue, its own parameters and -Negate, and returns an object with
    Succeeded and FailureMessage. The actual value is a container name, a
    WindowsContainers.Container (Get-IsolatedContainer) or a
    WindowsContainers.IsolationTestResult (Test-ContainerIsolation), also as
    deserialized objects that came back through remoting; a result is judged
    as it is, without a new check.

    An Inconclusive verdict fails the assertion both ways: "not HyperV" is
    never concluded from a check that could not tell, so -Not -BeIsolated
    cannot pass on missing evidence.

    The failure message is one line (it becomes a JUnit <failure message>):
    the container, the expected and observed isolation, the verdict's reason
    and its key evidence (host matches and the worker process).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        # What Should received: a name, a container or an isolation test result.
        [AllowNull()]
        [object] $ActualValue,

        # The isolation the container must have; defaults to the one it was created with.
        [ValidateSet('Process', 'HyperV')]
        [string] $As,

        # Set by Should -Not.
        [switch] $Negate,

        # Should's -Because, quoted in the message.
        [string] $Because,

        # Passed by Pester to every operator; not used.
        [object] $CallerSessionState
    )

    $because = if ($Because) { " because $($Because.Trim() -replace '^because\s+'),"} else { '' }
    $not = if ($Negate) { 'not ' } else { '' }

    # The message quotes process names and reasons a container can set: its control
    # characters are shown visibly (the console, and a JUnit/NUnit report, which
    # cannot hold them).
    function New-Outcome([bool] $Succeeded, [string] $Message) {
        [pscustomobject]@{ Succeeded = $Succeeded; FailureMessage = ConvertTo-VisibleControlText $Message }
    }

    $typeNames = if ($null -ne $ActualValue) { @($ActualValue.PSObject.TypeNames) } else { @() }
    $result = $null
    $name = $null
    if ($ActualValue -is [string]) {
        $name = $ActualValue
    }
    elseif ($typeNames -match '^(Deserialized\.)?WindowsContainers\.IsolationTestResult$') {
        $result = $ActualValue
        $name = [string]$ActualValue.Name
    }
    elseif ($typeNames -match '^(Deserialized\.)?WindowsContainers\.Container$') {
        $name = [string]$ActualValue.Name
    }
    if ([string]::IsNullOrWhiteSpace($name)) {
        $got = if ($null -eq $ActualValue) { '$null' } else { "[$($typeNames[0])] '$ActualValue'" }
        return New-Outcome $false "Expected a container name, a container from Get-IsolatedContainer or a result of Test-ContainerIsolation to be ${not}isolated$(if ($As) { " as $As" }),$because but got $got."
    }

    if ($null -eq $result) {
        try {
            # With -As, the verdict's own reason speaks of that expectation.
            $check = @{ Name = $name; ErrorAction = 'Stop' }
            if ($As) { $check.Isolation = $As }
            $result = Test-ContainerIsolation @check | Select-Object -First 1
        }
        catch {
            return New-Outcome $false "Expected container '$name' to be ${not}isolated$(if ($As) { " as $As" }),$because but its isolation could not be checked: $($_.Exception.Message)"
        }
    }

    $expected = if ($As) { $As } else { [string]$result.ExpectedIsolation }
    $observed = [string]$result.ObservedIsolation
    $conclusive = $observed -in 'Process', 'HyperV'
    $succeeded = $conclusive -and (($observed -eq $expected) -ne [bool]$Negate)
    if ($succeeded) { return New-Outcome $true $null }

    # The evidence, bounded: the first few host matches and the worker.
    $matchList = @($result.HostMatches | Where-Object { $null -ne $_ })
    $shown = foreach ($m in $matchList | Select-Object -First 5) {
        $onHost = if ($null -ne $m.HostProcessId) { "host PID $($m.HostProcessId)" } else { 'not on the host' }
        "$($m.ContainerProcessName) (container PID $($m.ContainerProcessId)) $onHost [$($m.Outcome)]"
    }
    $hostMatches = if ($matchList.Count -eq 0) { 'none' } else { ($shown -join ', ') + $(if ($matchList.Count -gt 5) { ", and $($matchList.Count - 5) more" }) }
    $w = $result.WorkerProcess
    $worker = if ($null -eq $w) { 'none' } else {
        $state = @(if ($w.Alive) { 'alive' } else { 'not alive' }; if ($w.Tied) { 'tied to this container' } else { 'not tied to this container' }) -join ', '
        "$($w.WorkerName) PID $($w.ClaimedPid) ($state)$(if ($w.Reason) { ": $($w.Reason)" })"
    }
    $gaps = @($result.Gaps | Where-Object { $_ })
    # The rule that decided it (a result from an older core has none).
    $rule = if ($null -ne $result.PSObject.Properties['DecidedBy'] -and $result.DecidedBy) { " Decided by: $($result.DecidedBy)." } else { '' }
    $evidence = "Host matches: $hostMatches. Worker: $worker.$(if ($gaps.Count) { " Gaps: $($gaps -join '; ')." })$rule"
    $reason = ([string]$result.Reason).Trim()
    if ($reason -and $reason -notmatch '[.!?]$') { $reason += '.' }

    $verdict = if (-not $conclusive) { "the isolation check was inconclusive ($observed), so it proves neither" } else { "the isolation check observed $observed" }
    New-Outcome $false "Expected container '$name' ${not}to be isolated as $expected,$because but $verdict. Reason: $reason $evidence"
}
