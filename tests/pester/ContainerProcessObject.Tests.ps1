# The ContainerProcess object and the module's types, against real host
# processes but without containers (ContainerProcess.E2E.Tests.ps1 has the
# containers): the Stop-Process / Get-Process / Wait-Process rule, the PID
# reuse guard, Where-Object and Sort-Object by ProcessName, type data for tab
# completion, and OutputType per parameter set.
BeforeAll {
    Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) "wc-cpo-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $script:work
    # A name no other process on this machine has: if the rule broke, only our own processes could be hit.
    $script:processName = "wcpo$PID"
    $script:started = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()

    function script:Start-Named([int] $Seconds) {
        $copy = Join-Path $script:work $script:processName
        if (-not (Test-Path -LiteralPath $copy)) {
            Copy-Item -LiteralPath (Get-Command sleep -CommandType Application | Select-Object -First 1).Source -Destination $copy
        }
        $process = Start-Process -FilePath $copy -ArgumentList $Seconds -PassThru
        $script:started.Add($process)
        $deadline = [datetime]::UtcNow.AddSeconds(10)
        while ((Get-Process -Id $process.Id -ErrorAction Ignore).ProcessName -ne $script:processName -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $process
    }

    function script:Test-Alive([int] $Id) {
        try {
            $stat = [System.IO.File]::ReadAllText("/proc/$Id/stat")
            $stat.Substring($stat.LastIndexOf(')') + 2, 1) -ne 'Z'
        }
        catch { $false }
    }

    # The core's record of a container process, as container.processes sends it.
    function script:New-Record([object] $HostPid, [object] $StartTimeMs, [string] $Name = $script:processName, [int] $ContainerPid = 1) {
        [pscustomobject]@{
            containerName = 'web'; containerPid = $ContainerPid; name = $Name; commandLine = "$Name 600"
            claimedHostPid = $HostPid; hostPid = $HostPid; visibleOnHost = $null -ne $HostPid; startTime = $(if ($null -ne $StartTimeMs) { [System.DateTimeOffset]::FromUnixTimeMilliseconds([long]$StartTimeMs).ToString('o') })
            workingSetBytes = 2MB; privateBytes = 1MB; pagedBytes = 0; nonPagedBytes = 0; cpuSeconds = 0.25; sessionId = 7
        }
    }

    # What the core would say: its clock starts at the whole-second boot time, so up to 1 s earlier than .NET's.
    function script:Get-CoreStartTimeMs([System.Diagnostics.Process] $Process, [int] $EarlierBy = 400) {
        ([System.DateTimeOffset]$Process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() - $EarlierBy
    }

    function script:New-ContainerProcess([object] $Record) {
        InModuleScope WindowsContainers -Parameters @{ R = $Record } { param($R) New-ContainerProcessObject -Record $R }
    }
}

AfterAll {
    foreach ($process in $script:started) { if (-not $process.HasExited) { $process.Kill() } }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    Remove-Item -LiteralPath $script:work -Recurse -Force -ErrorAction Ignore
}

Describe 'ContainerProcess piped to Stop-Process, Get-Process, Wait-Process' -Skip:(-not $IsLinux) {
    Context 'When the host sees the process, and a same-named process runs beside it' {
        BeforeEach {
            $script:target = Start-Named 600
            $script:decoy = Start-Named 600
            $script:object = New-ContainerProcess (New-Record -HostPid $script:target.Id -StartTimeMs (Get-CoreStartTimeMs $script:target))
        }
        AfterEach {
            foreach ($p in $script:target, $script:decoy) { if (-not $p.HasExited) { $p.Kill() } }
        }

        It 'Should be the host''s Process object for that PID' {
            $script:object | Should -BeOfType [System.Diagnostics.Process]
            $script:object.Id | Should -Be $script:target.Id
            $script:object.ProcessName | Should -Be $script:processName
            $script:object.PSTypeNames[0] | Should -Be 'WindowsContainers.ContainerProcess'
        }

        It 'Should make Get-Process return that process only' {
            @($script:object | Get-Process).Id | Should -Be @($script:target.Id)
        }

        It 'Should make Wait-Process wait for that process only' {
            $null = $script:object | Wait-Process -Timeout 1 -ErrorAction SilentlyContinue -ErrorVariable waitErrors
            @($waitErrors).Count | Should -Be 1
            $waitErrors[0].Exception.Message | Should -Match "\($($script:target.Id)\)"
            $waitErrors[0].Exception.Message | Should -Not -Match "\($($script:decoy.Id)\)"
        }

        It 'Should make Stop-Process stop that process and not the decoy' {
            $script:object | Stop-Process -Confirm:$false
            $script:target.WaitForExit(10000) | Should -BeTrue
            Test-Alive $script:decoy.Id | Should -BeTrue
        }
    }

    Context 'When the host cannot see the process (Id $null), and a same-named host process runs' {
        BeforeAll {
            $script:decoy = Start-Named 600
            $script:object = New-ContainerProcess (New-Record -HostPid $null -StartTimeMs 1767323045000)
        }

        It 'Should be a record with Id and Name $null and the real ProcessName' {
            $script:object | Should -Not -BeOfType [System.Diagnostics.Process]
            $script:object.Id | Should -BeNullOrEmpty
            $script:object.Name | Should -BeNullOrEmpty
            $script:object.ProcessName | Should -Be $script:processName
            $script:object.VisibleOnHost | Should -BeFalse
        }

        It 'Should be refused by <Command>, and the decoy survives' -ForEach @(
            @{ Command = 'Stop-Process'; ErrorId = 'ParameterArgumentValidationErrorNullNotAllowed,Microsoft.PowerShell.Commands.StopProcessCommand' }
            @{ Command = 'Get-Process'; ErrorId = 'ParameterArgumentValidationError*,Microsoft.PowerShell.Commands.GetProcessCommand' }
            @{ Command = 'Wait-Process'; ErrorId = 'ParameterArgumentValidationError*,Microsoft.PowerShell.Commands.WaitProcessCommand' }
        ) {
            $arguments = @{ ErrorAction = 'Stop' }
            if ($Command -eq 'Stop-Process') { $arguments.Confirm = $false }
            if ($Command -eq 'Wait-Process') { $arguments.Timeout = 1 }
            { $script:object | & $Command @arguments } | Should -Throw -ErrorId $ErrorId
            $arguments.ErrorAction = 'SilentlyContinue'
            @($script:object | & $Command @arguments).Count | Should -Be 0
            Test-Alive $script:decoy.Id | Should -BeTrue
        }

        It 'Should be what keeps the decoy safe: without Name $null, Get-Process would bind ProcessName and find it' {
            # The control: a look-alike carrying only Id $null and ProcessName, as a naive design would.
            $naive = [pscustomobject]@{ Id = $null; ProcessName = $script:processName }
            @($naive | Get-Process -ErrorAction SilentlyContinue).Id | Should -Contain $script:decoy.Id
        }

        It 'Should be refused the same way after a round trip through remoting serialization' {
            $clone = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($script:object))
            $clone.PSTypeNames[0] | Should -Be 'Deserialized.WindowsContainers.ContainerProcess'
            { $clone | Stop-Process -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationErrorNullNotAllowed,*'
            { $clone | Get-Process -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            Test-Alive $script:decoy.Id | Should -BeTrue
        }
    }

    Context 'When the PID the core confirmed now belongs to another process' {
        It 'Should give a record with Id $null, not the other process' {
            $other = Start-Named 600
            # The core saw a process with this PID start an hour before this one did.
            $object = New-ContainerProcess (New-Record -HostPid $other.Id -StartTimeMs ((Get-CoreStartTimeMs $other 0) - 3600000))
            $object | Should -Not -BeOfType [System.Diagnostics.Process]
            $object.Id | Should -BeNullOrEmpty
            $other.Kill()
        }

        It 'Should give a record with Id $null when the process has exited' {
            $gone = Start-Named 600
            $startMs = Get-CoreStartTimeMs $gone
            $gone.Kill(); $gone.WaitForExit()
            (New-ContainerProcess (New-Record -HostPid $gone.Id -StartTimeMs $startMs)).Id | Should -BeNullOrEmpty
        }

        It 'Should accept the core''s start time from up to one second earlier than .NET''s, no more' {
            $p = Start-Named 600
            (New-ContainerProcess (New-Record -HostPid $p.Id -StartTimeMs (Get-CoreStartTimeMs $p 990))).Id | Should -Be $p.Id
            (New-ContainerProcess (New-Record -HostPid $p.Id -StartTimeMs (Get-CoreStartTimeMs $p 1200))).Id | Should -BeNullOrEmpty
            (New-ContainerProcess (New-Record -HostPid $p.Id -StartTimeMs (Get-CoreStartTimeMs $p -200))).Id | Should -BeNullOrEmpty
            $p.Kill()
        }
    }
}

Describe 'WorkerProcess piped to Get-Process and Wait-Process' -Skip:(-not $IsLinux) {
    It 'Should be refused instead of reaching every host process of the worker''s name' {
        $worker = Start-Named 600
        $decoy = Start-Named 600
        $result = InModuleScope WindowsContainers -Parameters @{ W = $worker; N = $script:processName } {
            param($W, $N)
            New-IsolationTestResultObject -Record ([pscustomobject]@{
                    name = 'c'; backend = 'linux'; configuredIsolation = 'HyperV'; expectedIsolation = 'HyperV'; observedIsolation = 'HyperV'; passed = $true
                    reason = 'r'; reasons = @(); gaps = @(); snapshotTakenAt = '2026-01-02T03:04:05.000Z'; containerProcesses = @(); hostMatches = @()
                    worker = [pscustomobject]@{ alive = $true; tied = $true; reason = 'r'; claim = [pscustomobject]@{ pid = $W.Id; name = $N; tieToken = 't' }
                        hostProcess = [pscustomobject]@{ processName = $N; workingSet = 1; pagedMemorySize = 0; nonpagedSystemMemorySize = 0; cpuSeconds = 0; sessionId = 1; startTime = '2026-01-02T03:04:05.000Z'; commandLine = $N } }
                })
        }
        $result.WorkerProcess.Id | Should -Be $worker.Id
        $result.WorkerProcess.ProcessName | Should -Be $script:processName
        { $result.WorkerProcess | Get-Process -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*,Microsoft.PowerShell.Commands.GetProcessCommand'
        { $result.WorkerProcess | Wait-Process -Timeout 1 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*,Microsoft.PowerShell.Commands.WaitProcessCommand'
        Test-Alive $decoy.Id | Should -BeTrue
        Test-Alive $worker.Id | Should -BeTrue
    }
}

Describe 'Objects with a Name piped to Stop-Process' -Skip:(-not $IsLinux) {
    BeforeAll {
        $script:decoy = Start-Named 600
    }

    It 'Should refuse a <_> named like a host process, and the host process survives' -ForEach @('WindowsContainers.Container', 'WindowsContainers.ContainerImage', 'WindowsContainers.IsolationTestResult', 'WindowsContainers.BackendStatus') {
        $object = [pscustomobject]@{ Name = $script:processName }
        $object.PSObject.TypeNames.Insert(0, $_)
        { $object | Stop-Process -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationErrorNullNotAllowed,Microsoft.PowerShell.Commands.StopProcessCommand'
        $clone = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($object))
        { $clone | Stop-Process -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationErrorNullNotAllowed,*'
        Test-Alive $script:decoy.Id | Should -BeTrue
    }
}

Describe 'ContainerProcess properties' -Skip:(-not $IsLinux) {
    BeforeAll {
        $script:visible = Start-Named 600
        $script:objects = @(
            New-ContainerProcess (New-Record -HostPid $script:visible.Id -StartTimeMs (Get-CoreStartTimeMs $script:visible))
            New-ContainerProcess (New-Record -HostPid $null -StartTimeMs 1767323045000 -Name 'aaa-in-vm' -ContainerPid 7)
        )
    }

    It 'Should filter and sort by ProcessName under strict mode' {
        Set-StrictMode -Version Latest
        @($script:objects | Where-Object ProcessName -EQ 'aaa-in-vm').ContainerProcessId | Should -Be @(7)
        @($script:objects | Where-Object ProcessName -EQ $script:processName).Id | Should -Be @($script:visible.Id)
        @($script:objects | Sort-Object ProcessName).ProcessName | Should -Be @('aaa-in-vm', $script:processName)
    }

    It 'Should have Get-Process''s properties on both shapes' {
        foreach ($object in $script:objects) {
            foreach ($property in 'Id', 'Name', 'ProcessName', 'SI', 'CPU', 'TotalProcessorTime', 'WS', 'PM', 'NPM', 'VM', 'StartTime', 'Path', 'Handles', 'CommandLine',
                'ContainerName', 'ContainerProcessId', 'ContainerProcessName', 'HostProcessId', 'VisibleOnHost') {
                $object.PSObject.Properties.Name | Should -Contain $property
            }
        }
        $script:objects[1].TotalProcessorTime | Should -Be ([timespan]::FromSeconds(0.25))
        $script:objects[1].CPU | Should -Be 0.25
    }
}

Describe 'Type data for tooling' {
    BeforeAll {
        $script:typesFile = Join-Path $PSScriptRoot '..' '..' 'module' 'WindowsContainers.Types.ps1xml'
        [xml] $script:types = Get-Content -Raw -LiteralPath $script:typesFile
        # One object of each type, built by the module's own builders from core-shaped records.
        $script:built = InModuleScope WindowsContainers {
            $proc = [pscustomobject]@{ containerName = 'c'; containerPid = 3; name = 'sh'; commandLine = 'sh'; claimedHostPid = $null; hostPid = $null; visibleOnHost = $false; startTime = '2026-01-02T03:04:05.000Z'; workingSetBytes = 1; privateBytes = 1; pagedBytes = 0; nonPagedBytes = 0; cpuSeconds = 0; sessionId = 1 }
            $result = [pscustomobject]@{
                name = 'c'; backend = 'linux'; configuredIsolation = 'HyperV'; expectedIsolation = 'HyperV'; observedIsolation = 'HyperV'; passed = $true
                reason = 'r'; reasons = @('r'); gaps = @(); snapshotTakenAt = '2026-01-02T03:04:05.000Z'; containerProcesses = @($proc)
                hostMatches = @([pscustomobject]@{ containerPid = 3; name = 'sh'; hostPid = $null; matched = $false; outcome = 'NotOnHost'; reason = 'r' })
                worker = [pscustomobject]@{ alive = $false; tied = $false; reason = 'r'; hostProcess = $null; claim = [pscustomobject]@{ pid = 9; name = 'qemu-wc-c'; tieToken = 't' } }
            }
            $r = New-IsolationTestResultObject -Record $result
            @{
                'WindowsContainers.Container'           = New-ContainerObject -Record ([pscustomobject]@{ name = 'c'; id = 'c'; backend = 'linux'; image = 'b'; isolation = 'Process'; state = 'running'; command = @(); createdAt = $null; startedAt = $null; exitCode = $null; hostPid = 1; utilityVmId = $null; managed = $true })
                'WindowsContainers.ContainerImage'      = New-ContainerImageObject -Record ([pscustomobject]@{ name = 'b'; format = 'rootfs'; layers = 1; sizeBytes = 1; files = 1; defaultCommand = @(); workingDir = $null; env = @(); importedAt = $null; source = 's'; rootfs = 'r' })
                'WindowsContainers.IsolationTestResult' = $r
                'WindowsContainers.HostMatch'           = $r.HostMatches[0]
                'WindowsContainers.WorkerProcess'       = $r.WorkerProcess
                'WindowsContainers.ContainerProcess'    = $r.ContainerProcesses[0]
            }
        }
    }

    It 'Should declare every property of <_> that the module builds' -ForEach @('WindowsContainers.Container', 'WindowsContainers.ContainerImage', 'WindowsContainers.IsolationTestResult', 'WindowsContainers.HostMatch', 'WindowsContainers.WorkerProcess', 'WindowsContainers.ContainerProcess') {
        $declared = @($script:types.Types.Type | Where-Object Name -EQ $_ | ForEach-Object { $_.Members.ChildNodes } | ForEach-Object Name)
        $object = $script:built[$_]
        $object.PSTypeNames[0] | Should -Be $_
        $own = @($object.PSObject.Properties | Where-Object MemberType -EQ 'NoteProperty' | ForEach-Object Name)
        if ($_ -eq 'WindowsContainers.ContainerProcess') {
            # Get-Process's own property names complete from [OutputType([System.Diagnostics.Process])].
            $own = $own | Where-Object { $_ -in 'ContainerName', 'ContainerProcessId' }
        }
        foreach ($name in $own) { $declared | Should -Contain $name -Because "$_.$name must tab-complete" }
    }

    It 'Should keep the object''s own values in front of the declarations' {
        $script:built['WindowsContainers.Container'].Name | Should -Be 'c'
        $script:built['WindowsContainers.IsolationTestResult'].Passed | Should -BeTrue
        $script:built['WindowsContainers.ContainerProcess'].ContainerName | Should -Be 'c'
    }

    It 'Should let a stand-in built with PSTypeName in its hashtable keep exactly its own properties and values' {
        $standIn = [pscustomobject]@{ PSTypeName = 'WindowsContainers.ContainerProcess'; ContainerName = 'x'; HostProcessId = 5; VisibleOnHost = $true; ProcessName = 'p' }
        $standIn.ContainerName | Should -Be 'x'
        $standIn.HostProcessId | Should -Be 5
        $standIn.VisibleOnHost | Should -BeTrue
        $standIn.ContainerProcessName | Should -Be 'p'
        $container = [pscustomobject]@{ PSTypeName = 'WindowsContainers.Container'; Name = 'n'; Image = 'i' }
        $container.Name | Should -Be 'n'
        @($container.PSObject.Properties | Where-Object MemberType -EQ 'NoteProperty').Name | Should -Be @('Name', 'Image')
        $clone = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($container))
        $clone.Name | Should -Be 'n'
    }

    It 'Should complete <Line> with <Expected>' -ForEach @(
        @{ Line = 'Get-ContainerProcess web | Where-Object '; Expected = @('ProcessName', 'ContainerName', 'ContainerProcessId', 'HostProcessId', 'VisibleOnHost', 'StartTime', 'Path', 'Handles', 'VM', 'TotalProcessorTime') }
        @{ Line = 'Get-ContainerProcess web | Sort-Object '; Expected = @('ProcessName', 'CPU', 'WS') }
        @{ Line = 'Get-IsolatedContainer | Where-Object '; Expected = @('Name', 'Isolation', 'State', 'Backend', 'HostProcessId') }
        @{ Line = 'Get-ContainerImage | Sort-Object '; Expected = @('Name', 'SizeBytes', 'ImportedAt') }
        @{ Line = 'Get-ContainerHost | Select-Object '; Expected = @('DefaultIsolation', 'Backends', 'Build') }
        @{ Line = 'Test-IsolationCompatibility -Image x | Where-Object '; Expected = @('Allowed', 'Reason', 'Suggestion', 'HostBuild') }
        @{ Line = '(Test-ContainerIsolation web).'; Expected = @('ObservedIsolation', 'Passed', 'Reason', 'HostMatches') }
    ) {
        $completion = TabExpansion2 -inputScript $Line -cursorColumn $Line.Length
        $offered = @($completion.CompletionMatches.CompletionText)
        foreach ($name in $Expected) { $offered | Should -Contain $name }
    }

    It 'Should declare OutputType per parameter set for <Command>' -ForEach @(
        @{ Command = 'Test-ContainerIsolation'; Sets = @{ Name = 'WindowsContainers.IsolationTestResult'; InputObject = 'WindowsContainers.IsolationTestResult'; Session = 'WindowsContainers.IsolationTestResult'; NameQuiet = 'System.Boolean'; InputObjectQuiet = 'System.Boolean'; SessionQuiet = 'System.Boolean' } }
        @{ Command = 'Test-IsolationCompatibility'; Sets = @{ Detailed = 'WindowsContainers.IsolationCompatibility'; Quiet = 'System.Boolean' } }
    ) {
        $attributes = (Get-Command $Command).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.OutputTypeAttribute] }
        foreach ($set in $Sets.Keys) {
            $declared = @($attributes | Where-Object { $_.ParameterSetName -contains $set } | ForEach-Object { $_.Type.Name })
            $declared | Should -Be @($Sets[$set]) -Because "-$set returns one type"
        }
        (Get-Command $Command).ParameterSets.Name | Sort-Object | Should -Be @($Sets.Keys | Sort-Object)
    }

    It 'Should still take a container by name for -Quiet, by value and by property name' {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand {
            [pscustomobject]@{ snapshotTakenAt = '2026-01-02T03:04:05.000Z'; results = @(foreach ($n in $Arguments.names) { [pscustomobject]@{ name = $n; error = $null; passed = $true } }) }
        }
        Test-ContainerIsolation web -Quiet | Should -BeTrue
        @([pscustomobject]@{ Name = 'a' }, [pscustomobject]@{ Name = 'b' } | Test-ContainerIsolation -Quiet) | Should -Be @($true, $true)
    }
}
