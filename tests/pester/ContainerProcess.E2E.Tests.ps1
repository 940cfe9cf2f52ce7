# ContainerProcess against the real thing: a runc container (the host sees its
# process) and a QEMU utility VM (it does not), each with a host decoy of the
# same name running beside it. Piped to Stop-Process, Get-Process or
# Wait-Process, a ContainerProcess must act on that very host process or on
# nothing; the decoy must survive every pipe.
#
# The container's process gets a name of its own (a script named wc<PID>,
# which keeps its name while it loops), never a common one such as ping: if
# the rule ever broke, the pipe would hit every host process of that name,
# and other work on this machine runs ping too.
BeforeDiscovery {
    $script:canRun = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore)
    $script:canBoot = $script:canRun -and [bool](Get-Command qemu-system-x86_64 -ErrorAction Ignore)
}

BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-cp-e2e-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $script:state
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
    $env:WINDOWSCONTAINERS_STATE_DIR = $script:state
    Import-Module (Join-Path $script:repo 'WindowsContainers.psd1') -Force
    $null = Import-ContainerImage -Path (Join-Path $script:repo '.tools' 'images' 'busybox-rootfs.tar') -Name busybox

    $script:processName = "wc$PID"
    # The container's command: write a looping script named after processName and exec it.
    # The kernel names a script's process after the script, and `sleep 1` runs as a child.
    $script:command = @('sh', '-c', "printf '#!/bin/sh\nwhile :; do sleep 1; done\n' > /tmp/$($script:processName) && chmod +x /tmp/$($script:processName) && exec /tmp/$($script:processName)")

    $script:decoys = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
    # A host process with the same name: a copy of sleep under that file name.
    function script:Start-Decoy {
        $copy = Join-Path $script:state $script:processName
        if (-not (Test-Path -LiteralPath $copy)) {
            Copy-Item -LiteralPath (Get-Command sleep -CommandType Application | Select-Object -First 1).Source -Destination $copy
        }
        $decoy = Start-Process -FilePath $copy -ArgumentList 600 -PassThru
        $script:decoys.Add($decoy)
        $deadline = [datetime]::UtcNow.AddSeconds(10)
        while ((Get-Process -Id $decoy.Id -ErrorAction Ignore).ProcessName -ne $script:processName -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $decoy
    }

    function script:Test-Alive([int] $Id) {
        # Exists and is not a zombie (this host's init reaps late).
        try {
            $stat = [System.IO.File]::ReadAllText("/proc/$Id/stat")
            $stat.Substring($stat.LastIndexOf(')') + 2, 1) -ne 'Z'
        }
        catch { $false }
    }

    # The container's looping script, once it has replaced the shell.
    function script:Wait-ContainerProcess([string] $Container, [int] $Seconds) {
        $deadline = [datetime]::UtcNow.AddSeconds($Seconds)
        do {
            $found = @(Get-ContainerProcess -Name $Container | Where-Object ProcessName -EQ $script:processName)
            if ($found.Count -eq 1) { return $found[0] }
            Start-Sleep -Milliseconds 250
        } while ([datetime]::UtcNow -lt $deadline)
        throw "Container '$Container' shows no process named '$($script:processName)' after $Seconds s."
    }
}

AfterAll {
    foreach ($decoy in $script:decoys) { if (-not $decoy.HasExited) { $decoy.Kill() } }
    Get-IsolatedContainer -ErrorAction Ignore | Remove-IsolatedContainer -Force -Confirm:$false -ErrorAction Continue
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $script:savedState
    Remove-Item -LiteralPath $script:state -Recurse -Force -ErrorAction Ignore
}

Describe 'A ContainerProcess the host sees (runc)' -Tag E2E -Skip:(-not $canRun) {
    BeforeAll {
        $null = New-IsolatedContainer -Name "cp-runc-$PID" -Image busybox -Isolation Process -Command $script:command
        $script:decoy = Start-Decoy
        $script:process = Wait-ContainerProcess -Container "cp-runc-$PID" -Seconds 30
    }

    It 'Should be the host''s own process, with the container''s facts' {
        $script:process | Should -BeOfType [System.Diagnostics.Process]
        $script:process.PSTypeNames[0] | Should -Be 'WindowsContainers.ContainerProcess'
        $script:process.VisibleOnHost | Should -BeTrue
        $script:process.HostProcessId | Should -Be $script:process.Id
        $script:process.ContainerProcessId | Should -Be 1
        $script:process.ContainerName | Should -Be "cp-runc-$PID"
        $script:process.Id | Should -Not -Be $script:decoy.Id
    }

    It 'Should read like Get-Process -Id for every property they share (CPU within 0.1 s, WS within 1 MB)' {
        # Back to back: this object's values first, then Get-Process's own.
        $mine = $script:process
        $mine.Refresh()
        $m = [ordered]@{}
        foreach ($property in 'Id', 'Name', 'ProcessName', 'SI', 'StartTime', 'Path', 'Handles', 'VM', 'NPM', 'PM', 'WS', 'CPU', 'TotalProcessorTime', 'PrivateMemorySize64', 'CommandLine') {
            $m[$property] = $mine.$property
        }
        $theirs = Get-Process -Id $mine.Id
        foreach ($property in 'Id', 'Name', 'ProcessName', 'SI', 'Path', 'Handles', 'VM', 'NPM', 'PM', 'PrivateMemorySize64', 'CommandLine') {
            $m[$property] | Should -Be $theirs.$property -Because "$property is the same process's"
        }
        [math]::Abs(($m.StartTime - $theirs.StartTime).TotalMilliseconds) | Should -BeLessOrEqual 10
        [math]::Abs($m.CPU - $theirs.CPU) | Should -BeLessOrEqual 0.1
        [math]::Abs(($m.TotalProcessorTime - $theirs.TotalProcessorTime).TotalSeconds) | Should -BeLessOrEqual 0.1
        [math]::Abs($m.WS - $theirs.WS) | Should -BeLessOrEqual 1MB
        $m.Path | Should -Not -BeNullOrEmpty
        $m.Handles | Should -BeGreaterThan 0
        $m.ProcessName | Should -Be $script:processName
    }

    It 'Should agree with the core''s own record of it (start time, name)' {
        # The core's start time counts from the kernel's whole-second boot time: earlier by under a second.
        $record = InModuleScope WindowsContainers -Parameters @{ N = "cp-runc-$PID" } {
            param($N)
            @((Invoke-CoreCommand -Command 'container.processes' -Arguments @{ name = $N } -TimeoutSeconds 60).processes) | Where-Object containerPid -EQ 1
        }
        $record.hostPid | Should -Be $script:process.Id
        $record.name | Should -Be $script:process.ProcessName
        $dotnetMs = ([System.DateTimeOffset]$script:process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds()
        $coreMs = ([datetimeoffset]$record.startTime).ToUnixTimeMilliseconds()
        ($dotnetMs - $coreMs) | Should -BeGreaterOrEqual -10
        ($dotnetMs - $coreMs) | Should -BeLessOrEqual 1010
    }

    It 'Should be what Get-Process and Wait-Process bind, and nothing else' {
        @($script:process | Get-Process).Id | Should -Be @($script:process.Id)
        $waited = $script:process | Wait-Process -Timeout 1 -ErrorAction SilentlyContinue -ErrorVariable waitErrors
        @($waitErrors).Count | Should -Be 1
        $waitErrors[0].Exception.Message | Should -Match "\($($script:process.Id)\)"
        $waitErrors[0].Exception.Message | Should -Not -Match "\($($script:decoy.Id)\)"
    }

    It 'Should stop exactly that process when piped to Stop-Process, and leave the same-named decoy alone' {
        $script:process | Stop-Process -Confirm:$false
        $deadline = [datetime]::UtcNow.AddSeconds(10)
        while ((Test-Alive $script:process.Id) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Test-Alive $script:process.Id | Should -BeFalse
        Test-Alive $script:decoy.Id | Should -BeTrue
    }
}

Describe 'A ContainerProcess the host cannot see (QEMU utility VM)' -Tag E2E -Skip:(-not $canBoot) {
    BeforeAll {
        $script:vmName = "cp-vm-$PID"
        $null = New-IsolatedContainer -Name $script:vmName -Image busybox -Isolation HyperV -Command $script:command
        $script:decoy = Start-Decoy
        $script:process = Wait-ContainerProcess -Container $script:vmName -Seconds 60
    }

    It 'Should be a record with Id and Name $null and the real ProcessName' {
        $script:process | Should -Not -BeOfType [System.Diagnostics.Process]
        $script:process.PSTypeNames[0] | Should -Be 'WindowsContainers.ContainerProcess'
        $script:process.Id | Should -BeNullOrEmpty
        $script:process.Name | Should -BeNullOrEmpty
        $script:process.VisibleOnHost | Should -BeFalse
        $script:process.ProcessName | Should -Be $script:processName
        # Where-Object and Sort-Object find it by ProcessName, even under strict mode.
        & {
            Set-StrictMode -Version Latest
            @(Get-ContainerProcess -Name $script:vmName | Where-Object ProcessName -EQ $script:processName).Count | Should -Be 1
            @(Get-ContainerProcess -Name $script:vmName | Sort-Object ProcessName).Count | Should -BeGreaterThan 0
        }
    }

    It 'Should be refused by Stop-Process, Get-Process and Wait-Process, and the same-named host decoy survives' {
        { $script:process | Stop-Process -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationErrorNullNotAllowed,Microsoft.PowerShell.Commands.StopProcessCommand'
        { $script:process | Get-Process -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*,Microsoft.PowerShell.Commands.GetProcessCommand'
        { $script:process | Wait-Process -Timeout 1 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*,Microsoft.PowerShell.Commands.WaitProcessCommand'
        # Without -ErrorAction Stop too: nothing comes out, nothing is stopped.
        @($script:process | Get-Process -ErrorAction SilentlyContinue).Count | Should -Be 0
        $script:process | Stop-Process -Confirm:$false -ErrorAction SilentlyContinue
        Start-Sleep -Milliseconds 300
        Test-Alive $script:decoy.Id | Should -BeTrue
        # And the VM's process still runs: the container still reports it.
        @(Get-ContainerProcess -Name $script:vmName | Where-Object ProcessName -EQ $script:processName).Count | Should -Be 1
    }
}
