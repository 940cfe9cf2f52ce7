# End-to-end checks of HCS and the public commands on a real Windows container host.
#
# They need: Windows Server 2019+ or Windows 10/11 with the Containers feature,
# an elevated PowerShell 7.4+, Docker, and a Windows image matching the host
# build (defaults to mcr.microsoft.com/windows/nanoserver:<tag for this build>,
# or set WINDOWSCONTAINERS_TEST_IMAGE). The Hyper-V context also needs the
# Hyper-V feature. Run:
#   pwsh -File build/Invoke-PesterRun.ps1 -Path tests/pester/Hcs.Windows.Tests.ps1 -Tag Windows
# Only the checks that settle what no public reference states (the RuntimeId
# HCS reports for Docker's containers, the owners of vmmem and vmwp, the
# snapshot's encoding):
#   pwsh -File build/Invoke-PesterRun.ps1 -Path tests/pester/Hcs.Windows.Tests.ps1 -Tag Assumptions
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
            # Docker creates a schema v1 HvPartition container: the container is its own partition.
            # (The older hcsshim v2 shape, a Container whose HostingSystemId names a VM, is still read.)
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

        It 'Should be judged Hyper-V isolation (Test-ContainerIsolation), tied to the vmmem running as the VM (hcsshim LookupVMMEM)' {
            $result = Test-ContainerIsolation -Name $script:hypervId.Substring(0, 12) -Isolation HyperV
            $result.ObservedIsolation | Should -Be 'HyperV' -Because ($result.Reasons -join ' ')
            $result.WorkerProcess.WorkerName | Should -Be 'vmmem'
            $result.WorkerProcess.Tied | Should -BeTrue
            $result.WorkerProcess.TieToken | Should -Be "NT VIRTUAL MACHINE\$($script:vmGuid.ToUpperInvariant())" -Because 'hcsshim looks for NT VIRTUAL MACHINE\<RuntimeId in upper case> (compared case-insensitively here)'
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

# Settles, on a Windows host, what the module assumes without a public reference.
# Each check reads HCS or Windows directly (computecore.dll through P/Invoke,
# Win32_Process.GetOwner), not through the module, so a failure points at the
# assumption and not at the module's code. Run on a Windows container host with
# Docker and the Hyper-V feature, elevated:
#   pwsh -File build/Invoke-PesterRun.ps1 -Path tests/pester/Hcs.Windows.Tests.ps1 -Tag Assumptions
# What each result settles is listed in docs/hcs-verification.md ("Assumed, settled only on Windows").
Describe 'What HCS and Windows really show for Docker containers (skipped elsewhere: HCS exists only on Windows)' -Tag Windows, Assumptions -Skip:(-not $onWindows) {
    BeforeAll {
        if (-not (Get-Command docker -ErrorAction Ignore)) {
            throw 'These checks start containers with Docker: install Docker on this Windows container host and put docker.exe on PATH.'
        }
        $build = [Environment]::OSVersion.Version.Build
        $tags = @{ 17763 = '1809'; 20348 = 'ltsc2022'; 26100 = 'ltsc2025' }
        $script:assumptionImage = if ($env:WINDOWSCONTAINERS_TEST_IMAGE) { $env:WINDOWSCONTAINERS_TEST_IMAGE }
        elseif ($tags.ContainsKey($build)) { "mcr.microsoft.com/windows/nanoserver:$($tags[$build])" }
        else { throw "No default nanoserver tag is known for Windows build ${build}: set WINDOWSCONTAINERS_TEST_IMAGE to an image of this build." }

        if (-not ('WcAssumptions.Hcs' -as [type])) {
            Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
namespace WcAssumptions {
    public static class Hcs {
        [DllImport("computecore.dll")] static extern IntPtr HcsCreateOperation(IntPtr context, IntPtr callback);
        [DllImport("computecore.dll")] static extern void HcsCloseOperation(IntPtr operation);
        [DllImport("computecore.dll", CharSet = CharSet.Unicode)] static extern int HcsEnumerateComputeSystems(string query, IntPtr operation);
        [DllImport("computecore.dll")] static extern int HcsWaitForOperationResult(IntPtr operation, uint timeoutMs, out IntPtr resultDocument);
        [DllImport("kernel32.dll")] static extern IntPtr LocalFree(IntPtr memory);
        // The raw HcsEnumerateComputeSystems document (HCS v2, ComputeCore.h).
        public static string Enumerate() {
            IntPtr op = HcsCreateOperation(IntPtr.Zero, IntPtr.Zero);
            if (op == IntPtr.Zero) throw new InvalidOperationException("HcsCreateOperation returned no handle");
            try {
                int hr = HcsEnumerateComputeSystems(null, op);
                if (hr < 0) throw new InvalidOperationException(string.Format("HcsEnumerateComputeSystems: 0x{0:X8}", hr));
                IntPtr doc;
                hr = HcsWaitForOperationResult(op, 60000, out doc);
                try {
                    if (hr < 0) throw new InvalidOperationException(string.Format("HcsWaitForOperationResult: 0x{0:X8}", hr));
                    return doc == IntPtr.Zero ? "[]" : Marshal.PtrToStringUni(doc);
                } finally { if (doc != IntPtr.Zero) LocalFree(doc); }
            } finally { HcsCloseOperation(op); }
        }
    }
}
'@
        }

        function script:Get-HcsSystem {
            param([string] $Id)
            @([WcAssumptions.Hcs]::Enumerate() | ConvertFrom-Json) | Where-Object Id -EQ $Id
        }

        function script:Get-ProcessOwner {
            param([Parameter(ValueFromPipeline)] $Process)
            process {
                $owner = Invoke-CimMethod -InputObject $Process -MethodName GetOwner
                if ($owner.ReturnValue -eq 0) { '{0}\{1}' -f $owner.Domain, $owner.User } else { $null }
            }
        }

        function script:Start-DockerPing {
            param([ValidateSet('process', 'hyperv')] [string] $Isolation)
            $id = (docker run -d --isolation $Isolation $script:assumptionImage ping -t localhost | Select-Object -Last 1).Trim()
            if ($LASTEXITCODE -ne 0 -or $id -notmatch '^[0-9a-f]{64}$') { throw "docker run --isolation $Isolation $script:assumptionImage failed: $id" }
            $deadline = (Get-Date).AddSeconds(180)
            while (-not (Get-HcsSystem -Id $id) -and (Get-Date) -lt $deadline) { Start-Sleep -Seconds 2 }
            $id
        }
    }

    Context 'When Docker runs a process-isolated container' {
        BeforeAll { $script:argon = Start-DockerPing -Isolation process }
        AfterAll { if ($script:argon) { docker rm -f $script:argon | Out-Null } }

        It 'Should be one schema v1 Container: Name = the Docker id, Owner docker (moby libcontainerd/local/local_windows.go)' {
            $system = Get-HcsSystem -Id $script:argon
            $system.SystemType | Should -Be 'Container'
            $system.Name | Should -Be $script:argon
            $system.Owner | Should -Be 'docker'
            $system.HostingSystemId | Should -BeNullOrEmpty
        }

        It 'Should report no RuntimeId, or the zero GUID (assumed: a process-isolated container has no VM)' {
            $runtimeId = (Get-HcsSystem -Id $script:argon).RuntimeId
            ($runtimeId -in @($null, '', '00000000-0000-0000-0000-000000000000')) | Should -BeTrue -Because "RuntimeId was '$runtimeId'"
        }
    }

    Context 'When Docker runs a Hyper-V-isolated container' {
        BeforeAll {
            $script:xenon = Start-DockerPing -Isolation hyperv
            $script:xenonSystem = Get-HcsSystem -Id $script:xenon
            $script:xenonGuid = [string]$script:xenonSystem.RuntimeId
        }
        AfterAll { if ($script:xenon) { docker rm -f $script:xenon | Out-Null } }

        It 'Should be one v1 HvPartition Container, with no separate <id>@vm utility VM in HCS' {
            $script:xenonSystem.SystemType | Should -Be 'Container'
            $script:xenonSystem.Owner | Should -Be 'docker'
            $script:xenonSystem.HostingSystemId | Should -BeNullOrEmpty
            Get-HcsSystem -Id "$($script:xenon)@vm" | Should -BeNullOrEmpty
        }

        It 'Should report its VM GUID as RuntimeId (assumed: the HvPartition container reports the VM it runs in)' {
            $script:xenonGuid | Should -Match '^\{?[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\}?$'
            $script:xenonGuid | Should -Not -Be '00000000-0000-0000-0000-000000000000'
        }

        It 'Should have exactly one vmmem or vmmem.exe running as NT VIRTUAL MACHINE\<RuntimeId> (hcsshim internal/vm/vmutils/vmmem.go)' {
            $account = "NT VIRTUAL MACHINE\$($script:xenonGuid.Trim('{}').ToUpperInvariant())"
            $vmmem = @(Get-CimInstance -ClassName Win32_Process | Where-Object { $_.Name -in 'vmmem', 'vmmem.exe' } |
                Where-Object { ($_ | Get-ProcessOwner) -eq $account })
            $vmmem.Count | Should -Be 1 -Because "hcsshim ties a utility VM to the vmmem running as $account"
        }

        It 'Should run the System32 vmwp.exe that names the VM as NT VIRTUAL MACHINE\<RuntimeId> (assumed for the fallback rule)' {
            $guid = $script:xenonGuid.Trim('{}')
            $vmwp = @(Get-CimInstance -ClassName Win32_Process -Filter "Name = 'vmwp.exe'" | Where-Object { $_.CommandLine -match [regex]::Escape($guid) })
            $vmwp.Count | Should -Be 1
            $vmwp[0].ExecutablePath | Should -Match '^[A-Za-z]:\\Windows\\System32\\vmwp\.exe$'
            ($vmwp[0] | Get-ProcessOwner) | Should -Be "NT VIRTUAL MACHINE\$($guid.ToUpperInvariant())"
        }
    }

    Context 'When a process has a name outside the OEM code page' {
        BeforeAll {
            $script:copy = Join-Path ([IO.Path]::GetTempPath()) ("wc-{0}" -f [guid]::NewGuid())
            $null = New-Item -ItemType Directory -Path $script:copy
            $script:exe = Join-Path $script:copy 'пинг-容器.exe'
            Copy-Item -LiteralPath (Join-Path $env:SystemRoot 'System32\PING.EXE') -Destination $script:exe
            $script:pinger = Start-Process -FilePath $script:exe -ArgumentList '-t', 'localhost' -WindowStyle Hidden -PassThru
            Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force
        }
        AfterAll {
            if ($script:pinger) { Stop-Process -Id $script:pinger.Id -ErrorAction Ignore; $script:pinger.WaitForExit(10000) | Out-Null }
            Remove-Item -LiteralPath $script:copy -Recurse -Force -ErrorAction Ignore
        }

        It "Should come back from the core's Windows snapshot with its name intact (the script writes UTF-8)" {
            $row = InModuleScope WindowsContainers -Parameters @{ Id = $script:pinger.Id } {
                param($Id)
                (Invoke-CoreCommand -Command host.processes -Arguments @{ pids = @($Id) } -TimeoutSeconds 120).processes
            }
            @($row).Count | Should -Be 1
            $row[0].processName | Should -Be 'пинг-容器'
        }
    }
}
