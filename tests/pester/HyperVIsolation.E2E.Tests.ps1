# End to end on real QEMU (TCG here): the Hyper-V-class half of the
# experiment. Every boot costs seconds of CPU on a shared machine, so one
# container carries the happy path and the faults that need a running VM.
BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $script:stateDir = Join-Path ([System.IO.Path]::GetTempPath()) ("wc-hv-e2e-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
    $script:previousState = $env:WINDOWSCONTAINERS_STATE_DIR
    $env:WINDOWSCONTAINERS_STATE_DIR = $script:stateDir
    Import-Module (Join-Path $script:repo 'WindowsContainers.psd1') -Force
    $tarball = Join-Path $script:repo '.tools' 'images' 'busybox-rootfs.tar'
    InModuleScope WindowsContainers -Parameters @{ Tarball = $tarball } {
        param($Tarball)
        $null = Invoke-CoreCommand -Command image.import -Arguments @{ path = $Tarball; name = 'busybox' } -TimeoutSeconds 300
    }
    $script:suffix = [string]$PID
    $script:decoys = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()

    # The host's view, read straight from /proc (what Get-Process shows, plus the command line).
    function Get-HostProcessByCommandLine([string] $Pattern) {
        foreach ($dir in Get-ChildItem -Path /proc -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$') {
            try {
                $cmdline = [System.IO.File]::ReadAllText("/proc/$($dir.Name)/cmdline").Replace([char]0, ' ').Trim()
                $stat = [System.IO.File]::ReadAllText("/proc/$($dir.Name)/stat")
            } catch { continue }
            if ($stat.Substring($stat.LastIndexOf(')') + 2, 1) -eq 'Z') { continue }
            if ($cmdline -like $Pattern) { [pscustomobject]@{ Id = [int]$dir.Name; CommandLine = $cmdline } }
        }
    }

    # The worker as Get-Process shows it, until it is gone. A QEMU whose launching core has exited is
    # reaped by PID 1 a moment after it exits; until then the host lists it as a zombie.
    function Get-WorkerAfterExit([int] $Id, [string] $Name) {
        $deadline = [datetime]::UtcNow.AddSeconds(5)
        do {
            $left = Get-Process -Id $Id -ErrorAction Ignore | Where-Object ProcessName -EQ $Name
            if (-not $left) { return }
            Start-Sleep -Milliseconds 100
        } while ([datetime]::UtcNow -lt $deadline)
        $left
    }

    # A host process that looks like a VM worker: a copy of bash under the given file name,
    # its command line carrying whatever the caller wants a careless check to see.
    function Start-Decoy([string] $FileName, [string[]] $Arguments) {
        $copy = Join-Path $script:stateDir $FileName
        Copy-Item -LiteralPath (Get-Command bash -CommandType Application | Select-Object -First 1).Source -Destination $copy -Force
        $process = Start-Process -FilePath $copy -ArgumentList (@('-c', '"sleep 300; :"') + $Arguments) -PassThru
        $script:decoys.Add($process)
        Start-Sleep -Milliseconds 300
        $process
    }
}

AfterAll {
    foreach ($decoy in $script:decoys) { if (-not $decoy.HasExited) { $decoy.Kill($true) } }
    Get-IsolatedContainer -ErrorAction Ignore | Remove-IsolatedContainer -Force -Confirm:$false -ErrorAction Continue
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $script:previousState
    Remove-Item -LiteralPath $script:stateDir -Recurse -Force -ErrorAction Ignore
}

Describe 'Hyper-V-class isolation on the linux backend (QEMU utility VM)' -Tag E2E {
    Context 'When a HyperV container runs ping' {
        BeforeAll {
            $script:name = "hv-ping-$script:suffix"
            # An unusual packet size marks this ping among others on a shared host.
            $script:size = [string](100 + $PID % 800)
            # Created by another PowerShell process that then exits, taking its core with it:
            # everything below also proves that the VM outlives the session that made it.
            $manifest = Join-Path $script:repo 'WindowsContainers.psd1'
            $create = "Import-Module '$manifest'; New-IsolatedContainer -Name '$($script:name)' -Image busybox -Isolation HyperV -Command ping, '-s', '$($script:size)', '127.0.0.1' | ConvertTo-Json -Depth 4"
            # This very PowerShell: pwsh itself, or `dotnet pwsh.dll` when it runs as a .NET tool.
            $host_ = [Environment]::ProcessPath
            $pwsh = if ([System.IO.Path]::GetFileNameWithoutExtension($host_) -eq 'dotnet') { @($host_, [Environment]::GetCommandLineArgs()[0]) } else { @($host_) }
            $script:creatorOutput = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $create
            if ($LASTEXITCODE) { throw "The creating PowerShell failed (exit $LASTEXITCODE): $script:creatorOutput" }
            $script:container = ($script:creatorOutput -join "`n") | ConvertFrom-Json
            $script:processes = @(Get-ContainerProcess -Name $script:name)
            $script:result = Test-ContainerIsolation -Name $script:name
            $script:vm = Get-Content -Raw -LiteralPath (Join-Path $script:stateDir 'containers' $script:name 'vm.json') | ConvertFrom-Json
        }

        It 'Should create a running HyperV container backed by a utility VM' {
            $script:container.Isolation | Should -Be 'HyperV'
            (Get-IsolatedContainer -Name $script:name).State | Should -Be 'running'
            # The utility VM's id is QEMU's -uuid, on the worker's command line as the VM GUID is on vmwp's.
            $script:container.UtilityVmId | Should -Be $script:vm.vmId
            (Get-Process -Id $script:vm.pid).CommandLine | Should -BeLike "* -uuid $($script:vm.vmId) *"
            $script:container.HostProcessId | Should -BeNullOrEmpty
        }

        It 'Should keep running after the PowerShell session and core that created it have exited' {
            # QEMU was started detached: its parent now is not a core process.
            $parent = (Get-Process -Id $script:vm.pid).Parent
            if ($null -ne $parent) { $parent.CommandLine | Should -Not -BeLike '*windowscontainers-core.cjs*' }
            (Get-IsolatedContainer -Name $script:name).State | Should -Be 'running'
        }

        It 'Should list ping inside the container, with no host process behind it' {
            $ping = $script:processes | Where-Object ContainerProcessName -EQ 'ping'
            $ping | Should -Not -BeNullOrEmpty
            $ping.HostProcessId | Should -BeNullOrEmpty
            $ping.VisibleOnHost | Should -BeFalse
            $ping.ContainerProcessId | Should -BeGreaterThan 1
        }

        It "Should leave the host's process table without any ping from it" {
            @(Get-Process -Name ping -ErrorAction Ignore | Where-Object { $_.CommandLine -like "*-s $($script:size) 127.0.0.1*" }) | Should -HaveCount 0
            @(Get-HostProcessByCommandLine "ping -s $($script:size) 127.0.0.1") | Should -HaveCount 0
        }

        It 'Should find its worker: the QEMU process named for the container, the container id in its command line' {
            $worker = Get-Process -Id $script:vm.pid
            $worker.ProcessName | Should -Be $script:vm.processName
            $worker.CommandLine | Should -BeLike "*-name guest=$($script:name),process=*"
            $script:result.WorkerProcess.Id | Should -Be $script:vm.pid
            $script:result.WorkerProcess.WorkerName | Should -Be $script:vm.processName
            $script:result.WorkerProcess.Alive | Should -BeTrue
            $script:result.WorkerProcess.Tied | Should -BeTrue
            # Get-Process-consistent: the same name, start time and memory Get-Process shows for that PID.
            $script:result.WorkerProcess.ProcessName | Should -Be $worker.ProcessName
            # .NET derives boot time from /proc/uptime, the core from /proc/stat btime: allow for the rounding between them.
            [math]::Abs(($script:result.WorkerProcess.StartTime - $worker.StartTime).TotalMilliseconds) | Should -BeLessOrEqual 1000
            $script:result.WorkerProcess.WS | Should -BeGreaterThan 10MB
            $script:result.WorkerProcess.CommandLine | Should -Be $worker.CommandLine
        }

        It 'Should pass Test-ContainerIsolation as HyperV' {
            $script:result.ObservedIsolation | Should -Be 'HyperV'
            $script:result.ExpectedIsolation | Should -Be 'HyperV'
            $script:result.Passed | Should -BeTrue
            @($script:result.HostMatches | Where-Object Matched) | Should -HaveCount 0
            ($script:result.HostMatches | Where-Object ContainerProcessName -EQ 'ping').Outcome | Should -Be 'NotOnHost'
            $script:result.DecidedBy | Should -Be 'worker'
            # The container's side came from the guest agent (the guest kernel's /proc), not from the host.
            $script:result.ContainerView.Source | Should -Be 'guest-agent'
            $script:result.ContainerView.Independent | Should -BeTrue
            Test-ContainerIsolation -Name $script:name -Quiet | Should -BeTrue
        }

        It 'Should not take a decoy carrying the VM''s -name and -uuid for the worker when the record points at it, while the real VM answers' {
            # The decoy: same process name as the worker, the same -name and -uuid on its command line; only PID and start time differ.
            $decoy = Start-Decoy $script:vm.processName @('-name', "guest=$($script:name),process=$($script:vm.processName)", '-uuid', $script:vm.vmId)
            $recordFile = Join-Path $script:stateDir 'containers' $script:name 'vm.json'
            $original = Get-Content -Raw -LiteralPath $recordFile
            try {
                $record = $original | ConvertFrom-Json
                # Pointed at the decoy's PID only: the recorded start time no longer matches.
                $record.pid = $decoy.Id
                Set-Content -LiteralPath $recordFile -Value ($record | ConvertTo-Json -Depth 8) -NoNewline
                $pidOnly = Test-ContainerIsolation -Name $script:name
                $pidOnly.ObservedIsolation | Should -Not -Be 'HyperV'
                # Forged whole: the decoy's PID AND start time, so name, start time and VM id all agree with the record.
                # (The start time as the core measures it: the same clock the record was written with.)
                $core = InModuleScope WindowsContainers -Parameters @{ Id = $decoy.Id } { param($Id) Invoke-CoreCommand -Command host.processes -Arguments @{ pids = @($Id) } -TimeoutSeconds 60 }
                $seen = @($core.processes | Where-Object { [int]$_.id -eq $decoy.Id })
                $seen | Should -HaveCount 1
                $record.startTimeMs = ([datetimeoffset]$seen[0].startTime).ToUnixTimeMilliseconds()
                Set-Content -LiteralPath $recordFile -Value ($record | ConvertTo-Json -Depth 8) -NoNewline
                $result = Test-ContainerIsolation -Name $script:name
                # The guest still answers: ping is listed, nowhere on the host ...
                ($result.HostMatches | Where-Object ContainerProcessName -EQ 'ping').Outcome | Should -Be 'NotOnHost'
                # ... but the recorded worker does not hold the socket the guest answered through: the worker rule decides.
                $result.ObservedIsolation | Should -Be 'Inconclusive'
                $result.DecidedBy | Should -Be 'worker-identity'
                $result.WorkerProcess.ClaimedPid | Should -Be $decoy.Id
                $result.WorkerProcess.Reason | Should -Match 'does not hold the listening end'
                $result.Passed | Should -BeFalse
            }
            finally {
                Set-Content -LiteralPath $recordFile -Value $original -NoNewline
                $decoy.Kill($true)
            }
            # The true record again: HyperV by the worker rule, the real VM untouched by the test.
            $again = Test-ContainerIsolation -Name $script:name
            $again.ObservedIsolation | Should -Be 'HyperV'
            $again.DecidedBy | Should -Be 'worker'
        }

        It 'Should fail Test-ContainerIsolation -Isolation Process, with a reason' {
            $asProcess = Test-ContainerIsolation -Name $script:name -Isolation Process
            $asProcess.Passed | Should -BeFalse
            $asProcess.ObservedIsolation | Should -Be 'HyperV'
            $asProcess.Reason | Should -Not -BeNullOrEmpty
            Test-ContainerIsolation -Name $script:name -Isolation Process -Quiet | Should -BeFalse
        }

        It 'Should time out, not hang, when the agent stops answering' {
            $null = & kill -STOP $script:vm.pid
            try {
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                { Get-ContainerProcess -Name $script:name -ErrorAction Stop } | Should -Throw -ErrorId 'AgentTimeout*'
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 45
            }
            finally {
                $null = & kill -CONT $script:vm.pid
            }
            @(Get-ContainerProcess -Name $script:name | Where-Object ContainerProcessName -EQ 'ping') | Should -HaveCount 1
        }

        It 'Should stop: the agent powers the VM off and QEMU exits' {
            Stop-IsolatedContainer -Name $script:name -Confirm:$false
            (Get-IsolatedContainer -Name $script:name).State | Should -Be 'exited'
            Get-WorkerAfterExit -Id $script:vm.pid -Name $script:vm.processName | Should -BeNullOrEmpty
            @(Get-ContainerProcess -Name $script:name) | Should -HaveCount 0
            (Test-ContainerIsolation -Name $script:name).ObservedIsolation | Should -Be 'Inconclusive'
        }

        It 'Should remove the container and leave no QEMU process, socket, initramfs or file' {
            Remove-IsolatedContainer -Name $script:name -Force -Confirm:$false
            Get-WorkerAfterExit -Id $script:vm.pid -Name $script:vm.processName | Should -BeNullOrEmpty
            @(Get-HostProcessByCommandLine "*guest=$($script:name),*") | Should -HaveCount 0
            Test-Path -LiteralPath (Join-Path $script:stateDir 'containers' $script:name) | Should -BeFalse
            Test-Path -LiteralPath $script:vm.files.agentSocket | Should -BeFalse
            Get-IsolatedContainer -Name $script:name -ErrorAction Ignore | Should -BeNullOrEmpty
        }
    }

    Context 'When a host process merely looks like a worker' {
        It 'Should never let a look-alike make a process-isolated container pass as HyperV' {
            $name = "hv-decoy-$script:suffix"
            $null = New-IsolatedContainer -Name $name -Image busybox -Isolation Process -Command sleep, '300'
            try {
                $null = Start-Decoy 'qemu-system-x86_64' @('-name', "guest=$name,process=wc-$name")
                $null = Start-Decoy "wc-$name" @('-name', "guest=$name,process=wc-$name")
                $result = Test-ContainerIsolation -Name $name -Isolation HyperV
                $result.ObservedIsolation | Should -Be 'Process'
                # Decided by the host seeing the container's own processes (read from its procfs), not by any worker.
                $result.DecidedBy | Should -Be 'host-match'
                $result.ContainerView.Source | Should -Be 'container-procfs'
                $result.WorkerProcess | Should -BeNullOrEmpty
                $result.Passed | Should -BeFalse
                Test-ContainerIsolation -Name $name -Isolation HyperV -Quiet | Should -BeFalse
            }
            finally {
                Remove-IsolatedContainer -Name $name -Force -Confirm:$false
            }
        }

        It 'Should not take a look-alike for the worker of a HyperV container whose VM is gone' {
            $name = "hv-gone-$script:suffix"
            $container = New-IsolatedContainer -Name $name -Image busybox -Isolation HyperV -Command sh, -c, 'sleep 1; exit 7' -MemoryMB 192 -CpuCount 1
            try {
                # The command ends, the VM stays: the agent reports the exit code.
                $deadline = [datetime]::UtcNow.AddSeconds(60)
                do { Start-Sleep -Milliseconds 500; $seen = Get-IsolatedContainer -Name $name } while ($seen.State -ne 'exited' -and [datetime]::UtcNow -lt $deadline)
                $seen.State | Should -Be 'exited'
                $seen.ExitCode | Should -Be 7
                $vm = Get-Content -Raw -LiteralPath (Join-Path $script:stateDir 'containers' $name 'vm.json') | ConvertFrom-Json
                # The limits reach QEMU.
                (Get-Process -Id $vm.pid).CommandLine | Should -BeLike '* -m 192 -smp 1 *'
                # A core that stops answering is killed by the bridge; the VM it launched is
                # its child and must outlive it, as it outlives the session.
                { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.sleep -Arguments @{ milliseconds = 20000 } -TimeoutSeconds 1 } } |
                    Should -Throw -ErrorId 'CoreTimeout'
                Start-Sleep -Milliseconds 500
                # (Read from /proc, skipping zombies: a killed QEMU lingers as one until PID 1 reaps it.)
                @(Get-HostProcessByCommandLine "*guest=$name,*").Id | Should -Be $vm.pid
                Stop-Process -Id $vm.pid -Force
                Start-Sleep -Milliseconds 500
                # Same name, same command line as the real worker; only PID and start time differ.
                $null = Start-Decoy $vm.processName @('-name', "guest=$name,process=$($vm.processName)")
                $result = Test-ContainerIsolation -Name $name
                $result.ObservedIsolation | Should -Not -Be 'HyperV'
                $result.Passed | Should -BeFalse
            }
            finally {
                Remove-IsolatedContainer -Name $name -Force -Confirm:$false
            }
            @(Get-HostProcessByCommandLine "*$($script:stateDir)/containers/$name/*") | Should -HaveCount 0
        }
    }

    Context 'When the utility VM cannot boot' {
        It 'Should fail with VmBootFailed quoting the serial console when memory is too small, and create nothing' {
            $name = "hv-tiny-$script:suffix"
            $err = $null
            try { New-IsolatedContainer -Name $name -Image busybox -Isolation HyperV -MemoryMB 16 -Command sleep, '300' -ErrorAction Stop }
            catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'VmBootFailed*'
            $err.Exception.Message | Should -Match 'serial console'
            $err.Exception.Message | Should -Match '16 MB'
            Get-IsolatedContainer -Name $name -ErrorAction Ignore | Should -BeNullOrEmpty
            Test-Path -LiteralPath (Join-Path $script:stateDir 'containers' $name) | Should -BeFalse
            @(Get-HostProcessByCommandLine "*guest=$name,*") | Should -HaveCount 0
        }

        It 'Should refuse a fractional CPU count for a VM before creating anything' {
            $name = "hv-halfcpu-$script:suffix"
            { New-IsolatedContainer -Name $name -Image busybox -Isolation HyperV -CpuCount 0.5 -Command sleep, '300' -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument*' -ExpectedMessage '*CpuCount 0.5*whole number*'
            Test-Path -LiteralPath (Join-Path $script:stateDir 'containers' $name) | Should -BeFalse
        }

        It 'Should name the apt package when QEMU is missing, and create nothing' {
            $env:WINDOWSCONTAINERS_QEMU = Join-Path $script:stateDir 'no-such-qemu'
            try {
                Import-Module (Join-Path $script:repo 'WindowsContainers.psd1') -Force
                $name = "hv-noqemu-$script:suffix"
                { New-IsolatedContainer -Name $name -Image busybox -Isolation HyperV -Command sleep, '300' -ErrorAction Stop } |
                    Should -Throw -ErrorId 'DependencyMissing*' -ExpectedMessage '*apt-get install qemu-system-x86*'
                Test-Path -LiteralPath (Join-Path $script:stateDir 'containers' $name) | Should -BeFalse
                # The backend offers HyperV only when it can run it.
                $linux = (Get-ContainerHost).Backends | Where-Object Name -EQ 'linux'
                $linux.Isolations | Should -Not -Contain 'HyperV'
                $linux.Reason | Should -Match 'qemu-system-x86'
            }
            finally {
                Remove-Item Env:WINDOWSCONTAINERS_QEMU
                Import-Module (Join-Path $script:repo 'WindowsContainers.psd1') -Force
            }
            ((Get-ContainerHost).Backends | Where-Object Name -EQ 'linux').Isolations | Should -Contain 'HyperV'
        }

        It 'Should name the apt package when there is no kernel, and create nothing' {
            $env:WINDOWSCONTAINERS_KERNEL = Join-Path $script:stateDir 'no-such-vmlinuz'
            try {
                # The core reads its environment when it starts: restart it with the override.
                Import-Module (Join-Path $script:repo 'WindowsContainers.psd1') -Force
                $name = "hv-nokernel-$script:suffix"
                { New-IsolatedContainer -Name $name -Image busybox -Isolation HyperV -Command sleep, '300' -ErrorAction Stop } |
                    Should -Throw -ErrorId 'DependencyMissing*' -ExpectedMessage '*linux-image-cloud-amd64*'
                Test-Path -LiteralPath (Join-Path $script:stateDir 'containers' $name) | Should -BeFalse
            }
            finally {
                Remove-Item Env:WINDOWSCONTAINERS_KERNEL
                Import-Module (Join-Path $script:repo 'WindowsContainers.psd1') -Force
            }
        }
    }
}
