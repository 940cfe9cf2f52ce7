# Invoke-ContainerIsolationCheck against real process-isolated containers on
# the linux backend (runc), in a private state directory. The check runs
# Pester itself, so it runs in a PowerShell process of its own (as a CI step
# would), and this file reads the JUnit and NUnit reports it writes. Tagged
# AllPesterMajors: the runner repeats it under Pester 6.2.0 (the check then runs
# under that Pester too).
BeforeDiscovery {
    $script:canRun = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore)
}

BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $script:manifest = Join-Path $repo 'WindowsContainers.psd1'
    $script:busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
    $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-check-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $state
    $env:WINDOWSCONTAINERS_STATE_DIR = $state
    Import-Module $manifest -Force

    # Under `dotnet pwsh` the process is dotnet and PowerShell is pwsh.dll beside $PSHOME.
    $script:pwsh = @([Environment]::ProcessPath)
    if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { $script:pwsh += Join-Path $PSHOME 'pwsh.dll' }
    $script:pesterManifest = (Get-Module Pester).Path -replace '\.psm1$', '.psd1'

    # Runs one PowerShell script in a fresh `pwsh -NonInteractive` with Pester and the module imported; returns its output lines.
    function script:Invoke-InChildPowerShell([string] $Script) {
        $prologue = "`$ErrorActionPreference = 'Stop'; `$PSStyle.OutputRendering = 'PlainText'; Import-Module '$($pesterManifest -replace "'", "''")'; Import-Module '$($manifest -replace "'", "''")'`n"
        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($prologue + $Script))
        # Plain text: the lines can end up in a -Because, and XML reports refuse ANSI escapes.
        $lines = @(& $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" -replace '\e\[[0-9;]*[A-Za-z]', '' })
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Lines = $lines }
    }
}

AfterAll {
    Get-ChildItem -Path (Join-Path $state 'containers') -Directory -ErrorAction Ignore | Where-Object Name -NotLike '.*' |
        ForEach-Object { Remove-IsolatedContainer -Name $_.Name -Force -ErrorAction Ignore -WarningAction Ignore }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $savedState
    Remove-Item -LiteralPath $state -Recurse -Force -ErrorAction Ignore
}

Describe 'Invoke-ContainerIsolationCheck on real containers' -Tag E2E, AllPesterMajors -Skip:(-not $canRun) {
    BeforeAll {
        $null = Import-ContainerImage -Path $busyboxTar -Name busybox
        $null = New-IsolatedContainer -Name 'chk-ok' -Image busybox -Isolation Process -Command sleep, 600
        $null = New-IsolatedContainer -Name 'chk-bad' -Image busybox -Isolation Process -Command sleep, 600
        $expectationFile = Join-Path $TestDrive 'isolation.json'
        # chk-bad is process-isolated: expecting HyperV fails on purpose; chk-gone does not exist.
        Set-Content -LiteralPath $expectationFile -Value '{ "chk-ok": "Process", "chk-bad": "HyperV", "chk-gone": "Process" }'
        $junitPath = Join-Path $TestDrive 'reports' 'isolation-junit.xml'
        $nunitPath = Join-Path $TestDrive 'reports' 'isolation-nunit.xml'
        $run = Invoke-InChildPowerShell @"
`$junit = Invoke-ContainerIsolationCheck -ExpectationPath '$expectationFile' -DefaultIsolation Process -OutputPath '$junitPath' -Output None
`$nunit = Get-IsolatedContainer chk-ok | Invoke-ContainerIsolationCheck -DefaultIsolation Process -OutputPath '$nunitPath' -OutputFormat NUnitXml -Output None
'result=' + (@{ Type = `$junit.GetType().FullName; Failed = `$junit.FailedCount; Passed = `$junit.PassedCount; Total = `$junit.TotalCount; NUnitFailed = `$nunit.FailedCount; NUnitPassed = `$nunit.PassedCount } | ConvertTo-Json -Compress)
'still-running=yes'
"@
        $summaryLine = $run.Lines | Where-Object { $_ -like 'result=*' } | Select-Object -Last 1
        $summary = if ($summaryLine) { $summaryLine.Substring(7) | ConvertFrom-Json } else { $null }
        # Taken as the check takes it: against the expectation, so the reason speaks of HyperV.
        $verdictOfBad = Test-ContainerIsolation -Name 'chk-bad' -Isolation HyperV
    }

    It 'Should return Pester''s result object without exiting the session' {
        $run.ExitCode | Should -Be 0 -Because ($run.Lines -join "`n")
        $run.Lines | Should -Contain 'still-running=yes'
        $summary.Type | Should -Be 'Pester.Run'
        $summary.Total | Should -Be 5
        $summary.Passed | Should -Be 3
        $summary.Failed | Should -Be 2
    }

    It 'Should write JUnit XML with one test case per check' {
        [xml]$report = Get-Content -Raw -LiteralPath $junitPath
        $cases = @($report.testsuites.testsuite.testcase)
        $h = [System.Environment]::MachineName
        @($cases.name | Sort-Object) | Should -Be @(
            "Container host $h.Backend linux is usable"
            "Container host $h.Default isolation is Process"
            "Container isolation on $h.chk-bad is isolated as HyperV"
            "Container isolation on $h.chk-gone is isolated as Process"
            "Container isolation on $h.chk-ok is isolated as Process"
        ) -Because 'one case per backend used, the default isolation and each expectation'
    }

    It 'Should carry the attributes CI systems read (tests, failures, time, classname, name)' {
        [xml]$report = Get-Content -Raw -LiteralPath $junitPath
        $root = $report.testsuites
        [int]$root.tests | Should -Be 5
        [int]$root.failures | Should -Be 2
        [double]::Parse($root.time, [cultureinfo]::InvariantCulture) | Should -BeGreaterThan 0
        $suite = $root.testsuite
        [int]$suite.tests | Should -Be 5
        [int]$suite.failures | Should -Be 2
        foreach ($case in @($suite.testcase)) {
            $case.name | Should -Not -BeNullOrEmpty
            $case.classname | Should -BeExactly "WindowsContainers.IsolationCheck.$([System.Environment]::MachineName)"
            [double]::Parse($case.time, [cultureinfo]::InvariantCulture) | Should -BeGreaterOrEqual 0
        }
        @($suite.testcase | Where-Object { $_.failure }).Count | Should -Be 2
    }

    It 'Should fail the wrong expectation with the verdict''s reason and evidence in the failure message' {
        [xml]$report = Get-Content -Raw -LiteralPath $junitPath
        $case = @($report.testsuites.testsuite.testcase) | Where-Object name -Like '*chk-bad is isolated as HyperV'
        $message = $case.failure.message
        $message | Should -Match "^Expected container 'chk-bad' to be isolated as HyperV, but the isolation check observed Process\."
        $verdictOfBad.ObservedIsolation | Should -Be 'Process'
        $message | Should -BeLike "*Reason: $($verdictOfBad.Reason)*"
        $message | Should -Match "Host matches: sleep \(container PID 1\) host PID $($verdictOfBad.HostMatches[0].HostProcessId) \[SameProcess\]"
        $message | Should -Match 'Worker: none\.'
    }

    It 'Should fail an expected container that does not exist, and pass the true expectation' {
        [xml]$report = Get-Content -Raw -LiteralPath $junitPath
        $cases = @($report.testsuites.testsuite.testcase)
        ($cases | Where-Object name -Like '*chk-gone is isolated as Process').failure.message | Should -Match "could not be checked: There is no container named 'chk-gone'"
        ($cases | Where-Object name -Like '*chk-ok is isolated as Process').failure | Should -BeNullOrEmpty
        ($cases | Where-Object name -Like '*Backend linux is usable').status | Should -Be 'Passed'
    }

    It 'Should write NUnit XML for containers from the pipeline' {
        $summary.NUnitPassed | Should -Be 3
        $summary.NUnitFailed | Should -Be 0
        [xml]$report = Get-Content -Raw -LiteralPath $nunitPath
        [int]$report.'test-results'.total | Should -Be 3
        [int]$report.'test-results'.failures | Should -Be 0
        $report.SelectNodes('//test-case').name | Should -Contain "Container isolation on $([System.Environment]::MachineName).chk-ok is isolated as Process"
    }

    It 'Should let Should -BeIsolated judge a real container' {
        Get-IsolatedContainer -Name 'chk-ok' | Should -BeIsolated -As Process
        'chk-ok' | Should -Not -BeIsolated -As HyperV
        { 'chk-ok' | Should -BeIsolated -As HyperV } | Should -Throw -ExpectedMessage "Expected container 'chk-ok' to be isolated as HyperV, but the isolation check observed Process.*"
    }
}

Describe 'Invoke-ContainerIsolationCheck expectations' {
    It 'Should refuse an expectation file that is not JSON, without quoting it' {
        $file = Join-Path $TestDrive 'bad.json'
        Set-Content -LiteralPath $file -Value "{ ""web"": ""HyperV"", secret-text }"
        { Invoke-ContainerIsolationCheck -ExpectationPath $file } | Should -Throw -ErrorId 'InvalidExpectationFile,Invoke-ContainerIsolationCheck'
        try { Invoke-ContainerIsolationCheck -ExpectationPath $file } catch { $_.Exception.Message | Should -Not -Match 'secret-text' }
    }

    It 'Should refuse a value other than Process or HyperV, naming the entry' {
        { Invoke-ContainerIsolationCheck -Expectation @{ web = 'Hyper-V' } } | Should -Throw -ErrorId 'InvalidExpectation,Invoke-ContainerIsolationCheck' -ExpectedMessage "*Entry 'web' of the -Expectation hashtable must be ""Process"" or ""HyperV""*"
    }

    It 'Should refuse a key that is no container name' {
        { Invoke-ContainerIsolationCheck -Expectation @{ 'web; rm' = 'Process' } } | Should -Throw -ErrorId 'InvalidExpectation,Invoke-ContainerIsolationCheck'
    }

    It 'Should refuse a file that is not a JSON object, a missing file and an oversized file' {
        $array = Join-Path $TestDrive 'array.json'
        Set-Content -LiteralPath $array -Value '["web"]'
        { Invoke-ContainerIsolationCheck -ExpectationPath $array } | Should -Throw -ErrorId 'InvalidExpectationFile,Invoke-ContainerIsolationCheck' -ExpectedMessage '*holds a JSON array, not an object*'
        { Invoke-ContainerIsolationCheck -ExpectationPath (Join-Path $TestDrive 'none.json') } | Should -Throw -ErrorId 'ExpectationFileNotFound,Invoke-ContainerIsolationCheck'
        $big = Join-Path $TestDrive 'big.json'
        [System.IO.File]::WriteAllText($big, '{"a":"' + ('x' * 1.1MB) + '"}')
        { Invoke-ContainerIsolationCheck -ExpectationPath $big } | Should -Throw -ErrorId 'ExpectationFileTooLarge,Invoke-ContainerIsolationCheck'
    }

    It 'Should refuse -Expectation and -ExpectationPath together' {
        { Invoke-ContainerIsolationCheck -Expectation @{ web = 'Process' } -ExpectationPath 'x.json' } | Should -Throw -ErrorId 'ExpectationSourceConflict,Invoke-ContainerIsolationCheck'
    }

    It 'Should resolve exact entries before wildcards, and report wildcards that disagree' {
        InModuleScope WindowsContainers {
            $evidence = [pscustomobject]@{
                Pattern = @('*'); ComputerName = 'h'; HostError = $null; SelectionErrors = @(); VerdictErrors = @{}; Verdicts = @{}
                Host = [pscustomobject]@{ Platform = 'linux'; DefaultIsolation = 'Process'; Backends = @([pscustomobject]@{ Name = 'linux'; Usable = $true; Reason = 'ok' }) }
                Containers = @('web-1', 'api-1', 'db') | ForEach-Object { [pscustomobject]@{ Name = $_; Isolation = 'Process'; Backend = 'linux'; Image = 'busybox' } }
            }
            $expectation = Resolve-IsolationExpectation -Expectation ([ordered]@{ 'web-*' = 'HyperV'; 'web-1' = 'Process'; 'a*' = 'HyperV'; '*-1' = 'Process' })
            $plan = Get-IsolationCheckPlan -Evidence $evidence -Expectation $expectation -Isolation 'HyperV' -DefaultIsolation '' -HostBuild '' -HostEdition ''
            $byName = @{}; foreach ($check in $plan.Isolation) { $byName[$check.Name] = $check }
            $byName['web-1'].Expected | Should -Be 'Process'
            $byName['api-1'].Problem | Should -Match "the expectations disagree about it \('a\*' expects HyperV, '\*-1' expects Process\)"
            $byName['db'].Expected | Should -Be 'HyperV' -Because '-Isolation applies where no entry does'
            @($plan.Images).Count | Should -Be 0 -Because 'containers of the linux backend run Linux images'
            @($plan.Backends).Name | Should -Be @('linux')
        }
    }

    It 'Should fail a selection that matched no container' {
        InModuleScope WindowsContainers {
            $evidence = [pscustomobject]@{
                Pattern = @('web*'); ComputerName = 'h'; HostError = $null; SelectionErrors = @(); VerdictErrors = @{}; Verdicts = @{}; Containers = @()
                Host = [pscustomobject]@{ Platform = 'linux'; DefaultIsolation = 'Process'; Backends = @([pscustomobject]@{ Name = 'linux'; Usable = $true; Reason = 'ok' }) }
            }
            $plan = Get-IsolationCheckPlan -Evidence $evidence -Expectation ([ordered]@{}) -Isolation 'HyperV' -DefaultIsolation '' -HostBuild '' -HostEdition ''
            @($plan.Isolation).Count | Should -Be 1
            $plan.Isolation[0].Problem | Should -Be "no container matches 'web*' on h."
        }
    }
}
