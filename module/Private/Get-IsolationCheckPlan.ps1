function Get-IsolationCheckPlan {
    <#
    .SYNOPSIS
    Turns gathered evidence and expectations into the list of checks the Pester suite runs.
    .DESCRIPTION
    Pure: no core call. Every check is a hashtable with the same keys in its
    group (Pester turns each key into a variable of the test case). A check
    that cannot be made carries a Problem that the test case reports as its
    failure, so nothing selected or expected silently drops out of the report.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        # The answer of Get-IsolationCheckEvidence (possibly deserialized).
        [Parameter(Mandatory)]
        [object] $Evidence,

        # Pattern -> 'Process' | 'HyperV' (Resolve-IsolationExpectation).
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [System.Collections.IDictionary] $Expectation,

        [AllowEmptyString()]
        [string] $Isolation,

        [AllowEmptyString()]
        [string] $DefaultIsolation,

        [AllowEmptyString()]
        [string] $HostBuild,

        [AllowEmptyString()]
        [string] $HostEdition
    )

    $hostInfo = $Evidence.Host
    $containers = @($Evidence.Containers | Where-Object { $null -ne $_ })

    # Backends: those the containers run on; with no container, every usable one.
    $backends = [System.Collections.Generic.List[hashtable]]::new()
    if ($null -eq $hostInfo) {
        $backends.Add(@{ Name = 'of this host'; Usable = $false; Reason = ''; Problem = "The host could not be described (Get-ContainerHost): $($Evidence.HostError)" })
    }
    else {
        $all = @($hostInfo.Backends)
        $used = @($containers | ForEach-Object { [string]$_.Backend } | Where-Object { $_ } | Sort-Object -Unique)
        $listed = if ($used.Count) { @($all | Where-Object { $_.Name -in $used }) } else { @($all | Where-Object Usable) }
        foreach ($backend in $listed) {
            $backends.Add(@{ Name = [string]$backend.Name; Usable = [bool]$backend.Usable; Reason = [string]$backend.Reason; Problem = '' })
        }
        if ($listed.Count -eq 0) {
            $why = (@($all | ForEach-Object { "$($_.Name): $($_.Reason)" }) -join ' ')
            $backends.Add(@{ Name = 'of this host'; Usable = $false; Reason = ''; Problem = "No backend is usable on $($Evidence.ComputerName). $why" })
        }
    }

    $defaults = @()
    if ($DefaultIsolation) {
        $defaults = @(@{
                Expected = $DefaultIsolation
                Observed = if ($null -ne $hostInfo) { [string]$hostInfo.DefaultIsolation } else { '' }
                Problem  = if ($null -eq $hostInfo) { "The host's default isolation is unknown: Get-ContainerHost failed: $($Evidence.HostError)" } else { '' }
            })
    }

    $resolveExpected = {
        param([string] $ContainerName, [string] $Configured)
        Resolve-ContainerExpectation -Name $ContainerName -Configured $Configured -Expectation $Expectation -Isolation $Isolation
    }

    $checks = [System.Collections.Generic.List[hashtable]]::new()
    $images = [System.Collections.Generic.List[hashtable]]::new()
    $windowsHost = $null -ne $hostInfo -and [string]$hostInfo.Platform -eq 'win32'
    foreach ($container in $containers) {
        $want = & $resolveExpected $container.Name ([string]$container.Isolation)
        $problem = $want.Problem
        $verdict = $null
        if (-not $problem) {
            if ($Evidence.VerdictErrors.ContainsKey($container.Name)) { $problem = $Evidence.VerdictErrors[$container.Name] }
            elseif ($Evidence.Verdicts.ContainsKey($container.Name)) { $verdict = $Evidence.Verdicts[$container.Name] }
            else { $problem = 'Test-ContainerIsolation gave no verdict for it.' }
        }
        $checks.Add(@{ Name = [string]$container.Name; Expected = $want.Expected; Verdict = $verdict; Problem = $problem })

        # Windows images only: the linux backend runs Linux images.
        if ([string]$container.Backend -in 'docker', 'hcs' -and $container.Image -and -not $want.Problem -and ($windowsHost -or $HostBuild -or $HostEdition)) {
            $images.Add(@{ Name = [string]$container.Name; Image = [string]$container.Image; Expected = $want.Expected; HostBuild = $HostBuild; HostEdition = $HostEdition })
        }
    }

    # An exact name that was selected (by -Name, or as an expectation's key) but not
    # found, or whose state is damaged, fails as its own case.
    $found = @($containers | ForEach-Object { $_.Name })
    foreach ($problem in @($Evidence.SelectionErrors)) {
        if (-not $problem.Name -or $problem.Name -in $found) { continue }
        $want = & $resolveExpected $problem.Name ''
        $checks.Add(@{ Name = [string]$problem.Name; Expected = $want.Expected; Verdict = $null; Problem = [string]$problem.Message })
    }
    # A check of nothing must not pass unseen: a selection that matched no container fails.
    if ($checks.Count -eq 0) {
        $selected = @($Evidence.Pattern) -join "', '"
        $checks.Add(@{ Name = "'$selected'"; Expected = if ($Isolation) { $Isolation } else { 'as created' }; Verdict = $null; Problem = "no container matches '$selected' on $($Evidence.ComputerName)." })
    }

    @{
        ComputerName     = [string]$Evidence.ComputerName
        Backends         = @($backends)
        DefaultIsolation = $defaults
        Isolation        = @($checks)
        Images           = @($images)
    }
}
