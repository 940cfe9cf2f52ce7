# End-to-end checks of the hcs backend on a real Windows container host.
#
# They need: Windows Server 2019+ or Windows 10/11 with the Containers feature,
# an elevated PowerShell 7.4+, Docker, and a Windows image matching the host
# build (defaults to mcr.microsoft.com/windows/nanoserver:<tag for this build>,
# or set WINDOWSCONTAINERS_TEST_IMAGE). The Hyper-V context also needs the
# Hyper-V feature. Run:
#   pwsh -File build/Invoke-PesterRun.ps1 -Path tests/pester/Hcs.Windows.Tests.ps1 -Tag Windows
# Everywhere else the whole file is skipped: HCS (computecore.dll) exists only
# on Windows. What these checks cover that the Linux test run cannot is listed
# in docs/hcs-verification.md.

BeforeDiscovery {
    $script:onWindows = [bool]$IsWindows
}

Describe 'The hcs backend on a Windows container host (skipped elsewhere: HCS exists only on Windows)' -Tag Windows, E2E -Skip:(-not $onWindows) {
    BeforeAll {
        Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force

        if (-not (Get-Command docker -ErrorAction Ignore)) {
            throw 'These checks start containers with Docker: install Docker on this Windows container host and put docker.exe on PATH.'
        }
        $build = [Environment]::OSVersion.Version.Build
        $tags = @{ 17763 = '1809'; 20348 = 'ltsc2022'; 26100 = 'ltsc2025' }
        $script:image = if ($env:WINDOWSCONTAINERS_TEST_IMAGE) { $env:WINDOWSCONTAINERS_TEST_IMAGE }
        elseif ($tags.ContainsKey($build)) { "mcr.microsoft.com/windows/nanoserver:$($tags[$build])" }
        else { throw "No default nanoserver tag is known for Windows build ${build}: set WINDOWSCONTAINERS_TEST_IMAGE to an image of this build." }

        function script:Invoke-Core {
            param([string] $Command, [hashtable] $Arguments = @{})
            InModuleScope WindowsContainers -Parameters @{ Command = $Command; Arguments = $Arguments } {
                param($Command, $Arguments)
                Invoke-CoreCommand -Command $Command -Arguments $Arguments -TimeoutSeconds 300
            }
        }

        # Starts `ping -t localhost` in a container and waits until HCS reports ping in it.
        function script:Start-PingContainer {
            param([ValidateSet('process', 'hyperv')] [string] $Isolation)
            $id = (docker run -d --isolation $Isolation $script:image ping -t localhost | Select-Object -Last 1).Trim()
            if ($LASTEXITCODE -ne 0 -or $id -notmatch '^[0-9a-f]{64}$') { throw "docker run --isolation $Isolation $script:image failed: $id" }
            $deadline = (Get-Date).AddSeconds(180)
            do {
                Start-Sleep -Seconds 2
                # HCS may not list the container for a moment after docker returns: keep asking until the deadline.
                $ping = @(try { (Invoke-Core hcs.processes @{ name = $id }).processes | Where-Object name -EQ 'PING' } catch { Write-Verbose $_ })
            } until ($ping.Count -gt 0 -or (Get-Date) -gt $deadline)
            if ($ping.Count -eq 0) { throw "HCS did not report PING in container $id within 180 s." }
            $id
        }
    }

    Context 'When Get-ContainerHost asks whether HCS is usable' {
        It 'Should report the hcs backend usable, loaded from computecore.dll' {
            $hcs = (Get-ContainerHost).Backends | Where-Object Name -EQ 'hcs'
            $hcs.Usable | Should -BeTrue -Because $hcs.Reason
        }

        It 'Should not be using a test library' {
            $env:WINDOWSCONTAINERS_HCS_LIBRARY | Should -BeNullOrEmpty
        }
    }

    Context 'When the core reads the Windows process table' {
        It 'Should see this PowerShell as Get-Process does (name, parent, start time)' {
            $me = Get-Process -Id $PID
            $row = @((Invoke-Core host.processes @{ pids = @($PID) }).processes | Where-Object id -EQ $PID)
            $row.Count | Should -Be 1
            $row[0].processName | Should -Be $me.ProcessName
            $row[0].parentProcessId | Should -Be $me.Parent.Id
            [Math]::Abs(([DateTimeOffset]$me.StartTime).ToUnixTimeMilliseconds() - $row[0].startTimeMs) | Should -BeLessOrEqual 10
        }
    }

    Context 'When a process-isolated container runs ping' {
        BeforeAll {
            $script:processId = Start-PingContainer -Isolation process
        }
        AfterAll {
            if ($script:processId) { docker rm -f $script:processId | Out-Null }
        }

        It 'Should be listed by HCS as a process-isolated container with no utility VM' {
            $system = (Invoke-Core hcs.systems).systems | Where-Object id -EQ $script:processId
            $system.role | Should -Be 'ProcessContainer'
            $system.hostingSystemId | Should -BeNullOrEmpty
        }

        It "Should report ping with a PID that the host's Get-Process finds as the same process" {
            $ping = (Invoke-Core hcs.processes @{ name = $script:processId }).processes | Where-Object name -EQ 'PING' | Select-Object -First 1
            $ping.claimedHostPid | Should -Be $ping.containerPid
            $hostPing = Get-Process -Id $ping.containerPid -ErrorAction Stop
            $hostPing.ProcessName | Should -Be 'PING'
            [Math]::Abs(([DateTimeOffset]$hostPing.StartTime).ToUnixTimeMilliseconds() - $ping.startTimeMs) | Should -BeLessOrEqual 10
        }

        It 'Should be judged process isolation' {
            $result = Invoke-Core hcs.isolation @{ name = $script:processId; expected = 'Process' }
            $result.verdict.observed | Should -Be 'Process' -Because ($result.verdict.reasons -join ' ')
            $result.verdict.passed | Should -BeTrue
            $result.worker | Should -BeNullOrEmpty
        }

        It 'Should pass Test-ContainerIsolation -Isolation Process through the cmdlets' {
            Test-ContainerIsolation -Name $script:processId.Substring(0, 12) -Isolation Process -Quiet | Should -BeTrue
        }

        It 'Should stop through HCS, and Docker should see it stopped' {
            $stopped = Invoke-Core hcs.stop @{ name = $script:processId; timeoutSeconds = 30 }
            $stopped.container.state | Should -Be 'exited'
            (docker inspect -f '{{.State.Running}}' $script:processId) | Should -Be 'false'
        }
    }

    Context 'When a Hyper-V-isolated container runs ping' {
        BeforeAll {
            $script:hypervId = Start-PingContainer -Isolation hyperv
            $systems = (Invoke-Core hcs.systems).systems
            $script:container = $systems | Where-Object id -EQ $script:hypervId
            # Schema v2 (containerd/hcsshim): a separate utility VM named by HostingSystemId.
            # Schema v1 (Docker's HvPartition container): the container is its own partition.
            $script:utilityVm = if ($script:container.hostingSystemId) { $systems | Where-Object id -EQ $script:container.hostingSystemId }
            $script:vmGuid = $script:container.utilityVmRuntimeId
        }
        AfterAll {
            if ($script:hypervId) { docker rm -f $script:hypervId | Out-Null }
        }

        It 'Should be listed as a Hyper-V container with the VM GUID of its utility VM' {
            $script:container.role | Should -Be 'HyperVContainer'
            $script:vmGuid | Should -Match '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
            if ($script:container.hostingSystemId) {
                $script:utilityVm.role | Should -Be 'UtilityVm'
                $script:utilityVm.runtimeId | Should -Be $script:vmGuid
            }
            else {
                $script:container.runtimeId | Should -Be $script:vmGuid
            }
        }

        It "Should report ping with a PID that is not the host's ping" {
            $ping = (Invoke-Core hcs.processes @{ name = $script:hypervId }).processes | Where-Object name -EQ 'PING' | Select-Object -First 1
            $ping.claimedHostPid | Should -BeNullOrEmpty
            $same = Get-Process -Name PING -ErrorAction Ignore | Where-Object {
                $_.Id -eq $ping.containerPid -and [Math]::Abs(([DateTimeOffset]$_.StartTime).ToUnixTimeMilliseconds() - $ping.startTimeMs) -le 10
            }
            $same | Should -BeNullOrEmpty
        }

        It "Should have a vmwp on the host whose command line holds the utility VM's GUID" {
            $guid = $script:vmGuid
            $workers = Get-CimInstance -ClassName Win32_Process -Filter "Name = 'vmwp.exe'" | Where-Object { $_.CommandLine -match [regex]::Escape($guid) }
            @($workers).Count | Should -Be 1
        }

        It 'Should be judged Hyper-V isolation, tied to that vmwp' {
            $result = Invoke-Core hcs.isolation @{ name = $script:hypervId; expected = 'HyperV' }
            $result.verdict.observed | Should -Be 'HyperV' -Because ($result.verdict.reasons -join ' ')
            $result.worker.name | Should -Be 'vmwp'
            $result.worker.tieField | Should -Be 'commandLine'
            $result.worker.tieToken | Should -Be $script:vmGuid -Because 'the tie token is the VM GUID (compared case-insensitively here)'
        }
    }

    Context 'When the cmdlets check a Hyper-V container Docker created' {
        BeforeAll {
            $script:hypervId2 = Start-PingContainer -Isolation hyperv
        }
        AfterAll {
            if ($script:hypervId2) { docker rm -f $script:hypervId2 | Out-Null }
        }

        It "Should pass Test-ContainerIsolation -Isolation HyperV (the docker backend asks HCS for the VM GUID)" {
            $result = Test-ContainerIsolation -Name $script:hypervId2.Substring(0, 12) -Isolation HyperV
            $result.Passed | Should -BeTrue -Because (($result | Format-List * | Out-String))
        }

        It 'Should stop through Stop-IsolatedContainer' {
            Stop-IsolatedContainer -Name $script:hypervId2.Substring(0, 12) -TimeoutSeconds 30 -Confirm:$false
            (docker inspect -f '{{.State.Running}}' $script:hypervId2) | Should -Be 'false'
        }
    }

    Context 'When HCS is asked about a container that does not exist' {
        It 'Should fail with ContainerNotFound' {
            { Invoke-Core hcs.processes @{ name = 'no-such-container-wc-e2e' } } | Should -Throw -ErrorId 'ContainerNotFound*'
        }
    }
}
