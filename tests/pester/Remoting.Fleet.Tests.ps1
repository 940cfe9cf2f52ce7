# A fleet through PowerShell remoting: two private sshds on 127.0.0.1 stand in
# for two container hosts (each its own state directory, set by its sshd),
# reached as 'localhost' and '127.0.0.1' so that their results are told apart
# by PSComputerName, and a third session whose host goes away. The check runs
# on all of them at once; one host fails on purpose (its 'web' has exited, so
# nothing proves its isolation), and the host that went away is reported, not
# thrown: by Test-ContainerIsolation -Session, and by
# Invoke-ContainerIsolationCheck -Session as one JUnit report with a test
# suite per host. The test stops its sshds and removes their keys.
BeforeDiscovery {
    $script:canRun = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore)
}

Describe 'Checking a fleet through -Session' -Tag E2E, Remoting -Skip:(-not $canRun) {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'helpers' 'FreshPwsh.ps1')
        . (Join-Path $PSScriptRoot 'helpers' 'PrivateSshd.ps1')
        $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
        $script:version = (Get-Content -Raw (Join-Path $repo 'package.json') | ConvertFrom-Json).version
        $packageDir = Join-Path $repo 'output' 'WindowsContainers' $version
        if (-not (Test-Path (Join-Path $packageDir 'WindowsContainers.psd1'))) { throw "The package is not built ($packageDir). Run: npm run package" }
        $busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
        if (-not (Test-Path $busyboxTar)) { throw "The busybox rootfs tarball is missing ($busyboxTar). Run: bash build/setup.sh" }

        $script:root = New-PrivateTestFolder 'wc-fleet'
        $script:modules = Join-Path $root 'modules'
        $null = New-Item -ItemType Directory -Path (Join-Path $modules 'WindowsContainers')
        Copy-Item -LiteralPath $packageDir -Destination (Join-Path $modules 'WindowsContainers' $version) -Recurse

        $script:hosts = [ordered]@{}
        foreach ($node in 'node1', 'node2', 'node3') {
            $state = Join-Path $root "$node-state"
            $null = New-Item -ItemType Directory -Path $state
            $sshd = Start-PrivateSshd -Folder $root -Name $node -Environment @{ PSModulePath = $modules; WINDOWSCONTAINERS_STATE_DIR = $state }
            $hostName = if ($node -eq 'node2') { '127.0.0.1' } else { 'localhost' }
            $hosts[$node] = [pscustomobject]@{ Sshd = $sshd; State = $state; Session = (New-PrivateSshSession $sshd -HostName $hostName) }
        }

        # node1's web runs ping; node2's web has exited, so its isolation cannot be proven.
        $script:created = @(Invoke-Command -Session $hosts.node1.Session, $hosts.node2.Session -ArgumentList $busyboxTar -ScriptBlock {
                param($tarball)
                $ErrorActionPreference = 'Stop'
                $ProgressPreference = 'SilentlyContinue'
                Import-Module WindowsContainers
                $null = Import-ContainerImage -Path $tarball -Name busybox
                $command = if ($env:WINDOWSCONTAINERS_STATE_DIR -like '*node1-state') { 'ping', '127.0.0.1' } else { 'true' }
                New-IsolatedContainer -Name web -Image busybox -Isolation Process -Command $command
            })
        # node3 goes away: the PowerShell behind its session ends (its sshd
        # stays up until the end, so that the report test can do the same).
        Invoke-Command -Session $hosts.node3.Session { Stop-Process -Id $PID -Force } -ErrorAction Ignore
        $script:sessions = @($hosts.Values.Session)

        $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
        $env:WINDOWSCONTAINERS_STATE_DIR = Join-Path $root 'local-state'
        Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    }

    AfterAll {
        foreach ($h in @($hosts.Values)) {
            if ($h.Session.State -eq 'Opened') {
                Invoke-Command -Session $h.Session { Import-Module WindowsContainers; Get-IsolatedContainer | Remove-IsolatedContainer -Force } -ErrorAction Ignore
            }
            Remove-PSSession $h.Session -ErrorAction Ignore
            Stop-PrivateSshd $h.Sshd
        }
        Remove-Module WindowsContainers -Force -ErrorAction Ignore
        $env:WINDOWSCONTAINERS_STATE_DIR = $savedState
        if ($root -and (Test-Path $root)) { Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction Ignore }
    }

    It 'Should have two hosts with a web container each and a third that is gone' {
        @($created).Count | Should -Be 2
        @($created.PSComputerName | Sort-Object) | Should -Be @('127.0.0.1', 'localhost')
        $hosts.node3.Session.State | Should -Not -Be 'Opened'
    }

    Context 'When Test-ContainerIsolation -Session checks them all' {
        BeforeAll {
            $script:fleetErrors = $null
            $script:verdicts = @(Test-ContainerIsolation -Session $sessions -Name web -Isolation Process -ThrottleLimit 2 `
                    -ErrorAction SilentlyContinue -ErrorVariable fleetErrors)
        }

        It 'Should answer for each reachable host, labelled with PSComputerName' {
            $verdicts.Count | Should -Be 2
            @($verdicts.PSComputerName | Sort-Object) | Should -Be @('127.0.0.1', 'localhost')
            foreach ($v in $verdicts) { $v.PSObject.TypeNames[0] | Should -Be 'Deserialized.WindowsContainers.IsolationTestResult' }
        }

        It 'Should pass the host whose web runs, and fail the other with its reason' {
            $good = $verdicts | Where-Object PSComputerName -EQ 'localhost'
            $bad = $verdicts | Where-Object PSComputerName -EQ '127.0.0.1'
            $good.Passed | Should -BeTrue
            $good.ObservedIsolation | Should -Be 'Process'
            $bad.Passed | Should -BeFalse
            $bad.ObservedIsolation | Should -Be 'Inconclusive'
            $bad.Reason | Should -Not -BeNullOrEmpty
        }

        It 'Should report the host that is gone as HostUnreachable with why, without stopping the others' {
            $gone = @($fleetErrors | Where-Object { $_.FullyQualifiedErrorId -like 'HostUnreachable*' })
            $gone.Count | Should -Be 1
            $gone[0].TargetObject | Should -Be 'localhost'
            $gone[0].CategoryInfo.Category | Should -Be 'ConnectionError'
            $gone[0].Exception.Message | Should -BeLike "*'localhost'*wc-node3*"
        }

        It 'Should answer $false for the unreachable host with -Quiet' {
            $quiet = @(Test-ContainerIsolation -Session $sessions -Name web -Isolation Process -Quiet -ErrorAction SilentlyContinue)
            $quiet.Count | Should -Be 3
            @($quiet | Where-Object { $_ }).Count | Should -Be 1
        }

        It "Should write a host's own errors again here, non-terminating, naming that host" {
            $missing = $null
            $answer = @(Test-ContainerIsolation -Session $hosts.node1.Session, $hosts.node2.Session -Name web, nosuch -ErrorAction SilentlyContinue -ErrorVariable missing)
            $answer.Count | Should -Be 2
            $notFound = @($missing | Where-Object { $_.FullyQualifiedErrorId -like 'ContainerNotFound*' })
            $notFound.Count | Should -Be 2
            @($notFound.OriginInfo.PSComputerName | Sort-Object) | Should -Be @('127.0.0.1', 'localhost')
        }

        It "Should format the fleet's verdicts with the module's view" {
            ($verdicts | Out-String -Width 200) | Should -Match 'Name\s+Expected\s+Observed\s+Passed\s+Reason'
        }
    }

    Context 'When Invoke-ContainerIsolationCheck -Session writes one report for the fleet' {
        BeforeAll {
            # The check runs Pester itself, so it runs in a PowerShell of its own, as a CI step
            # would; there the three sessions are opened again and node3's is broken the same way.
            $junitPath = Join-Path $root 'reports' 'fleet-junit.xml'
            $script:nunitPath = Join-Path $root 'reports' 'fleet-nunit.xml'
            $pesterManifest = (Get-Module Pester).Path -replace '\.psm1$', '.psd1'
            $endpoints = ConvertTo-Json -Compress -InputObject @{
                node1 = $hosts.node1.Sshd | Select-Object Name, Port, KeyFile, KnownHosts
                node2 = $hosts.node2.Sshd | Select-Object Name, Port, KeyFile, KnownHosts
                node3 = $hosts.node3.Sshd | Select-Object Name, Port, KeyFile, KnownHosts
            }
            $child = Invoke-FreshPwsh -WorkingDirectory $root -Environment @{ WINDOWSCONTAINERS_STATE_DIR = (Join-Path $root 'local-state') } -Script @"
`$ErrorActionPreference = 'Stop'
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$pesterManifest'
Import-Module '$(Join-Path $repo 'WindowsContainers.psd1')'
. '$(Join-Path $PSScriptRoot 'helpers' 'PrivateSshd.ps1')'
`$endpoints = '$endpoints' | ConvertFrom-Json
`$fleet = @(
    New-PrivateSshSession `$endpoints.node1 -HostName localhost
    New-PrivateSshSession `$endpoints.node2 -HostName 127.0.0.1
    New-PrivateSshSession `$endpoints.node3 -HostName localhost
)
Invoke-Command -Session `$fleet[2] { Stop-Process -Id `$PID -Force } -ErrorAction Ignore
`$run = Invoke-ContainerIsolationCheck -Session `$fleet -Name web -Isolation Process -ThrottleLimit 3 -OutputPath '$junitPath' -Output None
`$null = Invoke-ContainerIsolationCheck -Session `$fleet -Name web -Isolation Process -OutputPath '$nunitPath' -OutputFormat NUnitXml -Output None
Remove-PSSession `$fleet
'result=' + (@{ Type = `$run.GetType().FullName; Failed = `$run.FailedCount; Passed = `$run.PassedCount; Total = `$run.TotalCount } | ConvertTo-Json -Compress)
"@
            $line = @($child.Output -split "`n" | Where-Object { $_ -like 'result=*' }) | Select-Object -Last 1
            $script:summary = if ($line) { $line.Trim().Substring(7) | ConvertFrom-Json } else { $null }
            $script:childOutput = "$($child.Output)`n$($child.Errors)"
            $script:report = if (Test-Path $junitPath) { [xml](Get-Content -Raw -LiteralPath $junitPath) } else { $null }
        }

        It 'Should return one Pester result for all hosts without throwing' {
            $summary | Should -Not -BeNullOrEmpty -Because $childOutput
            $summary.Type | Should -Be 'Pester.Run'
            $summary.Total | Should -Be 5
            $summary.Passed | Should -Be 3
            $summary.Failed | Should -Be 2
        }

        It 'Should write one JUnit report with one test suite per host' {
            $report | Should -Not -BeNullOrEmpty -Because $childOutput
            @($report.testsuites.testsuite.name) | Should -Be @(
                'WindowsContainers.IsolationCheck.localhost (wc-node1)'
                'WindowsContainers.IsolationCheck.127.0.0.1'
                'WindowsContainers.IsolationCheck.localhost (wc-node3)'
            )
            foreach ($suite in $report.testsuites.testsuite) {
                foreach ($case in @($suite.testcase)) { $case.classname | Should -Be $suite.name }
            }
        }

        It 'Should pass the good host and fail the other with its reason' {
            $good = $report.testsuites.testsuite | Where-Object name -EQ 'WindowsContainers.IsolationCheck.localhost (wc-node1)'
            @($good.testcase | Where-Object { $_.failure }).Count | Should -Be 0
            @($good.testcase.name) | Should -Contain 'Container isolation on localhost (wc-node1).web is isolated as Process'
            $bad = $report.testsuites.testsuite | Where-Object name -EQ 'WindowsContainers.IsolationCheck.127.0.0.1'
            $failed = @($bad.testcase | Where-Object { $_.failure })
            $failed.Count | Should -Be 1
            $failed[0].name | Should -Be 'Container isolation on 127.0.0.1.web is isolated as Process'
            $failed[0].failure.message | Should -Match 'Inconclusive'
        }

        It 'Should name each host''s suite in an NUnit report too' {
            [xml]$nunit = Get-Content -Raw -LiteralPath $nunitPath
            @($nunit.SelectNodes("//@*[.='<ScriptBlock>']")).Count | Should -Be 0 -Because 'Pester''s name for a script-block container is replaced by the host''s'
            foreach ($name in 'localhost (wc-node1)', '127.0.0.1', 'localhost (wc-node3)') {
                @($nunit.SelectNodes("//test-suite[@name='WindowsContainers.IsolationCheck.$name']")).Count | Should -Be 1 -Because "one suite for $name"
            }
        }

        It 'Should make the unreachable host a failed test case that says why' {
            $gone = $report.testsuites.testsuite | Where-Object name -EQ 'WindowsContainers.IsolationCheck.localhost (wc-node3)'
            @($gone.testcase).Count | Should -Be 1
            $gone.testcase.failure.message | Should -BeLike "*Host 'localhost (wc-node3)' could not be reached*"
        }
    }

    It 'Should remove the containers, stop every sshd and remove their keys' {
        foreach ($node in 'node1', 'node2') {
            Invoke-Command -Session $hosts[$node].Session { Import-Module WindowsContainers; Get-IsolatedContainer | Remove-IsolatedContainer -Force }
            @(Get-ChildItem (Join-Path $hosts[$node].State 'containers') -Directory | Where-Object Name -NotLike '.*').Count | Should -Be 0
        }
        foreach ($h in @($hosts.Values)) {
            Remove-PSSession $h.Session
            Stop-PrivateSshd $h.Sshd
            $h.Sshd.Process.HasExited | Should -BeTrue
            @(Get-TcpListener -Port $h.Sshd.Port).Count | Should -Be 0
            Remove-Item -LiteralPath $h.Sshd.Folder -Recurse -Force
            Test-Path (Join-Path $h.Sshd.Folder 'user_ed25519') | Should -BeFalse
            Test-Path (Join-Path $h.Sshd.Folder 'host_ed25519') | Should -BeFalse
        }
    }
}
