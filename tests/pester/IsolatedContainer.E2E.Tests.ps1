# End-to-end tests of process isolation on real runc, through the cmdlets,
# the bridge and the core, against the real host process table. Every test
# works in a private state directory and proves that it left nothing behind:
# no runc state, no cgroup, no container directory, no process.
BeforeDiscovery {
    $script:canRun = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore)
}

BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $script:manifest = Join-Path $repo 'WindowsContainers.psd1'
    $script:busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
    if (-not (Test-Path $busyboxTar)) { throw "The busybox rootfs tarball is missing ($busyboxTar). Run: bash build/setup.sh" }
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
    $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-e2e-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $state
    $env:WINDOWSCONTAINERS_STATE_DIR = $state
    # -Force re-imports: the old core (with another state dir) stops, the next command starts one with ours.
    Import-Module $manifest -Force
    $null = Import-ContainerImage -Path $busyboxTar -Name busybox

    # The cgroup path of a container carries a hash of the state directory (see ts-core/src/backends/linux/state.ts).
    $hash = [System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes($state))
    $script:cgroupTag = ([System.Convert]::ToHexString($hash).ToLowerInvariant()).Substring(0, 10)

    $script:runcPath = (Get-Command runc -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source

    function script:Test-ProcessAlive([int] $Id) {
        # Exists and has not exited. Get-Process also shows zombies, which are dead processes
        # that only wait for the host's init (here not the module's child) to collect them.
        try {
            $stat = Get-Content -Raw -LiteralPath "/proc/$Id/stat" -ErrorAction Stop
            ($stat.Substring($stat.LastIndexOf(')') + 2)).Split(' ')[0] -ne 'Z'
        }
        catch { $false }
    }

    function script:Get-Leftover {
        # Everything a container of this state directory can leave on the host.
        $runcRoot = Join-Path $state 'runc'
        $runcIds = if (Test-Path $runcRoot) { @(& $runcPath --root $runcRoot list -q 2>$null | Where-Object { $_ }) } else { @() }
        $containerDirs = @(Get-ChildItem -Path (Join-Path $state 'containers') -Force -ErrorAction Ignore | ForEach-Object Name)
        $cgroups = @(Get-ChildItem -Path '/sys/fs/cgroup/*/windowscontainers' -Directory -ErrorAction Ignore |
                Where-Object Name -Like "$cgroupTag-*" | ForEach-Object FullName)
        # Live processes in one of our cgroups. A zombie (state Z) has already exited and
        # only waits for the host's init, which the module cannot make reap it, to collect it.
        $processes = @(Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$' | Where-Object {
                try {
                    $stat = Get-Content -Raw -LiteralPath "/proc/$($_.Name)/stat" -ErrorAction Stop
                    $state = ($stat.Substring($stat.LastIndexOf(')') + 2)).Split(' ')[0]
                    $state -ne 'Z' -and ((Get-Content -Raw -LiteralPath "/proc/$($_.Name)/cgroup" -ErrorAction Stop) -match "/windowscontainers/$cgroupTag-")
                }
                catch { $false }
            } | ForEach-Object { [int]$_.Name })
        # Mounts (a container's overlay rootfs) under the state directory, from the kernel's own table.
        $mounts = @(Get-Content -LiteralPath /proc/self/mountinfo | ForEach-Object { $_.Split(' ')[4] } |
                Where-Object { $_ -like "$($script:state)/*" })
        [pscustomobject]@{
            RuncIds       = $runcIds
            ContainerDirs = $containerDirs
            Cgroups       = $cgroups
            Processes     = $processes
            Mounts        = $mounts
            Total         = $runcIds.Count + $containerDirs.Count + $cgroups.Count + $processes.Count + $mounts.Count
        }
    }

    function script:Restart-Core {
        # The next command starts a fresh core that inherits the current environment.
        InModuleScope WindowsContainers { Stop-CoreServer }
    }
}

AfterAll {
    # Whatever a failed test left: remove every container directory by name (also damaged ones).
    Get-ChildItem -Path (Join-Path $state 'containers') -Directory -ErrorAction Ignore | Where-Object Name -NotLike '.*' |
        ForEach-Object { Remove-IsolatedContainer -Name $_.Name -Force -ErrorAction Ignore -WarningAction Ignore }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $savedState
    Remove-Item -LiteralPath $state -Recurse -Force -ErrorAction Ignore
}

Describe 'Process isolation on real runc' -Tag E2E -Skip:(-not $canRun) {
    Context 'When a busybox container pings its own loopback' {
        BeforeAll {
            $before = Get-Leftover
            $container = New-IsolatedContainer -Name 'e2e-ping' -Image busybox -Isolation Process -Command ping, 127.0.0.1
            $processes = @(Get-ContainerProcess -Name 'e2e-ping')
        }

        It 'Should start a running process-isolated container' {
            $container.PSTypeNames | Should -Contain 'WindowsContainers.Container'
            $container.Name | Should -Be 'e2e-ping'
            $container.Isolation | Should -Be 'Process'
            $container.State | Should -Be 'running'
            $container.HostProcessId | Should -BeGreaterThan 1
        }

        It 'Should list ping as PID 1 of the container, visible on the host' {
            $processes.Count | Should -Be 1
            $processes[0].PSTypeNames | Should -Contain 'WindowsContainers.ContainerProcess'
            $processes[0].ContainerProcessId | Should -Be 1
            $processes[0].ContainerProcessName | Should -Be 'ping'
            $processes[0].VisibleOnHost | Should -BeTrue
            $processes[0].HostProcessId | Should -Be $container.HostProcessId
            $processes[0].Id | Should -Be $processes[0].HostProcessId
        }

        It 'Should be found by the host''s own Get-Process with the same PID, name and start time' {
            $hostProcess = Get-Process -Id $processes[0].HostProcessId
            $hostProcess.Id | Should -Be $processes[0].HostProcessId
            $hostProcess.ProcessName | Should -Be 'ping'
            [math]::Abs(($hostProcess.StartTime - $processes[0].StartTime).TotalSeconds) | Should -BeLessThan 1
            $hostProcess.SessionId | Should -Be $processes[0].SI
        }

        It 'Should really ping (CAP_NET_RAW and loopback up in its own network namespace)' {
            $log = Join-Path $state 'containers' 'e2e-ping' 'container.log'
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while (-not ((Get-Content -Raw -LiteralPath $log -ErrorAction Ignore) -match '64 bytes from 127\.0\.0\.1') -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            Get-Content -Raw -LiteralPath $log | Should -Match '64 bytes from 127\.0\.0\.1'
        }

        It 'Should show Get-Process''s columns plus ContainerName by default' {
            $header = ($processes | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_ -match 'ProcessName' } | Select-Object -First 1
            $columns = @($header.Trim() -split '\s+')
            $columns | Should -Be @('NPM(K)', 'PM(M)', 'WS(M)', 'CPU(s)', 'Id', 'SI', 'ProcessName', 'ContainerName')
        }

        It 'Should be judged Process by Test-ContainerIsolation, and pass' {
            $result = Test-ContainerIsolation -Name 'e2e-ping'
            $result.PSTypeNames | Should -Contain 'WindowsContainers.IsolationTestResult'
            $result.ExpectedIsolation | Should -Be 'Process'
            $result.ObservedIsolation | Should -Be 'Process'
            $result.Passed | Should -BeTrue
            $result.Reason | Should -Match 'process isolation'
            $result.HostMatches[0].HostProcessId | Should -Be $container.HostProcessId
            $result.HostMatches[0].Outcome | Should -Be 'SameProcess'
            $result.WorkerProcess | Should -BeNullOrEmpty
            Test-ContainerIsolation -Name 'e2e-ping' -Quiet | Should -BeTrue
        }

        It 'Should fail an expectation of HyperV' {
            $result = $container | Test-ContainerIsolation -Isolation HyperV
            $result.ObservedIsolation | Should -Be 'Process'
            $result.Passed | Should -BeFalse
            Test-ContainerIsolation -Name 'e2e-ping' -Isolation HyperV -Quiet | Should -BeFalse
        }

        It 'Should refuse to remove it while it runs, without -Force' {
            { Remove-IsolatedContainer -Name 'e2e-ping' -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerRunning,Remove-IsolatedContainer'
            (Get-IsolatedContainer -Name 'e2e-ping').State | Should -Be 'running'
        }

        It 'Should refuse to remove the image its rootfs overlays, naming the container' {
            $caught = $null
            try { Remove-ContainerImage -Name busybox -ErrorAction Stop } catch { $caught = $_ }
            $caught.FullyQualifiedErrorId | Should -Be 'ImageInUse,Remove-ContainerImage'
            $caught.Exception.Message | Should -Match "in use by container 'e2e-ping'.*Remove-IsolatedContainer -Name e2e-ping -Force"
            (Get-ContainerImage -Name busybox).Name | Should -Be 'busybox'
            (Get-IsolatedContainer -Name 'e2e-ping').State | Should -Be 'running'
        }

        It 'Should leave nothing behind once removed with -Force' {
            (Get-Leftover).Total | Should -BeGreaterThan $before.Total
            (Get-Leftover).Mounts | Should -Be @("$state/containers/e2e-ping/rootfs")
            Remove-IsolatedContainer -Name 'e2e-ping' -Force
            $after = Get-Leftover
            $after.RuncIds | Should -BeNullOrEmpty
            $after.Cgroups | Should -BeNullOrEmpty
            $after.Processes | Should -BeNullOrEmpty
            $after.ContainerDirs | Should -BeNullOrEmpty
            $after.Mounts | Should -BeNullOrEmpty
            Test-ProcessAlive $container.HostProcessId | Should -BeFalse
            Get-IsolatedContainer -Name 'e2e-ping' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }

    Context 'When Get-ContainerProcess and Test-ContainerIsolation look at one container, a process of it in a nested PID namespace included' {
        BeforeAll {
            $before = Get-Leftover
            $container = New-IsolatedContainer -Name 'e2e-samepid' -Image busybox -Isolation Process -Command sh, -c, 'sleep 3600 & sleep 3601 & wait'
            # A process in a PID namespace nested inside the container's, made from the host with the host's own
            # tools (so nothing depends on what the container's sandbox allows): it joins the container's cgroups
            # (which is how the container's process list finds it), nsenter enters the container's PID namespace,
            # and unshare makes a new one below it, in which sleep is PID 1.
            $procs = foreach ($line in Get-Content -LiteralPath "/proc/$($container.HostProcessId)/cgroup") {
                $id, $controllers, $cgroupPath = $line -split ':', 3
                $mount = if ($controllers -eq '') { '/sys/fs/cgroup' } else { "/sys/fs/cgroup/$($controllers -replace '^name=', '')" }
                $file = "$mount$cgroupPath/cgroup.procs"
                if (Test-Path -LiteralPath $file) { $file }
            }
            $start = [System.Diagnostics.ProcessStartInfo]::new('sh')
            foreach ($argument in @('-c', 'for f in "$@"; do echo $$ > "$f"; done; exec nsenter -t "$0" -p unshare --pid --fork --mount-proc sleep 3602',
                    [string]$container.HostProcessId) + @($procs)) { $start.ArgumentList.Add($argument) }
            $start.RedirectStandardError = $true
            $script:nsenter = [System.Diagnostics.Process]::Start($start)
            # Wait until the nested sleep runs: nsenter -> unshare -> sleep, each the child of the one before.
            function script:Get-ChildPid([int] $Parent) {
                foreach ($dir in Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$') {
                    try {
                        $stat = Get-Content -Raw -LiteralPath "/proc/$($dir.Name)/stat" -ErrorAction Stop
                        if ([int]($stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')[1]) -eq $Parent) { [int]$dir.Name }
                    }
                    catch { Write-Verbose "PID $($dir.Name) exited while reading" }
                }
            }
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            $script:nestedSleep = $null
            while ($null -eq $nestedSleep -and [datetime]::UtcNow -lt $deadline -and -not $nsenter.HasExited) {
                $unshare = @(Get-ChildPid $nsenter.Id) | Select-Object -First 1
                if ($unshare) { $script:nestedSleep = @(Get-ChildPid $unshare) | Where-Object { (Get-Content -Raw "/proc/$_/comm" -ErrorAction Ignore) -match '^sleep' } | Select-Object -First 1 }
                if ($null -eq $nestedSleep) { Start-Sleep -Milliseconds 100 }
            }
            if ($null -eq $nestedSleep) { throw "The nested PID namespace did not come up: $(if ($nsenter.HasExited) { $nsenter.StandardError.ReadToEnd() })" }
            $script:listed = @(Get-ContainerProcess -Name 'e2e-samepid')
            $script:judged = Test-ContainerIsolation -Name 'e2e-samepid'
        }
        AfterAll {
            if ($script:nsenter -and -not $script:nsenter.HasExited) { $script:nsenter.Kill($true) }
            Remove-IsolatedContainer -Name 'e2e-samepid' -Force -ErrorAction Ignore
        }

        It 'Should have a process whose host NSpid chain is three deep, the innermost being PID 1' {
            $nspid = ((Get-Content "/proc/$nestedSleep/status") -match '^NSpid:')[0] -split '\s+' | Select-Object -Skip 1
            $nspid.Count | Should -Be 3
            $nspid[0] | Should -Be $nestedSleep
            $nspid[-1] | Should -Be 1
        }

        It 'Should report the same host PID in both commands for every process' {
            $fromList = @($listed | ForEach-Object { '{0}:{1}:{2}' -f $_.ContainerProcessName, $_.ContainerProcessId, $_.HostProcessId } | Sort-Object)
            $fromTest = @($judged.ContainerProcesses | ForEach-Object { '{0}:{1}:{2}' -f $_.ContainerProcessName, $_.ContainerProcessId, $_.HostProcessId } | Sort-Object)
            $fromList.Count | Should -BeGreaterOrEqual 5 -Because 'sh, two sleeps, unshare and the nested sleep (and nsenter) are in the container'
            $fromTest | Should -Be $fromList
            @($listed | Where-Object { -not $_.VisibleOnHost }) | Should -BeNullOrEmpty
        }

        It 'Should give the nested process its real host PID, the one the verdict matched' {
            $nested = @($listed | Where-Object HostProcessId -EQ $nestedSleep)
            $nested.Count | Should -Be 1
            $nested[0].ContainerProcessName | Should -Be 'sleep'
            $match = @($judged.HostMatches | Where-Object HostProcessId -EQ $nestedSleep)
            $match.Count | Should -Be 1
            $match[0].Matched | Should -BeTrue
            $match[0].Outcome | Should -Be 'SameProcess'
            $judged.ObservedIsolation | Should -Be 'Process'
        }

        It 'Should leave nothing behind once removed with -Force, the nested processes included' {
            Remove-IsolatedContainer -Name 'e2e-samepid' -Force
            $nsenter.WaitForExit(10000) | Should -BeTrue
            Test-ProcessAlive $nestedSleep | Should -BeFalse
            $after = Get-Leftover
            $after.Total | Should -Be $before.Total
        }
    }

    Context 'When a container process object is piped to Stop-Process' {
        BeforeAll {
            $before = Get-Leftover
            $null = New-IsolatedContainer -Name 'e2e-stopproc' -Image busybox -Command sleep, 3600
            $inside = @(Get-ContainerProcess -Name 'e2e-stopproc')[0]
            # A host process with the same name as the container's: a decoy that must survive.
            $decoy = Start-Process -FilePath sleep -ArgumentList 3600 -PassThru
        }

        AfterAll {
            if ($decoy -and -not $decoy.HasExited) { $decoy.Kill() }
            Remove-IsolatedContainer -Name 'e2e-stopproc' -Force -ErrorAction Ignore
        }

        It 'Should be the host''s own Process (bound by value, ahead of any property name), Id the host PID' {
            # Stop-Process, Get-Process and Wait-Process bind a Process to -InputObject by value
            # before they try -Id or -Name by property name: that very process, nothing else.
            $inside | Should -BeOfType [System.Diagnostics.Process]
            $inside.Id | Should -Be $inside.HostProcessId
            $inside.Id | Should -Not -Be $inside.ContainerProcessId
            @($inside | Get-Process).Id | Should -Be @($inside.HostProcessId)
        }

        It 'Should make Stop-Process -WhatIf target that very host PID, not the container PID' {
            [string[]]$pwshArgs = @(if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
            $script = "[pscustomobject]@{ Id = $($inside.Id); ContainerProcessId = $($inside.ContainerProcessId); ContainerProcessName = 'sleep' } | Stop-Process -WhatIf"
            $output = (& ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command $script) -join "`n"
            $output | Should -Match "sleep \($($inside.HostProcessId)\)"
            $output | Should -Not -Match '\(1\)'
            Get-Process -Id $inside.HostProcessId | Should -Not -BeNullOrEmpty
        }

        It 'Should never bind a container-local PID or a bare name when the host cannot see the process' {
            # What a VM-isolated container reports: the same name as the decoy, no host PID, and a
            # container PID that happens to equal the decoy's host PID (the worst case).
            $invisible = InModuleScope WindowsContainers -Parameters @{ Pid = $decoy.Id } {
                New-ContainerProcessObject -Record ([pscustomobject]@{
                        containerName = 'vm'; containerPid = $Pid; name = 'sleep'; hostPid = $null; visibleOnHost = $false; claimedHostPid = $null
                        sessionId = $null; cpuSeconds = $null; workingSetBytes = $null; pagedBytes = $null; nonPagedBytes = $null; privateBytes = $null
                        startTime = $null; commandLine = 'sleep 3600'
                    })
            }
            $invisible.VisibleOnHost | Should -BeFalse
            $invisible.HostProcessId | Should -BeNullOrEmpty
            { $invisible | Stop-Process -ErrorAction Stop } | Should -Throw
            Start-Sleep -Milliseconds 300
            $decoy.HasExited | Should -BeFalse
            @(Get-Process -Name sleep | Where-Object Id -EQ $decoy.Id).Count | Should -Be 1
        }

        It 'Should stop exactly the container''s process and leave the host''s same-named decoy running' {
            $inside | Stop-Process -Force
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while ((Get-IsolatedContainer -Name 'e2e-stopproc').State -ne 'exited' -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            (Get-IsolatedContainer -Name 'e2e-stopproc').State | Should -Be 'exited'
            $decoy.HasExited | Should -BeFalse
        }

        It 'Should leave nothing once removed' {
            Remove-IsolatedContainer -Name 'e2e-stopproc'
            (Get-Leftover).Total | Should -Be $before.Total
        }
    }

    Context 'When the input is bad' {
        BeforeAll {
            $before = Get-Leftover
        }

        It 'Should refuse the name <Name> with InvalidContainerName and create nothing' -ForEach @(
            @{ Name = 'web;reboot' }
            @{ Name = 'a/b' }
            @{ Name = "two`nlines" }
            @{ Name = '$(id)' }
            @{ Name = 'x' * 64 }
            @{ Name = '../escape' }
        ) {
            { New-IsolatedContainer -Name $Name -Image busybox -Command true -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidContainerName,New-IsolatedContainer'
            (Get-Leftover).Total | Should -Be $before.Total
        }

        It 'Should name the bad value and the rule in the message' {
            $err = { New-IsolatedContainer -Name 'web;reboot' -Image busybox -Command true -ErrorAction Stop } | Should -Throw -PassThru
            $err.Exception.Message | Should -Match '"web;reboot"'
            $err.Exception.Message | Should -Match 'letters, digits'
        }

        It 'Should refuse an unknown image with ImageNotFound, naming the known ones' {
            $err = { New-IsolatedContainer -Name 'e2e-noimage' -Image 'nosuchimage' -Command true -ErrorAction Stop } | Should -Throw -ErrorId 'ImageNotFound,New-IsolatedContainer' -PassThru
            $err.Exception.Message | Should -Match 'busybox'
            (Get-Leftover).Total | Should -Be $before.Total
        }

        It 'Should refuse an -Isolation outside the set before anything runs' {
            { New-IsolatedContainer -Name 'e2e-iso' -Image busybox -Isolation Hypervisor -Command true } | Should -Throw -ErrorId 'ParameterArgumentValidationError,New-IsolatedContainer'
            (Get-Leftover).Total | Should -Be $before.Total
        }

        It 'Should refuse a duplicate name and leave the first container untouched' {
            $first = New-IsolatedContainer -Name 'e2e-dup' -Image busybox -Command sleep, 600
            { New-IsolatedContainer -Name 'e2e-dup' -Image busybox -Command sleep, 600 -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerAlreadyExists,New-IsolatedContainer'
            $again = Get-IsolatedContainer -Name 'e2e-dup'
            $again.State | Should -Be 'running'
            $again.HostProcessId | Should -Be $first.HostProcessId
            Remove-IsolatedContainer -Name 'e2e-dup' -Force
            (Get-Leftover).Total | Should -Be $before.Total
        }

        It 'Should create and remove nothing with -WhatIf' {
            New-IsolatedContainer -Name 'e2e-whatif' -Image busybox -Command sleep, 600 -WhatIf
            Get-IsolatedContainer -Name 'e2e-whatif' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $null = New-IsolatedContainer -Name 'e2e-whatif' -Image busybox -Command sleep, 600
            Remove-IsolatedContainer -Name 'e2e-whatif' -Force -WhatIf
            (Get-IsolatedContainer -Name 'e2e-whatif').State | Should -Be 'running'
            Remove-IsolatedContainer -Name 'e2e-whatif' -Force
            (Get-Leftover).Total | Should -Be $before.Total
        }

        It 'Should say ContainerNotFound for a name no backend holds' {
            { Get-ContainerProcess -Name 'e2e-nobody' -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotFound,Get-ContainerProcess'
            { Get-IsolatedContainer -Name 'e2e-nobody' -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotFound,Get-IsolatedContainer'
            { Remove-IsolatedContainer -Name 'e2e-nobody' -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotFound,Remove-IsolatedContainer'
        }
    }

    Context 'When something fails or breaks' {
        BeforeAll {
            $before = Get-Leftover
        }

        It 'Should roll back a creation that fails half-way (a command that does not exist)' {
            $err = { New-IsolatedContainer -Name 'e2e-badcmd' -Image busybox -Command '/no/such/binary' -ErrorAction Stop } | Should -Throw -ErrorId 'RuntimeFailed,New-IsolatedContainer' -PassThru
            $err.Exception.Message | Should -Match '/no/such/binary'
            $after = Get-Leftover
            $after.RuncIds | Should -BeNullOrEmpty
            $after.Cgroups | Should -BeNullOrEmpty
            $after.ContainerDirs | Should -BeNullOrEmpty
            $after.Processes | Should -BeNullOrEmpty
            # The name is free again.
            $null = New-IsolatedContainer -Name 'e2e-badcmd' -Image busybox -Command sleep, 60
            Remove-IsolatedContainer -Name 'e2e-badcmd' -Force
        }

        It 'Should show a container whose main process was killed from outside as exited, and remove it' {
            $c = New-IsolatedContainer -Name 'e2e-killed' -Image busybox -Command sleep, 600
            Stop-Process -Id $c.HostProcessId -Force
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while ((Get-IsolatedContainer -Name 'e2e-killed').State -ne 'exited' -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $after = Get-IsolatedContainer -Name 'e2e-killed'
            $after.State | Should -Be 'exited'
            $after.HostProcessId | Should -BeNullOrEmpty
            Test-ContainerIsolation -Name 'e2e-killed' | ForEach-Object ObservedIsolation | Should -Be 'Inconclusive'
            Remove-IsolatedContainer -Name 'e2e-killed'
            (Get-Leftover).Total | Should -Be $before.Total
        }

        It 'Should stop a container that ignores SIGTERM by killing it after the timeout' {
            $null = New-IsolatedContainer -Name 'e2e-stop' -Image busybox -Command sleep, 600
            $stopped = Stop-IsolatedContainer -Name 'e2e-stop' -TimeoutSeconds 1 -PassThru
            $stopped.State | Should -Be 'exited'
            $stopped.ExitCode | Should -Be 137
            Remove-IsolatedContainer -Name 'e2e-stop'
            (Get-Leftover).Total | Should -Be $before.Total
        }

        It 'Should report truncated metadata clearly, and clean up with Remove -Force' {
            $c = New-IsolatedContainer -Name 'e2e-corrupt' -Image busybox -Command sleep, 600
            $metadata = Join-Path $state 'containers' 'e2e-corrupt' 'container.json'
            $text = Get-Content -Raw -LiteralPath $metadata
            Set-Content -LiteralPath $metadata -Value $text.Substring(0, 50) -NoNewline

            $err = { Get-IsolatedContainer -Name 'e2e-corrupt' -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerStateCorrupt,Get-IsolatedContainer' -PassThru
            $err.Exception.Message | Should -Match ([regex]::Escape($metadata))
            { Remove-IsolatedContainer -Name 'e2e-corrupt' -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerStateCorrupt,Remove-IsolatedContainer'
            Test-ProcessAlive $c.HostProcessId | Should -BeTrue

            Remove-IsolatedContainer -Name 'e2e-corrupt' -Force -WarningAction SilentlyContinue
            Test-ProcessAlive $c.HostProcessId | Should -BeFalse
            $after = Get-Leftover
            $after.RuncIds | Should -BeNullOrEmpty
            $after.Cgroups | Should -BeNullOrEmpty
            $after.ContainerDirs | Should -BeNullOrEmpty
            $after.Processes | Should -BeNullOrEmpty
        }
    }

    Context 'When the host lacks what the backend needs' {
        AfterEach {
            $env:PATH = $savedPath
            $env:WINDOWSCONTAINERS_NODE = $savedNode
            Restart-Core
        }

        BeforeAll {
            $savedPath = $env:PATH
            $savedNode = $env:WINDOWSCONTAINERS_NODE
            $before = Get-Leftover
        }

        It 'Should name the apt package when runc is not installed' {
            $env:WINDOWSCONTAINERS_NODE = (Get-Command node -CommandType Application | Select-Object -First 1).Source
            $env:PATH = Join-Path $state 'empty-path'
            Restart-Core
            $err = { New-IsolatedContainer -Name 'e2e-norunc' -Image busybox -Command true -Backend linux -ErrorAction Stop } | Should -Throw -ErrorId 'DependencyMissing,New-IsolatedContainer' -PassThru
            $err.Exception.Message | Should -Match 'apt-get install runc'
            (Get-ContainerHost).Backends | Where-Object Name -EQ linux | ForEach-Object Reason | Should -Match 'apt-get install runc'
            (Get-Leftover).Total | Should -Be $before.Total
        }

        It 'Should say it needs root when the core does not run as root' {
            $bundle = Join-Path $repo 'dist' 'windowscontainers-core.cjs'
            $json = '{"name":"e2e-notroot","image":"busybox","command":["true"],"backend":"linux"}'
            $output = setpriv --reuid=65534 --regid=65534 --clear-groups (Get-Command node -CommandType Application | Select-Object -First 1).Source $bundle container.create --json $json 2>$null
            $response = ($output -join "`n") | ConvertFrom-Json
            $response.success | Should -BeFalse
            $response.error.code | Should -Be 'NotRoot'
            $response.error.message | Should -Match 'root'
            (Get-Leftover).Total | Should -Be $before.Total
        }
    }

    Context 'When ten containers are created in parallel, each runspace with its own core' {
        BeforeAll {
            $before = Get-Leftover
            # Each runspace first starts its own core (node start-up on this shared 2-core machine
            # can take seconds), then all of them create at the same moment.
            $startAt = [datetime]::UtcNow.AddSeconds(30)
            $results = 1..10 | ForEach-Object -ThrottleLimit 10 -Parallel {
                Import-Module $using:manifest
                foreach ($attempt in 1..3) {
                    try { $null = & (Get-Module WindowsContainers) { Invoke-CoreCommand -Command core.ping -TimeoutSeconds 60 }; break } catch { Start-Sleep -Seconds 1 }
                }
                $wait = ($using:startAt - [datetime]::UtcNow).TotalMilliseconds
                if ($wait -gt 0) { Start-Sleep -Milliseconds $wait }
                try {
                    $c = New-IsolatedContainer -Name "e2e-par-$_" -Image busybox -Command sleep, 600 -ErrorAction Stop
                    [pscustomobject]@{ Name = $c.Name; State = $c.State; Error = $null; Message = $null }
                }
                catch {
                    [pscustomobject]@{ Name = "e2e-par-$_"; State = $null; Error = $_.FullyQualifiedErrorId; Message = $_.Exception.Message }
                }
            }
            # And five runspaces racing for one name: exactly one may win.
            $race = 1..5 | ForEach-Object -ThrottleLimit 5 -Parallel {
                Import-Module $using:manifest
                try { $null = New-IsolatedContainer -Name 'e2e-race' -Image busybox -Command sleep, 600 -ErrorAction Stop; 'won' }
                catch { $_.FullyQualifiedErrorId }
            }
        }

        AfterAll {
            Get-IsolatedContainer -Name 'e2e-par-*', 'e2e-race' -ErrorAction Ignore | Remove-IsolatedContainer -Force -ErrorAction Ignore
        }

        It 'Should create all ten with distinct names, or fail cleanly' {
            $results.Count | Should -Be 10
            $succeeded = @($results | Where-Object { -not $_.Error })
            $failed = @($results | Where-Object { $_.Error })
            ($succeeded.Name | Sort-Object -Unique).Count | Should -Be $succeeded.Count
            $succeeded.Count | Should -Be 10 -Because "errors: $(($failed | ForEach-Object { "$($_.Error): $($_.Message)" }) -join '; ')"
            $listed = @(Get-IsolatedContainer -Name 'e2e-par-*' -ErrorVariable listErrors)
            $listErrors | Should -BeNullOrEmpty
            @($listed | Where-Object State -EQ 'running').Name | Sort-Object | Should -Be @($succeeded.Name | Sort-Object)
            foreach ($f in $failed) { Join-Path $state 'containers' $f.Name | Should -Not -Exist }
        }

        It 'Should let exactly one of five racing creates of one name win' {
            @($race | Where-Object { $_ -eq 'won' }).Count | Should -Be 1
            @($race | Where-Object { $_ -like 'ContainerAlreadyExists*' }).Count | Should -Be 4
        }

        It 'Should test all of them against one host snapshot' {
            $containers = @(Get-IsolatedContainer -Name 'e2e-par-*')
            $tests = @($containers | Test-ContainerIsolation)
            $tests.Count | Should -Be $containers.Count
            @($tests | Where-Object Passed).Count | Should -Be $containers.Count
            @($tests.SnapshotTakenAt | Sort-Object -Unique).Count | Should -Be 1
        }

        It 'Should leave nothing once they are removed' {
            Get-IsolatedContainer -Name 'e2e-par-*', 'e2e-race' | Remove-IsolatedContainer -Force
            (Get-Leftover).Total | Should -Be $before.Total
        }
    }
}
