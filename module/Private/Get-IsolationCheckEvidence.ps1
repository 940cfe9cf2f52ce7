function Get-IsolationCheckEvidence {
    <#
    .SYNOPSIS
    Gathers, on one host, what Invoke-ContainerIsolationCheck judges: the host, the selected containers and their verdicts.
    .DESCRIPTION
    One pass: Get-ContainerHost, Get-IsolatedContainer for the patterns, and
    one Test-ContainerIsolation call for every selected container (one host
    process snapshot). Problems become data (messages), not errors, so the
    check suite can report each as a failed test case.

    The answer is plain data (strings, numbers, the module's own objects),
    so it survives serialization: a -Session fan-out can run this function on
    each host with Invoke-Command and judge the answers locally.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        # Container names or wildcard patterns to select.
        [Parameter(Mandatory)]
        [string[]] $Pattern,

        # Pattern -> 'Process' | 'HyperV' (Resolve-IsolationExpectation).
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [System.Collections.IDictionary] $Expectation,

        # The isolation every container must have where no entry says otherwise.
        [AllowEmptyString()]
        [string] $Isolation
    )

    $hostInfo = $null
    $hostError = $null
    try {
        $hostInfo = Get-ContainerHost -ErrorAction Stop
    }
    catch {
        $hostError = $_.Exception.Message
    }

    $selectionErrors = @()
    $containers = @(Get-IsolatedContainer -Name $Pattern -ErrorAction SilentlyContinue -ErrorVariable selectionProblems)
    foreach ($problem in $selectionProblems) {
        $selectionErrors += [pscustomobject]@{
            Name    = [string]$problem.TargetObject
            ErrorId = ($problem.FullyQualifiedErrorId -split ',')[0]
            Message = $problem.Exception.Message
        }
    }

    # Unique by name (two patterns can select one container).
    $seen = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    $containers = @($containers | Where-Object { $seen.Add($_.Name) })

    $verdicts = @{}
    $verdictErrors = @{}
    # One Test-ContainerIsolation call per expected isolation, so that the
    # verdict's own reason speaks of the isolation the check expects.
    $groups = @{}
    foreach ($container in $containers) {
        $want = Resolve-ContainerExpectation -Name $container.Name -Configured ([string]$container.Isolation) -Expectation $Expectation -Isolation $Isolation
        $key = if (-not $want.Problem -and $want.Expected -in 'Process', 'HyperV') { $want.Expected } else { '' }
        if (-not $groups.ContainsKey($key)) { $groups[$key] = [System.Collections.Generic.List[string]]::new() }
        $groups[$key].Add($container.Name)
    }
    foreach ($group in $groups.GetEnumerator()) {
        $check = @{ Name = @($group.Value); ErrorAction = 'SilentlyContinue'; ErrorVariable = 'verdictProblems' }
        if ($group.Key) { $check.Isolation = $group.Key }
        try {
            foreach ($verdict in @(Test-ContainerIsolation @check)) { $verdicts[$verdict.Name] = $verdict }
            foreach ($problem in $verdictProblems) { $verdictErrors[[string]$problem.TargetObject] = $problem.Exception.Message }
        }
        catch {
            foreach ($n in $group.Value) { $verdictErrors[$n] = $_.Exception.Message }
        }
    }

    [pscustomobject]@{
        Pattern         = [string[]]$Pattern
        ComputerName    = if ($null -ne $hostInfo -and $hostInfo.ComputerName) { [string]$hostInfo.ComputerName } else { [System.Environment]::MachineName }
        Host            = $hostInfo
        HostError       = $hostError
        Containers      = $containers
        SelectionErrors = $selectionErrors
        Verdicts        = $verdicts
        VerdictErrors   = $verdictErrors
    }
}
