BeforeAll {
    Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force

    # The snapshot as the module reads it: typed records through the bridge.
    function Invoke-HostProcesses([hashtable] $Arguments = @{}) {
        InModuleScope WindowsContainers -Parameters @{ Arguments = $Arguments } {
            param($Arguments)
            Get-HostProcessSnapshot @Arguments
        }
    }

    # Started with an argument list, never through a shell.
    function Start-Helper([string] $FilePath, [string[]] $ArgumentList) {
        $info = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
        foreach ($argument in $ArgumentList) { $info.ArgumentList.Add($argument) }
        $info.UseShellExecute = $false
        [System.Diagnostics.Process]::Start($info)
    }

    # Waits for a condition with a generous deadline instead of sleeping a
    # fixed time that a busy machine may not honour.
    function Wait-Condition([scriptblock] $Condition, [string] $What, [int] $TimeoutSeconds = 30) {
        $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
        while (-not (& $Condition)) {
            if ([datetime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSeconds s waiting for $What." }
            Start-Sleep -Milliseconds 20
        }
    }

    # Past exec: the process has its program's name (before exec it is a copy of pwsh).
    function Wait-Exec([System.Diagnostics.Process] $Process, [string] $Name) {
        Wait-Condition { (Get-Process -Id $Process.Id -ErrorAction Ignore).ProcessName -ceq $Name } "PID $($Process.Id) to exec $Name"
    }
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

# The Windows snapshot belongs to another part of the core and does not exist
# yet (the core answers BackendUnavailable there), so this compares on Linux.
Describe 'The host process snapshot (host.processes)' -Skip:(-not $IsLinux) {
    BeforeAll {
        $helpers = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
        $sleepCopy = Join-Path $TestDrive 'a b) c'
        # Unique per run: another test run on the same machine must not add its own copy.
        $longName = 'along{0}programname' -f ([guid]::NewGuid().ToString('N').Substring(0, 10))
        $longCopy = Join-Path $TestDrive $longName
        Copy-Item -LiteralPath '/bin/sleep' -Destination $sleepCopy
        Copy-Item -LiteralPath '/bin/sleep' -Destination $longCopy
        $helpers.Add((Start-Helper '/bin/sleep' @('60')))
        $helpers.Add((Start-Helper $sleepCopy @('60')))
        $helpers.Add((Start-Helper $longCopy @('60')))
        # Let each helper get past exec, so both sides see the final name.
        Wait-Exec $helpers[0] 'sleep'
        Wait-Exec $helpers[1] 'a b) c'
        Wait-Exec $helpers[2] $longName
        $helperIds = @($helpers.Id)
    }

    AfterAll {
        foreach ($helper in $helpers) {
            if (-not $helper.HasExited) { $helper.Kill(); $null = $helper.WaitForExit(5000) }
        }
    }

    Context 'When the module reads it' {
        It 'Should be typed records, the numbers as numbers' {
            $snapshot = Invoke-HostProcesses -Arguments @{ ProcessId = @($helperIds[0]) }
            $snapshot.GetType().Name | Should -Be 'WindowsContainersHostSnapshot'
            $snapshot.TakenAt | Should -BeOfType [datetimeoffset]
            ([datetimeoffset]::UtcNow - $snapshot.TakenAt).TotalMinutes | Should -BeLessThan 1
            $process = $snapshot.Processes[0]
            $process.GetType().Name | Should -Be 'WindowsContainersHostProcess'
            $process.Id | Should -BeOfType [int]
            $process.Id | Should -Be $helperIds[0]
            $process.WorkingSet | Should -BeOfType [long]
            $process.StartTime | Should -BeOfType [datetimeoffset]
            $process.CommandLine | Should -BeExactly '/bin/sleep 60'
            $process.NamespacePids[0] | Should -Be $helperIds[0]
        }

        It 'Should format the snapshot and its records with their own views' {
            $snapshot = Invoke-HostProcesses -Arguments @{ ProcessId = @($helperIds[0]) }
            $table = $snapshot.Processes | Format-Table | Out-String -Width 200
            $table | Should -Match 'NPM\(K\)\s+PM\(M\)\s+WS\(M\)\s+CPU\(s\)\s+Id\s+SI\s+ProcessName'
            $table | Should -Match "\b$($helperIds[0])\s+\d+\s+sleep\b"
            ($snapshot | Format-Table | Out-String -Width 200) | Should -Match 'TakenAt\s+Processes\s+Unreadable'
        }
    }

    Context 'When compared with Get-Process for the processes alive during both' {
        BeforeAll {
            # Read every property now: Process objects read /proc lazily, and a
            # later read would compare a different moment.
            $fields = 'Id', 'ProcessName', 'StartTime', 'SessionId'
            $beforeStartedMs = [datetimeoffset]::UtcNow.ToUnixTimeMilliseconds()
            $before = Get-Process | Select-Object $fields
            $snapshot = Invoke-HostProcesses
            $after = Get-Process | Select-Object $fields
            $afterById = @{}
            foreach ($p in $after) { $afterById[$p.Id] = $p }
            # Alive during both: present before and after as the same process.
            # Kernel workqueue threads (kworker/…) rename themselves as they
            # pick up work, so no two readings need agree on their names.
            $stable = @($before | Where-Object {
                    $later = $afterById[$_.Id]
                    $_.ProcessName -notlike 'kworker/*' -and
                    $null -ne $later -and $later.ProcessName -eq $_.ProcessName -and $later.StartTime -eq $_.StartTime
                })
            $coreById = @{}
            foreach ($p in $snapshot.processes) { $coreById[[int]$p.id] = $p }
        }

        It 'Should list every one of them' {
            $stable.Count | Should -BeGreaterThan 3
            $missing = @($stable | Where-Object { -not $coreById.ContainsKey($_.Id) } | ForEach-Object { "$($_.Id) $($_.ProcessName)" })
            $missing | Should -BeNullOrEmpty
        }

        It 'Should give each the name Get-Process gives' {
            # A name can change while the process lives (a kworker names itself
            # after the workqueue it is serving, a process renames its thread),
            # so a difference only counts if it survives a close re-read.
            $different = @($stable | Where-Object { $coreById.ContainsKey($_.Id) -and $coreById[$_.Id].processName -cne $_.ProcessName } |
                    Where-Object {
                        $id = $_.Id
                        $persistent = $true
                        foreach ($attempt in 1..3) {
                            $again = Get-Process -Id $id -ErrorAction Ignore
                            $core = @((Invoke-HostProcesses -Arguments @{ ProcessId = @($id) }).processes)
                            if ($null -eq $again -or $core.Count -eq 0 -or $core[0].processName -ceq $again.ProcessName) { $persistent = $false; break }
                        }
                        $persistent
                    } |
                    ForEach-Object { "$($_.Id): Get-Process '$($_.ProcessName)', core '$($coreById[$_.Id].processName)'" })
            $different | Should -BeNullOrEmpty
        }

        It 'Should give each the session Get-Process gives, and its start time to within the boot-time second' {
            # Both add the process's start (clock ticks after boot) to a boot time.
            # .NET measures boot time once per reading process (realtime minus
            # CLOCK_BOOTTIME), which moves by milliseconds from one pwsh to the
            # next; the core uses the kernel's btime, whole seconds that every
            # reader gets alike. So the two differ by the fraction of a second
            # btime drops, and by nothing more; every one is off by the same amount.
            $deltas = foreach ($p in $stable) {
                if (-not $coreById.ContainsKey($p.Id)) { continue }
                $core = $coreById[$p.Id]
                [int]$core.sessionId | Should -Be $p.SessionId -Because "PID $($p.Id) ($($p.ProcessName)) is in session $($p.SessionId)"
                ([datetimeoffset]$p.StartTime).ToUnixTimeMilliseconds() - ([datetimeoffset]$core.startTime).ToUnixTimeMilliseconds()
            }
            $sorted = @($deltas | Sort-Object)
            $sorted[0] | Should -BeGreaterOrEqual 0
            $sorted[-1] | Should -BeLessThan 1000
            ($sorted[-1] - $sorted[0]) | Should -BeLessOrEqual 2 -Because 'the offset is the same boot-time fraction for every process'
        }

        It 'Should not list a process that Get-Process never saw' {
            $beforeIds = [System.Collections.Generic.HashSet[int]]::new([int[]]@($before.Id))
            $afterIds = [System.Collections.Generic.HashSet[int]]::new([int[]]@($after.Id))
            # One that neither call saw lived only between them: it must have
            # started after the first call began. How many there are depends on
            # what else the machine runs, so the rule is on each one, not a count.
            # The core's start times are early by under a second (the fraction
            # btime drops), hence the allowance.
            $unexplained = @($snapshot.processes | Where-Object {
                    -not $beforeIds.Contains([int]$_.id) -and -not $afterIds.Contains([int]$_.id) -and ([datetimeoffset]$_.startTime).ToUnixTimeMilliseconds() -lt $beforeStartedMs - 1000
                } | ForEach-Object { "$($_.id) $($_.processName)" })
            $unexplained | Should -BeNullOrEmpty -Because 'a process the core lists and Get-Process never saw must have started between the two calls'
        }
    }

    Context 'When a helper process is idle' {
        It 'Should report the same name and memory columns as Get-Process for <_>' -ForEach @(0, 1, 2) {
            $helper = Get-Process -Id $helperIds[$_]
            $core = @((Invoke-HostProcesses -Arguments @{ ProcessId = @($helper.Id) }).processes)
            $core.Count | Should -Be 1
            $core[0].processName | Should -BeExactly $helper.ProcessName
            [long]$core[0].workingSet | Should -Be $helper.WorkingSet64
            [long]$core[0].pagedMemorySize | Should -Be $helper.PagedMemorySize64
            [long]$core[0].privateMemorySize | Should -Be $helper.PrivateMemorySize64
            [long]$core[0].nonpagedSystemMemorySize | Should -Be $helper.NonpagedSystemMemorySize64
            [double]$core[0].cpuSeconds | Should -Be $helper.TotalProcessorTime.TotalSeconds
        }

        It 'Should keep the spaces and parenthesis of a program named "a b) c"' {
            (Get-Process -Id $helperIds[1]).ProcessName | Should -BeExactly 'a b) c'
            (Invoke-HostProcesses -Arguments @{ ProcessId = @($helperIds[1]) }).processes[0].processName | Should -BeExactly 'a b) c'
        }
    }

    Context 'When filtered' {
        It 'Should return only processes with the given names, like Get-Process -Name' {
            $result = @((Invoke-HostProcesses -Arguments @{ Name = @($longName) }).processes)
            $expected = @(Get-Process -Name $longName)
            @($result.id | Sort-Object) | Should -Be @($expected.Id | Sort-Object)
            $result.id | Should -Contain $helperIds[2]
        }

        It 'Should reject a PID that is not a positive integer, in the module and again in the core' {
            { Invoke-HostProcesses -Arguments @{ ProcessId = @(-5) } } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { InModuleScope WindowsContainers { Invoke-CoreCommand -Command host.processes -Arguments @{ pids = @(-5) } } } |
                Should -Throw -ErrorId 'InvalidArgument*'
        }

        It 'Should combine -ProcessId and -Name as both filters at once' {
            $both = @((Invoke-HostProcesses -Arguments @{ ProcessId = @($helperIds[0], $helperIds[2]); Name = @($longName) }).processes)
            @($both.Id) | Should -Be @($helperIds[2])
        }
    }

    Context 'When a process exits' {
        It 'Should no longer list it' {
            $victim = Start-Helper '/bin/sleep' @('60')
            Wait-Exec $victim 'sleep'
            @((Invoke-HostProcesses -Arguments @{ ProcessId = @($victim.Id) }).processes).Count | Should -Be 1
            $victim.Kill()
            $victim.WaitForExit(5000) | Should -BeTrue
            @((Invoke-HostProcesses -Arguments @{ ProcessId = @($victim.Id) }).processes).Count | Should -Be 0
        }
    }
}
