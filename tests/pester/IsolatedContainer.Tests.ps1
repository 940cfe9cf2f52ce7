# The container cmdlets' own behaviour, with the core mocked: parameter sets,
# pipeline binding, ShouldProcess, how many core calls a pipeline costs, and
# the shape of the objects. The real thing is in IsolatedContainer.E2E.Tests.ps1.
BeforeAll {
    Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force

    function script:New-FakeContainerRecord([string] $Name, [string] $Isolation = 'Process', [string] $State = 'running') {
        [pscustomobject]@{
            name = $Name; id = $Name; backend = 'linux'; image = 'busybox'; isolation = $Isolation; state = $State
            command = @('sleep', '60'); createdAt = '2026-01-02T03:04:05.000Z'; startedAt = '2026-01-02T03:04:06.000Z'
            exitCode = $null; hostPid = 4242; utilityVmId = $null; managed = $true
        }
    }
    # A host PID must be a live process with that start time: the module hands out the host's own
    # Process object for it. This test's own PowerShell is one; its start time as the core would
    # give it (the core's clock starts at the whole-second boot time, so up to 1 s earlier).
    $script:ownStartTimeMs = ([System.DateTimeOffset](Get-Process -Id $PID).StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() - 400
    function script:New-FakeProcessRecord([string] $Container, [int] $ContainerPid, [object] $HostPid, [string] $Name = 'ping') {
        [pscustomobject]@{
            containerName = $Container; containerPid = $ContainerPid; name = $Name; commandLine = "$Name 127.0.0.1"
            claimedHostPid = $HostPid; hostPid = $HostPid; visibleOnHost = $null -ne $HostPid
            startTime = [System.DateTimeOffset]::FromUnixTimeMilliseconds($(if ($HostPid -eq $PID) { $script:ownStartTimeMs } else { 1767323045000 })).ToString('o')
            workingSetBytes = 2MB; privateBytes = 1MB; pagedBytes = 0; nonPagedBytes = 0; cpuSeconds = 1.5; sessionId = 7
        }
    }
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'New-IsolatedContainer' {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand { New-FakeContainerRecord -Name $Arguments.name -Isolation 'Process' }
        # The Windows-image pre-flight: busybox is not a Windows image, so it passes untouched.
        Mock -ModuleName WindowsContainers Invoke-CoreCommand -ParameterFilter { $Command -eq 'isolation.compatibility' } {
            [pscustomobject]@{ host = [pscustomobject]@{ name = 'test' }; results = @([pscustomobject]@{ error = $null; allowed = $null; windowsImage = $false; isolation = $Arguments.isolations[0] }) }
        }
    }

    Context 'When given every parameter' {
        It 'Should send one container.create with the values the core expects' {
            $c = New-IsolatedContainer -Name web -Image busybox -Isolation HyperV -Command ping, 127.0.0.1 -Environment @{ A = 1 } -WorkingDirectory /tmp -Backend linux -MemoryMB 64 -CpuCount 1.5
            $c.PSTypeNames | Should -Contain 'WindowsContainers.Container'
            Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter {
                $Command -eq 'container.create' -and $Arguments.name -eq 'web' -and $Arguments.image -eq 'busybox' -and
                $Arguments.isolation -eq 'HyperV' -and ($Arguments.command -join ' ') -eq 'ping 127.0.0.1' -and
                $Arguments.env.A -eq '1' -and $Arguments.env.A -is [string] -and $Arguments.workingDir -eq '/tmp' -and
                $Arguments.backend -eq 'linux' -and $Arguments.memoryMB -eq 64 -and $Arguments.cpuCount -eq 1.5
            }
        }

        It 'Should leave out what was not given, and default -Isolation to Default' {
            $null = New-IsolatedContainer -Name web -Image busybox
            Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter {
                $Command -eq 'container.create' -and $Arguments.isolation -eq 'Default' -and -not $Arguments.ContainsKey('backend') -and -not $Arguments.ContainsKey('memoryMB') -and @($Arguments.command).Count -eq 0
            }
        }
    }

    Context 'When the input is refused by PowerShell itself' {
        It 'Should refuse -Isolation <Value> before calling the core' -ForEach @(@{ Value = 'Hypervisor' }, @{ Value = 'process-isolation' }, @{ Value = '' }) {
            { New-IsolatedContainer -Name web -Image busybox -Isolation $Value } | Should -Throw -ErrorId 'ParameterArgumentValidationError,New-IsolatedContainer'
            Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 0 -Exactly
        }

        It 'Should refuse an unknown -Backend and a zero memory limit' {
            { New-IsolatedContainer -Name web -Image busybox -Backend kubernetes } | Should -Throw -ErrorId 'ParameterArgumentValidationError,New-IsolatedContainer'
            { New-IsolatedContainer -Name web -Image busybox -MemoryMB 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,New-IsolatedContainer'
            Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 0 -Exactly
        }
    }

    Context 'When run with -WhatIf' {
        It 'Should not call the core at all' {
            New-IsolatedContainer -Name web -Image busybox -WhatIf
            Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 0 -Exactly
        }
    }

    Context 'When the core refuses' {
        BeforeAll {
            # The bridge hands a failure back in -Failure (it never throws at the public command).
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                $Failure.Value = [System.Management.Automation.ErrorRecord]::new([System.ArgumentException]::new("The container name ""a;b"" is not valid"), 'InvalidContainerName', 'InvalidArgument', 'a;b')
            }
        }

        It 'Should write one non-terminating error with the core''s code as its id, naming the command' {
            $out = New-IsolatedContainer -Name 'a;b' -Image busybox -ErrorVariable problems -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $problems.Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be 'InvalidContainerName,New-IsolatedContainer'
            $problems[0].InvocationInfo.MyCommand.Name | Should -Be 'New-IsolatedContainer'
        }

        It 'Should stop with -ErrorAction Stop, matching the README''s Pester pattern' {
            { New-IsolatedContainer -Name 'a;b' -Image busybox -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidContainerName,*'
        }
    }
}

Describe 'Get-IsolatedContainer' {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand {
            [pscustomobject]@{
                containers = @(New-FakeContainerRecord web-1; New-FakeContainerRecord web-2)
                errors     = @([pscustomobject]@{ name = 'broken'; code = 'ContainerStateCorrupt'; category = 'InvalidData'; message = 'The state of container ''broken'' is damaged: /x/container.json is not valid JSON.'; backend = 'linux' })
            }
        }
    }

    It 'Should ask the core once for all the names of a pipeline' {
        $found = 'web*', 'broken' | Get-IsolatedContainer -ErrorAction SilentlyContinue
        @($found).Count | Should -Be 2
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter { $Command -eq 'container.list' -and ($Arguments.names -join ',') -eq 'web*,broken' }
    }

    It 'Should ask for the containers this module made, and for every container with -All' {
        $null = Get-IsolatedContainer -ErrorAction SilentlyContinue
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter { $Command -eq 'container.list' -and $Arguments.all -eq $false }
        $null = Get-IsolatedContainer -All -ErrorAction SilentlyContinue
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter { $Command -eq 'container.list' -and $Arguments.all -eq $true }
    }

    It 'Should still list the readable containers and write the others as errors with the core''s code' {
        $found = Get-IsolatedContainer -ErrorVariable problems -ErrorAction SilentlyContinue
        @($found.Name) | Should -Be @('web-1', 'web-2')
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ContainerStateCorrupt*'
        $problems[0].TargetObject | Should -Be 'broken'
        $problems[0].Exception.Message | Should -Match 'container.json'
    }

    It 'Should type dates and never expose the backend id as Id' {
        $c = @(Get-IsolatedContainer -ErrorAction SilentlyContinue)[0]
        $c.CreatedAt | Should -BeOfType [datetime]
        $c.ContainerId | Should -Be 'web-1'
        # Id is the type data's guard ($null, refused by Stop-Process), never the backend's id.
        $c.Id | Should -BeNullOrEmpty
    }
}

Describe 'Get-ContainerProcess' {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand {
            [pscustomobject]@{ name = $Arguments.name; backend = 'linux'; processes = @(
                    New-FakeProcessRecord -Container $Arguments.name -ContainerPid 1 -HostPid $PID
                    New-FakeProcessRecord -Container $Arguments.name -ContainerPid 7 -HostPid $null -Name 'sh'
                )
            }
        }
    }

    It 'Should take containers by value and names by property name' {
        $container = InModuleScope WindowsContainers { New-ContainerObject -Record ([pscustomobject]@{ name = 'web'; id = 'web'; backend = 'linux'; image = 'b'; isolation = 'Process'; state = 'running'; command = @(); createdAt = $null; startedAt = $null; exitCode = $null; hostPid = 1; utilityVmId = $null; managed = $true }) }
        @($container | Get-ContainerProcess).Count | Should -Be 2
        @([pscustomobject]@{ Name = 'db' } | Get-ContainerProcess).ContainerName | Select-Object -Unique | Should -Be 'db'
    }

    It 'Should give the host''s own process when the host sees it, and a record with Id and Name $null when not' {
        $p = @(Get-ContainerProcess -Name web)
        $p[0] | Should -BeOfType [System.Diagnostics.Process]
        $p[0].Id | Should -Be $PID
        $p[0].HostProcessId | Should -Be $PID
        $p[0].VisibleOnHost | Should -BeTrue
        $p[0].ContainerProcessId | Should -Be 1
        $p[0].ContainerName | Should -Be 'web'
        $p[1] | Should -Not -BeOfType [System.Diagnostics.Process]
        $p[1].Id | Should -BeNullOrEmpty
        $p[1].Name | Should -BeNullOrEmpty
        $p[1].ProcessName | Should -Be 'sh'
        $p[1].ContainerProcessName | Should -Be 'sh'
        $p[1].VisibleOnHost | Should -BeFalse
        $p[1].PSObject.Properties.Name | Should -Not -Contain 'PID'
        foreach ($object in $p) { $object.PSTypeNames[0] | Should -Be 'WindowsContainers.ContainerProcess' }
    }

    It 'Should show Get-Process''s columns and values' {
        $text = Get-ContainerProcess -Name web | Out-String -Width 200
        $text | Should -Match 'NPM\(K\)\s+PM\(M\)\s+WS\(M\)\s+CPU\(s\)\s+Id\s+SI\s+ProcessName\s+ContainerName'
        $text | Should -Match "\s$PID\s+\d+\s+\S+\s+web"
        $text | Should -Match '\s0\s+0\.00\s+2\.00\s+1\.50\s+7\s+sh\s+web'
    }

    It 'Should format the same after a round trip through remoting serialization' {
        $clone = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize(@(Get-ContainerProcess -Name web)[0]))
        $clone.PSTypeNames | Should -Contain 'Deserialized.WindowsContainers.ContainerProcess'
        ($clone | Out-String -Width 200) | Should -Match 'NPM\(K\).*ContainerName'
    }
}

Describe 'Test-ContainerIsolation' {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand {
            [pscustomobject]@{ snapshotTakenAt = '2026-01-02T03:04:05.000Z'; hostProcessCount = 100; results = @(foreach ($n in $Arguments.names) {
                        if ($n -eq 'ghost') { [pscustomobject]@{ name = $n; error = [pscustomobject]@{ code = 'ContainerNotFound'; category = 'ObjectNotFound'; message = "There is no container named '$n'." } } }
                        else {
                            $expected = if ($Arguments.expected.ContainsKey($n)) { $Arguments.expected[$n] } else { 'Process' }
                            [pscustomobject]@{
                                name = $n; backend = 'linux'; configuredIsolation = 'Process'; expectedIsolation = $expected; observedIsolation = 'Process'
                                passed = $expected -eq 'Process'; reason = 'because'; reasons = @('because'); gaps = @(); worker = $null; error = $null
                                snapshotTakenAt = '2026-01-02T03:04:05.000Z'
                                containerProcesses = @(New-FakeProcessRecord -Container $n -ContainerPid 1 -HostPid 4242)
                                hostMatches = @([pscustomobject]@{ containerPid = 1; name = 'ping'; hostPid = 4242; matched = $true; outcome = 'SameProcess'; reason = 'same' })
                            }
                        }
                    })
            }
        }
    }

    It 'Should call the core once for a whole pipeline, so one host snapshot serves all' {
        $results = 'a', 'b', 'c' | ForEach-Object { [pscustomobject]@{ Name = $_ } } | Test-ContainerIsolation
        @($results).Count | Should -Be 3
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter { $Command -eq 'isolation.test' -and ($Arguments.names -join ',') -eq 'a,b,c' }
    }

    It 'Should default the expectation to the container''s own, and send -Isolation for every name' {
        $null = Test-ContainerIsolation -Name a
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter { $Arguments.expected.Count -eq 0 }
        $r = Test-ContainerIsolation -Name a, b -Isolation HyperV
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter { $Arguments.expected.a -eq 'HyperV' -and $Arguments.expected.b -eq 'HyperV' }
        $r.Passed | Should -Be @($false, $false)
    }

    It 'Should return typed results with the evidence' {
        $r = Test-ContainerIsolation -Name a
        $r.PSTypeNames | Should -Contain 'WindowsContainers.IsolationTestResult'
        foreach ($p in 'Name', 'ExpectedIsolation', 'ObservedIsolation', 'Passed', 'Reason', 'ContainerProcesses', 'HostMatches', 'WorkerProcess', 'DecidedBy', 'ContainerView') {
            $r.PSObject.Properties.Name | Should -Contain $p
        }
        $r.ContainerProcesses[0].PSTypeNames | Should -Contain 'WindowsContainers.ContainerProcess'
        $r.HostMatches[0].HostProcessId | Should -Be 4242
    }

    It 'Should return only booleans with -Quiet, $false for a missing container, and write its error' {
        $answers = Test-ContainerIsolation -Name a, ghost -Quiet -ErrorVariable problems -ErrorAction SilentlyContinue
        $answers | Should -Be @($true, $false)
        $answers | ForEach-Object { $_ | Should -BeOfType [bool] }
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound*'
    }

    It 'Should not call the core when there is no input' {
        @() | Test-ContainerIsolation
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 0 -Exactly
    }
}

Describe 'Stop-IsolatedContainer and Remove-IsolatedContainer' {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand { New-FakeContainerRecord -Name $Arguments.name -State 'exited' }
    }

    It 'Should make no core call with -WhatIf' {
        Stop-IsolatedContainer -Name a, b -WhatIf
        Remove-IsolatedContainer -Name a, b -Force -WhatIf
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 0 -Exactly
    }

    It 'Should stop each piped container, pass -TimeoutSeconds, and return it only with -PassThru' {
        $none = 'a', 'b' | ForEach-Object { [pscustomobject]@{ Name = $_ } } | Stop-IsolatedContainer -TimeoutSeconds 3
        $none | Should -BeNullOrEmpty
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 2 -Exactly -ParameterFilter { $Command -eq 'container.stop' -and $Arguments.timeoutSeconds -eq 3 }
        (Stop-IsolatedContainer -Name a -PassThru).State | Should -Be 'exited'
    }

    It 'Should pass -Force to the core' {
        Remove-IsolatedContainer -Name a -Force
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter { $Command -eq 'container.remove' -and $Arguments.force -eq $true }
        Remove-IsolatedContainer -Name b
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter { $Command -eq 'container.remove' -and $Arguments.name -eq 'b' -and $Arguments.force -eq $false }
    }

    It 'Should have a Name set and an InputObject set' {
        foreach ($command in 'Stop-IsolatedContainer', 'Remove-IsolatedContainer', 'Get-ContainerProcess') {
            (Get-Command $command).ParameterSets.Name | Sort-Object | Should -Be @('InputObject', 'Name')
        }
        # -Quiet has sets of its own, so that each set declares the one type it returns;
        # -Session checks remote hosts (tests/pester/Remoting.Fleet.Tests.ps1).
        (Get-Command Test-ContainerIsolation).ParameterSets.Name | Sort-Object |
            Should -Be @('InputObject', 'InputObjectQuiet', 'Name', 'NameQuiet', 'Session', 'SessionQuiet')
    }
}

Describe 'Tab completion of container names' {
    It 'Should offer the names the core knows to <_>, matching the typed prefix' -ForEach @(
        'Get-IsolatedContainer', 'Get-ContainerProcess', 'Test-ContainerIsolation', 'Stop-IsolatedContainer', 'Remove-IsolatedContainer'
    ) {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand { [pscustomobject]@{ containers = @(New-FakeContainerRecord web-1; New-FakeContainerRecord web-2); errors = @() } }
        $typed = "$_ -Name we"
        $completion = TabExpansion2 -inputScript $typed -cursorColumn $typed.Length
        @($completion.CompletionMatches.CompletionText) | Should -Be @('web-1', 'web-2')
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter { $Command -eq 'container.list' -and $Arguments.names[0] -eq 'we*' }
    }

    It 'Should stay silent when the core fails' {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand { throw 'core is gone' }
        $completion = TabExpansion2 -inputScript 'Get-ContainerProcess -Name we' -cursorColumn 'Get-ContainerProcess -Name we'.Length
        @($completion.CompletionMatches | Where-Object ResultType -EQ 'ParameterValue') | Should -BeNullOrEmpty
    }
}

Describe 'Import-ContainerImage' {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand {
            [pscustomobject]@{ name = $Arguments.name; format = 'rootfs'; source = $Arguments.path; importedAt = '2026-01-01T00:00:00Z'; layers = 1; sizeBytes = 2MB; files = 300; defaultCommand = @(); env = @(); workingDir = $null; rootfs = '/x' }
        }
    }

    It 'Should hand the core an absolute path resolved against the current location' {
        Push-Location $TestDrive
        try { $image = Import-ContainerImage -Path ./rootfs.tar -Name busybox }
        finally { Pop-Location }
        $image.PSTypeNames | Should -Contain 'WindowsContainers.ContainerImage'
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 1 -Exactly -ParameterFilter { $Arguments.path -eq (Join-Path $TestDrive 'rootfs.tar') -and [System.IO.Path]::IsPathRooted($Arguments.path) }
    }

    It 'Should import nothing with -WhatIf' {
        Import-ContainerImage -Path ./x.tar -Name x -WhatIf
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -Times 0 -Exactly
    }
}
