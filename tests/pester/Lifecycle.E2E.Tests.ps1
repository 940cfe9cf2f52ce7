# End to end on the linux backend: start, restart, logs and exec of real
# process-isolated (runc) and Hyper-V-isolated (QEMU utility VM) containers,
# with a private state directory. A host reboot is simulated as the recovery
# tests do it: runc's state removed and the rootfs overlay unmounted.
BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $script:busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
    if (-not (Test-Path $busyboxTar)) { throw "The busybox rootfs tarball is missing ($busyboxTar). Run: bash build/setup.sh" }
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
    $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-life-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $state
    $env:WINDOWSCONTAINERS_STATE_DIR = $state
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    $null = Import-ContainerImage -Path $busyboxTar -Name busybox
    $script:runcPath = (Get-Command runc -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source

    function script:Wait-ContainerState([string] $Name, [string] $State, [int] $Seconds = 60) {
        $deadline = [datetime]::UtcNow.AddSeconds($Seconds)
        do {
            $c = Get-IsolatedContainer -Name $Name
            if ($c.State -eq $State) { return $c }
            Start-Sleep -Milliseconds 200
        } while ([datetime]::UtcNow -lt $deadline)
        $c
    }

    function script:Get-MountUnder([string] $Path) {
        @(Get-Content -LiteralPath /proc/self/mountinfo | Where-Object { ($_ -split ' ')[4].StartsWith($Path) })
    }
}

AfterAll {
    Get-ChildItem -Path (Join-Path $state 'containers') -Directory -ErrorAction Ignore | Where-Object Name -NotLike '.*' |
        ForEach-Object { Remove-IsolatedContainer -Name $_.Name -Force -Confirm:$false -ErrorAction Ignore -WarningAction Ignore }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $savedState
    Remove-Item -LiteralPath $state -Recurse -Force -ErrorAction Ignore
}

Describe 'Lifecycle of a process-isolated container (runc)' -Tag E2E {
    BeforeAll {
        $script:name = "life-proc-$PID"
        $script:created = [datetime]::UtcNow
        # Writes a line per start, one to stderr, then waits: its log shows every run.
        $null = New-IsolatedContainer -Name $name -Image busybox -Isolation Process -Command sh, -c, 'echo "run $(cat /count 2>/dev/null)"; echo $(( $(cat /count 2>/dev/null || echo 0) + 1 )) > /count; echo oops >&2; exec sleep 3600'
    }

    It 'Should run a command given as an argument array, with its output and exit code, and nothing interpreted by a shell' {
        $result = Invoke-ContainerCommand -Name $name -Command sh, -c, 'echo "$1"; echo err >&2; exit 7', '--', 'a b; $(reboot) `whoami`'
        $result.PSTypeNames[0] | Should -Be 'WindowsContainers.CommandResult'
        $result.ExitCode | Should -Be 7
        $result.Output | Should -Be "a b; `$(reboot) ``whoami```n"
        $result.ErrorOutput | Should -Be "err`n"
        $result.Truncated | Should -BeFalse
    }

    It 'Should run the command as the container user, in its namespaces (not the host)' {
        # PID 1 in its PID namespace is the container's main process (sh exec'd sleep), not the host's init.
        (Invoke-ContainerCommand -Name $name -Command cat, /proc/1/comm).Output | Should -Be "sleep`n"
        (Invoke-ContainerCommand -Name $name -Command id, -u -User 1234).Output.Trim() | Should -Be '1234'
    }

    It 'Should take -User by name, resolved in the container''s own /etc/passwd, and refuse a name it does not hold' {
        (Invoke-ContainerCommand -Name $name -Command id, -u -User nobody).Output.Trim() | Should -Be '65534'
        (Invoke-ContainerCommand -Name $name -Command id, -u -User 'nobody:root').Output.Trim() | Should -Be '65534'
        { Invoke-ContainerCommand -Name $name -Command true -User 'no-such-user' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidUser,Invoke-ContainerCommand'
    }

    It 'Should kill a command that runs past -TimeoutSeconds and leave no process of it' {
        $marker = "$(100 + $PID % 800)"
        { Invoke-ContainerCommand -Name $name -Command sleep, "$marker.5" -TimeoutSeconds 1 -ErrorAction Stop } | Should -Throw -ErrorId 'OperationTimeout,Invoke-ContainerCommand'
        Start-Sleep -Milliseconds 300
        @(Get-ChildItem /proc -Directory | Where-Object Name -Match '^\d+$' | Where-Object {
                try { [System.IO.File]::ReadAllText("/proc/$($_.Name)/cmdline").Replace([char]0, ' ') -like "sleep $marker.5*" } catch { $false }
            }) | Should -BeNullOrEmpty
    }

    It 'Should read the last lines of its output with -Tail, stdout and stderr together' {
        $lines = @(Get-ContainerLog -Name $name)
        $lines.Count | Should -Be 2
        $lines[0].PSTypeNames[0] | Should -Be 'WindowsContainers.LogLine'
        $lines[0].Text | Should -Be 'run '
        $lines[1].Text | Should -Be 'oops'
        @(Get-ContainerLog -Name $name -Tail 1).Text | Should -Be 'oops'
    }

    It 'Should keep a time per line and give only the lines since a time with -Since' {
        $lines = @(Get-ContainerLog -Name $name)
        $lines.Count | Should -BeGreaterOrEqual 2
        foreach ($line in $lines) {
            $line.Timestamp | Should -BeOfType [datetime]
            $line.Timestamp.ToUniversalTime() | Should -BeGreaterOrEqual $created.AddSeconds(-2)
            $line.Timestamp.ToUniversalTime() | Should -BeLessOrEqual ([datetime]::UtcNow.AddSeconds(2))
        }
        $lines[0].Text | Should -Be 'run ' -Because 'the time prefix is stripped, not shown'
        $since = @(Get-ContainerLog -Name $name -Since $lines[-1].Timestamp)
        $since.Count | Should -BeGreaterOrEqual 1
        $since.Count | Should -BeLessOrEqual $lines.Count
        $since[-1].Text | Should -Be $lines[-1].Text
        @(Get-ContainerLog -Name $name -Since ([datetime]::UtcNow.AddMinutes(5))) | Should -BeNullOrEmpty
    }

    It 'Should start it again after it was stopped, with the same command and its writable layer' {
        Stop-IsolatedContainer -Name $name -TimeoutSeconds 1
        (Get-IsolatedContainer -Name $name).State | Should -Be 'exited'
        { Invoke-ContainerCommand -Name $name -Command true -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotRunning,Invoke-ContainerCommand'
        $started = Start-IsolatedContainer -Name $name -PassThru
        $started.State | Should -Be 'running'
        $started.Isolation | Should -Be 'Process'
        $started.HostProcessId | Should -BeGreaterThan 0
        (Invoke-ContainerCommand -Name $name -Command cat, /count).Output.Trim() | Should -Be '2'
        Start-Sleep -Milliseconds 300
        @(Get-ContainerLog -Name $name).Text | Should -Contain 'run 1'
    }

    It 'Should start it again after a simulated host reboot (runc state gone, overlay unmounted)' {
        Stop-IsolatedContainer -Name $name -TimeoutSeconds 1
        & $runcPath --root (Join-Path $state 'runc') delete --force $name 2>$null
        $rootfs = Join-Path $state 'containers' $name 'rootfs'
        & umount $rootfs
        Get-MountUnder $rootfs | Should -BeNullOrEmpty
        (Start-IsolatedContainer -Name $name -PassThru).State | Should -Be 'running'
        Get-MountUnder $rootfs | Should -Not -BeNullOrEmpty
        (Invoke-ContainerCommand -Name $name -Command cat, /count).Output.Trim() | Should -Be '3'
    }

    It 'Should restart a running container and take it from the pipeline; -WhatIf changes nothing' {
        $before = Get-IsolatedContainer -Name $name
        Restart-IsolatedContainer -Name $name -WhatIf
        (Get-IsolatedContainer -Name $name).HostProcessId | Should -Be $before.HostProcessId
        $after = Get-IsolatedContainer -Name $name | Restart-IsolatedContainer -TimeoutSeconds 1 -PassThru
        $after.State | Should -Be 'running'
        $after.HostProcessId | Should -Not -Be $before.HostProcessId
        (Invoke-ContainerCommand -Name $name -Command cat, /count).Output.Trim() | Should -Be '4'
    }

    It 'Should follow the output until the container exits' {
        $short = "life-follow-$PID"
        $null = New-IsolatedContainer -Name $short -Image busybox -Isolation Process -Command sh, -c, 'for i in 1 2 3; do echo line$i; sleep 1; done'
        $job = [System.Diagnostics.Stopwatch]::StartNew()
        $lines = @(Get-ContainerLog -Name $short -Follow -FollowTimeoutSeconds 60)
        $job.Stop()
        $lines.Text | Should -Be @('line1', 'line2', 'line3')
        $job.Elapsed.TotalSeconds | Should -BeLessThan 60 -Because 'follow ends when the container exits, not at the timeout'
        Remove-IsolatedContainer -Name $short -Force -Confirm:$false
    }

    It 'Should read the logs of several containers by wildcard and say which one a line is from' {
        $lines = @(Get-ContainerLog -Name "life-proc-$PID*" -Tail 1)
        $lines.ContainerName | Should -Be @($name)
    }

    It 'Should leave no mount, runc state or cgroup after remove' {
        Remove-IsolatedContainer -Name $name -Force -Confirm:$false
        Get-MountUnder (Join-Path $state 'containers' $name) | Should -BeNullOrEmpty
        Test-Path (Join-Path $state 'runc' $name) | Should -BeFalse
    }
}

Describe 'Lifecycle of a Hyper-V-isolated container (QEMU utility VM)' -Tag E2E {
    BeforeAll {
        $script:vmName = "life-vm-$PID"
        $null = New-IsolatedContainer -Name $vmName -Image busybox -Isolation HyperV -Command sh, -c, 'echo vm-run-marker; exec sleep 3600'
    }

    It 'Should show the workload output kept from the serial console' {
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        do { $lines = @(Get-ContainerLog -Name $vmName); Start-Sleep -Milliseconds 300 } until ($lines.Text -contains 'vm-run-marker' -or [datetime]::UtcNow -gt $deadline)
        $lines.Text | Should -Contain 'vm-run-marker'
        $lines[0].Stream | Should -Be 'console'
        ($lines | Where-Object Text -EQ 'vm-run-marker').Timestamp | Should -BeOfType [datetime]
        @(Get-ContainerLog -Name $vmName -Since ([datetime]::UtcNow.AddMinutes(5))) | Should -BeNullOrEmpty
    }

    It 'Should run a command through the guest agent with its arguments taken literally, its output and exit code' {
        $result = Invoke-ContainerCommand -Name $vmName -Command sh, -c, 'echo "$1"; echo "[$2]"; echo err >&2; exit 7', '--', '$(reboot) `whoami`; a''b "c"', ' *  x '
        $result.PSTypeNames[0] | Should -Be 'WindowsContainers.CommandResult'
        $result.ExitCode | Should -Be 7
        $result.Output | Should -Be "`$(reboot) ``whoami``; a'b `"c`"`n[ *  x ]`n"
        $result.ErrorOutput | Should -Be "err`n"
        $result.Truncated | Should -BeFalse
        # Trailing newlines and non-ASCII come back byte for byte; the command runs in the guest (its own kernel).
        (Invoke-ContainerCommand -Name $vmName -Command printf, '%s\n\n', 'ü').Output | Should -Be "ü`n`n"
        # The guest's own init runs the agent: PID 1 there is not the host's.
        (Invoke-ContainerCommand -Name $vmName -Command cat, /proc/1/cmdline).Output | Should -Match '/init'
    }

    It 'Should run it as the given user, with the environment and working directory asked for' {
        (Invoke-ContainerCommand -Name $vmName -Command id, -u).Output | Should -Be "0`n"
        (Invoke-ContainerCommand -Name $vmName -Command sh, -c, 'echo $(id -u):$(id -g)' -User '1234:55').Output | Should -Be "1234:55`n"
        (Invoke-ContainerCommand -Name $vmName -Command sh, -c, 'echo "$WC_T|$PWD"' -Environment @{ WC_T = 'a b $(x)' } -WorkingDirectory /etc).Output | Should -Be "a b `$(x)|/etc`n"
        { Invoke-ContainerCommand -Name $vmName -Command true -User 'nobody' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,Invoke-ContainerCommand'
        (Invoke-ContainerCommand -Name $vmName -Command no-such-program).ExitCode | Should -Be 127
        # A long argument crosses the serial line whole (one request line of ~27 KB).
        (Invoke-ContainerCommand -Name $vmName -Command sh, -c, 'printf %s "$1" | wc -c', '--', ('x' * 20000)).Output.Trim() | Should -Be '20000'
        { Invoke-ContainerCommand -Name $vmName -Command echo, ('x' * 60000) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,Invoke-ContainerCommand'
    }

    It 'Should cut the output at the bound and say so' {
        $result = Invoke-ContainerCommand -Name $vmName -Command sh, -c, 'head -c 3000000 /dev/zero | tr "\0" x; echo done >&2' -WarningVariable cut -WarningAction SilentlyContinue
        $result.Output.Length | Should -Be (1024 * 1024)
        $result.Truncated | Should -BeTrue
        $result.ErrorOutput | Should -Be "done`n"
        $result.ExitCode | Should -Be 0 -Because 'the rest of the output is read and dropped, not cut off with SIGPIPE'
        "$cut" | Should -Match 'cut at'
    }

    It 'Should kill a command past -TimeoutSeconds and keep the agent answering' {
        { Invoke-ContainerCommand -Name $vmName -Command sleep, 1234 -TimeoutSeconds 1 -ErrorAction Stop } | Should -Throw -ErrorId 'OperationTimeout,Invoke-ContainerCommand'
        $processes = @(Get-ContainerProcess -Name $vmName)
        $processes.CommandLine | Should -Not -Contain 'sleep 1234'
        $processes.CommandLine | Should -Contain 'sleep 3600'
        (Invoke-ContainerCommand -Name $vmName -Command echo, ok).Output | Should -Be "ok`n"
    }

    It 'Should boot again after a stop, from the kept initramfs, as a new QEMU' {
        $vmJson = Join-Path $state 'containers' $vmName 'vm.json'
        $first = Get-Content -Raw $vmJson | ConvertFrom-Json
        Stop-IsolatedContainer -Name $vmName -TimeoutSeconds 5
        (Get-IsolatedContainer -Name $vmName).State | Should -Be 'exited'
        Get-Process -Id $first.pid -ErrorAction Ignore | Where-Object ProcessName -EQ $first.processName | Should -BeNullOrEmpty
        { Invoke-ContainerCommand -Name $vmName -Command true -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotRunning,Invoke-ContainerCommand'
        $started = Start-IsolatedContainer -Name $vmName -PassThru
        $started.State | Should -Be 'running'
        $started.Isolation | Should -Be 'HyperV'
        $second = Get-Content -Raw $vmJson | ConvertFrom-Json
        $second.pid | Should -Not -Be $first.pid
        (Test-ContainerIsolation -Name $vmName).ObservedIsolation | Should -Be 'HyperV'
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        do { $count = @((Get-ContainerLog -Name $vmName).Text | Where-Object { $_ -eq 'vm-run-marker' }).Count; Start-Sleep -Milliseconds 300 } until ($count -ge 2 -or [datetime]::UtcNow -gt $deadline)
        $count | Should -Be 2 -Because 'the console log keeps both runs'
    }

    It 'Should leave no QEMU process after remove' {
        $record = Get-Content -Raw (Join-Path $state 'containers' $vmName 'vm.json') | ConvertFrom-Json
        Remove-IsolatedContainer -Name $vmName -Force -Confirm:$false
        Start-Sleep -Milliseconds 500
        Get-Process -Id $record.pid -ErrorAction Ignore | Where-Object ProcessName -EQ $record.processName | Should -BeNullOrEmpty
    }
}
