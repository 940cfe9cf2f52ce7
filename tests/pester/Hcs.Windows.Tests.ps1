# End-to-end checks of HCS and the public commands on a real Windows container host.
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

        # Starts `ping -t localhost` in a container and waits until the container reports ping in it.
        function script:Start-PingContainer {
            param([ValidateSet('process', 'hyperv')] [string] $Isolation)
            $id = (docker run -d --isolation $Isolation $script:image ping -t localhost | Select-Object -Last 1).Trim()
            if ($LASTEXITCODE -ne 0 -or $id -notmatch '^[0-9a-f]{64}$') { throw "docker run --isolation $Isolation $script:image failed: $id" }
            $deadline = (Get-Date).AddSeconds(180)
            do {
                Start-Sleep -Seconds 2
                # The container may not report ping for a moment after docker returns: keep asking until the deadline.
                $ping = @(Get-ContainerProcess -Name $id.Substring(0, 12) -ErrorAction SilentlyContinue | Where-Object ContainerProcessName -EQ 'PING')
            } until ($ping.Count -gt 0 -or (Get-Date) -gt $deadline)
            if ($ping.Count -eq 0) { throw "Get-ContainerProcess did not report PING in container $id within 180 s." }
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
            [Math]::Abs(([DateTimeOffset]$me.StartTime).ToUnixTimeMilliseconds() - ([DateTimeOffset]$row[0].startTime).ToUnixTimeMilliseconds()) | Should -BeLessOrEqual 10
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

        It "Should report ping (Get-ContainerProcess) with a PID that the host's Get-Process finds as the same process" {
            $ping = Get-ContainerProcess -Name $script:processId.Substring(0, 12) | Where-Object ContainerProcessName -EQ 'PING' | Select-Object -First 1
            $ping.HostProcessId | Should -Be $ping.ContainerProcessId
            $hostPing = Get-Process -Id $ping.HostProcessId -ErrorAction Stop
            $hostPing.ProcessName | Should -Be 'PING'
            [Math]::Abs(([DateTimeOffset]$hostPing.StartTime).ToUnixTimeMilliseconds() - ([DateTimeOffset]$ping.StartTime).ToUnixTimeMilliseconds()) | Should -BeLessOrEqual 10
        }

        It 'Should be judged process isolation (Test-ContainerIsolation), with the host PIDs Get-ContainerProcess reports' {
            $name = $script:processId.Substring(0, 12)
            $result = Test-ContainerIsolation -Name $name -Isolation Process
            $result.ObservedIsolation | Should -Be 'Process' -Because ($result.Reasons -join ' ')
            $result.Passed | Should -BeTrue
            $result.WorkerProcess | Should -BeNullOrEmpty
            $listed = @(Get-ContainerProcess -Name $name | Where-Object VisibleOnHost | ForEach-Object { "$($_.ContainerProcessId)=$($_.HostProcessId)" } | Sort-Object)
            $judged = @($result.ContainerProcesses | Where-Object VisibleOnHost | ForEach-Object { "$($_.ContainerProcessId)=$($_.HostProcessId)" } | Sort-Object)
            $judged | Should -Be $listed
        }

        It 'Should stop through Stop-IsolatedContainer, and Docker should see it stopped' {
            Stop-IsolatedContainer -Name $script:processId.Substring(0, 12) -TimeoutSeconds 30 -Confirm:$false
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

        It "Should report ping (Get-ContainerProcess) with no host PID, and a PID that is not the host's ping" {
            $ping = Get-ContainerProcess -Name $script:hypervId.Substring(0, 12) | Where-Object ContainerProcessName -EQ 'PING' | Select-Object -First 1
            $ping.HostProcessId | Should -BeNullOrEmpty
            $ping.VisibleOnHost | Should -BeFalse
            $same = Get-Process -Name PING -ErrorAction Ignore | Where-Object {
                $_.Id -eq $ping.ContainerProcessId -and $null -ne $ping.StartTime -and
                [Math]::Abs(([DateTimeOffset]$_.StartTime).ToUnixTimeMilliseconds() - ([DateTimeOffset]$ping.StartTime).ToUnixTimeMilliseconds()) -le 10
            }
            $same | Should -BeNullOrEmpty
        }

        It "Should have a vmwp on the host whose command line holds the utility VM's GUID" {
            $guid = $script:vmGuid
            $workers = Get-CimInstance -ClassName Win32_Process -Filter "Name = 'vmwp.exe'" | Where-Object { $_.CommandLine -match [regex]::Escape($guid) }
            @($workers).Count | Should -Be 1
        }

        It 'Should be judged Hyper-V isolation (Test-ContainerIsolation), tied to that vmwp' {
            $result = Test-ContainerIsolation -Name $script:hypervId.Substring(0, 12) -Isolation HyperV
            $result.ObservedIsolation | Should -Be 'HyperV' -Because ($result.Reasons -join ' ')
            $result.WorkerProcess.WorkerName | Should -Be 'vmwp'
            $result.WorkerProcess.Tied | Should -BeTrue
            $result.WorkerProcess.TieToken | Should -Be $script:vmGuid -Because 'the tie token is the VM GUID (compared case-insensitively here)'
            @($result.ContainerProcesses | Where-Object VisibleOnHost).Count | Should -Be 0
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

    Context 'When the commands are asked about a container that does not exist' {
        It 'Should fail with ContainerNotFound' {
            { Get-ContainerProcess -Name 'no-such-container-wc-e2e' -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotFound*'
        }
    }
}
