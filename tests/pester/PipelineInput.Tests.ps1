# Pipeline input of the commands that take a container -Name, with the core
# mocked: plain strings bind to -Name by value ('spooler' | Stop-Service is the
# model), containers from Get-IsolatedContainer to -InputObject (never to -Name
# through their string form), other objects with a Name property to -Name by
# property name; and a bad item in the middle of a pipeline is one
# non-terminating error that -ErrorAction Stop turns into a stop.
BeforeDiscovery {
    # Every command that takes a container -Name, with what else it needs to run unattended.
    $perItem = @(
        @{ Command = 'Stop-IsolatedContainer'; Extra = @{ TimeoutSeconds = 1 }; Core = 'container.stop' }
        @{ Command = 'Start-IsolatedContainer'; Extra = @{}; Core = 'container.start' }
        @{ Command = 'Restart-IsolatedContainer'; Extra = @{ TimeoutSeconds = 1 }; Core = 'container.start' }
        @{ Command = 'Remove-IsolatedContainer'; Extra = @{ Force = $true }; Core = 'container.remove' }
        @{ Command = 'Get-ContainerProcess'; Extra = @{}; Core = 'container.processes' }
        @{ Command = 'Get-ContainerLog'; Extra = @{ Tail = 5 }; Core = 'container.logs' }
        @{ Command = 'Invoke-ContainerCommand'; Extra = @{ Command = @('true') }; Core = 'container.exec' }
    )
}

BeforeAll {
    Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force

    function script:New-FakeContainerRecord([string] $Name, [string] $State = 'running') {
        [pscustomobject]@{
            name = $Name; id = $Name; backend = 'linux'; image = 'busybox'; isolation = 'Process'; state = $State
            command = @('sleep', '60'); createdAt = '2026-01-02T03:04:05.000Z'; startedAt = '2026-01-02T03:04:06.000Z'
            exitCode = $null; hostPid = $null; utilityVmId = $null; managed = $true
        }
    }

    # What each command hands the core, and which of its parameters PowerShell bound at that moment.
    $script:calls = [System.Collections.Generic.List[object]]::new()
    $script:publicCommands = @(
        'Stop-IsolatedContainer', 'Start-IsolatedContainer', 'Restart-IsolatedContainer', 'Remove-IsolatedContainer',
        'Get-ContainerProcess', 'Get-ContainerLog', 'Invoke-ContainerCommand', 'Test-ContainerIsolation',
        'Invoke-ContainerIsolationCheck', 'Get-IsolatedContainer', 'New-IsolatedContainer'
    )
    function script:Get-BoundAtCaller {
        # The public command's frame: its BoundParameters are what the pipeline bound for this item.
        $frame = Get-PSCallStack | Where-Object { $_.InvocationInfo.MyCommand.Name -in $publicCommands } | Select-Object -First 1
        if ($null -eq $frame) { return @() }
        @($frame.InvocationInfo.BoundParameters.Keys)
    }

    $script:fakeCore = {
        $names = if ($Arguments.ContainsKey('names')) { @($Arguments.names) } else { @($Arguments.name) }
        $missing = @($names | Where-Object { $_ -like 'nope*' })
        $refused = $Command -notin 'container.list', 'isolation.test' -and $missing.Count
        $script:calls.Add([pscustomobject]@{ Command = $Command; Names = $names; Bound = @(Get-BoundAtCaller); Refused = $refused })
        if ($refused) {
            $Failure.Value = [System.Management.Automation.ErrorRecord]::new(
                [System.Management.Automation.ItemNotFoundException]::new("There is no container named '$($missing[0])'."), 'ContainerNotFound', 'ObjectNotFound', $missing[0])
            return
        }
        switch ($Command) {
            'container.list' {
                [pscustomobject]@{ containers = @($names | Where-Object { $_ -notlike 'nope*' } | ForEach-Object { New-FakeContainerRecord -Name ($_ -replace '\*', '-1') }); errors = @() }
            }
            'container.processes' { [pscustomobject]@{ name = $Arguments.name; backend = 'linux'; processes = @() } }
            'container.logs' {
                [pscustomobject]@{ name = $Arguments.name; backend = 'linux'; truncated = $false; running = $false; cursor = '0'
                    lines = @([pscustomobject]@{ stream = 'stdout'; timestamp = $null; text = "hello from $($Arguments.name)" })
                }
            }
            'container.exec' {
                [pscustomobject]@{ name = $Arguments.name; backend = 'linux'; command = @($Arguments.command); exitCode = 0; stdout = ''; stderr = ''; truncated = $false }
            }
            'container.remove' { [pscustomobject]@{ name = $Arguments.name; backend = 'linux'; removed = $true } }
            'isolation.test' {
                [pscustomobject]@{ snapshotTakenAt = '2026-01-02T03:04:05.000Z'; hostProcessCount = 1; results = @(foreach ($n in $names) {
                            if ($n -like 'nope*') { [pscustomobject]@{ name = $n; error = [pscustomobject]@{ code = 'ContainerNotFound'; category = 'ObjectNotFound'; message = "There is no container named '$n'." } } }
                            else {
                                [pscustomobject]@{
                                    name = $n; backend = 'linux'; configuredIsolation = 'Process'; expectedIsolation = 'Process'; observedIsolation = 'Process'
                                    passed = $true; reason = 'because'; reasons = @('because'); gaps = @(); worker = $null; error = $null
                                    snapshotTakenAt = '2026-01-02T03:04:05.000Z'; containerProcesses = @(); hostMatches = @()
                                }
                            }
                        })
                }
            }
            'isolation.compatibility' {
                [pscustomobject]@{ host = [pscustomobject]@{ name = 'test' }; results = @([pscustomobject]@{ error = $null; allowed = $null; windowsImage = $false; isolation = 'Process' }) }
            }
            default { New-FakeContainerRecord -Name $Arguments.name }
        }
    }

    $script:container = InModuleScope WindowsContainers { New-ContainerObject -Record ([pscustomobject]@{
                name = 'web'; id = 'web'; backend = 'linux'; image = 'busybox'; isolation = 'Process'; state = 'running'; command = @()
                createdAt = $null; startedAt = $null; exitCode = $null; hostPid = $null; utilityVmId = $null; managed = $true
            }) }
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'Parameter metadata' {
    It 'Should take <_> -Name by value and by property name in every set that has -Name from the pipeline' -ForEach @(
        'Stop-IsolatedContainer', 'Start-IsolatedContainer', 'Restart-IsolatedContainer', 'Remove-IsolatedContainer',
        'Get-ContainerProcess', 'Get-ContainerLog', 'Invoke-ContainerCommand', 'Test-ContainerIsolation',
        'Invoke-ContainerIsolationCheck', 'Get-IsolatedContainer', 'New-IsolatedContainer'
    ) {
        $sets = @((Get-Command $_).ParameterSets | Where-Object { $_.Parameters.Name -contains 'Name' })
        $piped = @(foreach ($set in $sets) { $set.Parameters | Where-Object { $_.Name -eq 'Name' -and $_.ValueFromPipelineByPropertyName } })
        $piped.Count | Should -BeGreaterThan 0
        foreach ($parameter in $piped) { $parameter.ValueFromPipeline | Should -BeTrue }
    }

    It 'Should keep <_> -InputObject by value in a set of its own, the default one (as Stop-Service does)' -ForEach @(
        'Stop-IsolatedContainer', 'Start-IsolatedContainer', 'Restart-IsolatedContainer', 'Remove-IsolatedContainer',
        'Get-ContainerProcess', 'Get-ContainerLog', 'Invoke-ContainerCommand', 'Test-ContainerIsolation'
    ) {
        $command = Get-Command $_
        # The default set is bound first: were it the Name set, a container would bind to -Name by property name.
        $command.DefaultParameterSet | Should -Be 'InputObject'
        $inputObject = $command.ParameterSets | Where-Object Name -EQ 'InputObject'
        $inputObject.Parameters.Name | Should -Not -Contain 'Name'
        ($inputObject.Parameters | Where-Object Name -EQ 'InputObject').ValueFromPipeline | Should -BeTrue
    }
}

Describe '<Command> from the pipeline' -ForEach $perItem {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand $fakeCore
    }

    BeforeEach {
        $calls.Clear()
    }

    It 'Should bind plain strings to -Name, one item each, in order' {
        $null = 'web', 'db' | & $Command @Extra
        $mine = @($calls | Where-Object Command -EQ $Core)
        @($mine.Names) | Should -Be @('web', 'db')
        foreach ($call in $mine) {
            $call.Bound | Should -Contain 'Name'
            $call.Bound | Should -Not -Contain 'InputObject'
        }
    }

    It 'Should bind a container from Get-IsolatedContainer to -InputObject, not to -Name' {
        $null = $container | & $Command @Extra
        $mine = @($calls | Where-Object Command -EQ $Core)
        @($mine.Names) | Should -Be @('web')
        $mine[0].Bound | Should -Contain 'InputObject'
        $mine[0].Bound | Should -Not -Contain 'Name'
    }

    It 'Should bind an object with a Name property to -Name by property name' {
        $null = [pscustomobject]@{ Name = 'x' }, [pscustomobject]@{ Name = 'y'; Other = 1 } | & $Command @Extra
        $mine = @($calls | Where-Object Command -EQ $Core)
        @($mine.Names) | Should -Be @('x', 'y')
        $mine[0].Bound | Should -Contain 'Name'
    }

    It 'Should bind a container that came back through remoting (Deserialized.*) by its Name property' {
        $clone = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($container))
        $null = $clone | & $Command @Extra
        @(($calls | Where-Object Command -EQ $Core).Names) | Should -Be @('web')
    }

    It 'Should act on the good names around a bad one and write one non-terminating error naming it' {
        $null = 'a', 'nope', 'b' | & $Command @Extra -ErrorVariable problems -ErrorAction SilentlyContinue
        @(($calls | Where-Object { $_.Command -eq $Core -and -not $_.Refused }).Names) | Should -Be @('a', 'b')
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "ContainerNotFound,$Command"
        $problems[0].TargetObject | Should -Be 'nope'
        $problems[0].Exception.Message | Should -Match "'nope'"
    }

    It 'Should stop at the bad name with -ErrorAction Stop' {
        { 'a', 'nope', 'b' | & $Command @Extra -ErrorAction Stop } | Should -Throw -ErrorId "ContainerNotFound,$Command"
        @(($calls | Where-Object { $_.Command -eq $Core -and -not $_.Refused }).Names) | Should -Be @('a')
        @($calls | Where-Object Refused).Count | Should -Be 1
        @($calls.Names) | Should -Not -Contain 'b' -Because 'the pipeline stops at the first failure'
    }
}

Describe 'Test-ContainerIsolation from the pipeline' {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand $fakeCore
    }

    BeforeEach {
        $calls.Clear()
    }

    It 'Should bind plain strings to -Name and check them in one batch, with -Quiet too' {
        $results = 'web', 'db' | Test-ContainerIsolation
        @($results.Name) | Should -Be @('web', 'db')
        $call = @($calls | Where-Object Command -EQ 'isolation.test')
        $call.Count | Should -Be 1
        $call[0].Names | Should -Be @('web', 'db')
        $call[0].Bound | Should -Contain 'Name'
        'web', 'db' | Test-ContainerIsolation -Quiet | Should -Be @($true, $true)
    }

    It 'Should bind a container to -InputObject, with and without -Quiet' {
        $null = $container | Test-ContainerIsolation
        $calls[0].Bound | Should -Contain 'InputObject'
        $calls[0].Bound | Should -Not -Contain 'Name'
        $calls.Clear()
        $container | Test-ContainerIsolation -Quiet | Should -BeTrue
        $calls[0].Bound | Should -Contain 'InputObject'
    }

    It 'Should bind an object with a Name property by property name' {
        $null = [pscustomobject]@{ Name = 'x' } | Test-ContainerIsolation
        $calls[0].Names | Should -Be @('x')
        $calls[0].Bound | Should -Contain 'Name'
    }

    It 'Should answer the good names around a bad one, write one error naming it, and stop there with -ErrorAction Stop' {
        $results = 'a', 'nope', 'b' | Test-ContainerIsolation -ErrorVariable problems -ErrorAction SilentlyContinue
        @($results.Name) | Should -Be @('a', 'b')
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'ContainerNotFound,Test-ContainerIsolation'
        $problems[0].TargetObject | Should -Be 'nope'
        { 'a', 'nope', 'b' | Test-ContainerIsolation -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotFound,Test-ContainerIsolation'
    }
}

Describe 'Get-IsolatedContainer and New-IsolatedContainer from the pipeline' {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand $fakeCore
    }

    BeforeEach {
        $calls.Clear()
    }

    It 'Should ask Get-IsolatedContainer for plain strings, containers and objects with a Name alike' {
        $null = 'web', $container, [pscustomobject]@{ Name = 'db' } | Get-IsolatedContainer
        $calls[0].Names | Should -Be @('web', 'web', 'db')
    }

    It 'Should create one container per piped name, with the -Image given' {
        $created = 'w1', 'w2' | New-IsolatedContainer -Image busybox
        @($created.Name) | Should -Be @('w1', 'w2')
        @(($calls | Where-Object Command -EQ 'container.create').Names) | Should -Be @('w1', 'w2')
    }

    It 'Should still take Name and Image by property name' {
        $null = [pscustomobject]@{ Name = 'w3'; Image = 'busybox' } | New-IsolatedContainer
        @(($calls | Where-Object Command -EQ 'container.create').Names) | Should -Be @('w3')
    }
}

Describe 'Remove-ContainerImage from the pipeline' {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand -ParameterFilter { $Command -eq 'image.remove' } { [pscustomobject]@{ name = $Arguments.name; removed = $true } }
    }

    It 'Should take image names as plain strings, and images by property name, as Get-ContainerImage does' {
        'busybox', 'alpine' | Remove-ContainerImage
        [pscustomobject]@{ PSTypeName = 'WindowsContainers.ContainerImage'; Name = 'debian' } | Remove-ContainerImage
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -ParameterFilter { $Command -eq 'image.remove' } -Times 3 -Exactly
        foreach ($image in 'busybox', 'alpine', 'debian') {
            Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -ParameterFilter { $Command -eq 'image.remove' -and $Arguments.name -eq $image } -Times 1 -Exactly
        }
    }
}

Describe 'Invoke-ContainerIsolationCheck from the pipeline' {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand $fakeCore
        # The selection is what this test is about: stop before the Pester run, at the evidence.
        Mock -ModuleName WindowsContainers Get-IsolationCheckEvidence {
            $script:calls.Add([pscustomobject]@{ Command = 'evidence'; Names = @($Pattern); Bound = @(Get-BoundAtCaller) })
            throw 'selection recorded'
        }
    }

    BeforeEach {
        $calls.Clear()
    }

    It 'Should select plain strings by -Name' {
        { 'web', 'db' | Invoke-ContainerIsolationCheck -Output None } | Should -Throw 'selection recorded'
        $calls[0].Names | Should -Be @('web', 'db')
        $calls[0].Bound | Should -Contain 'Name'
    }

    It 'Should select containers by -InputObject' {
        { $container | Invoke-ContainerIsolationCheck -Output None } | Should -Throw 'selection recorded'
        $calls[0].Names | Should -Be @('web')
        $calls[0].Bound | Should -Contain 'InputObject'
        $calls[0].Bound | Should -Not -Contain 'Name'
    }

    It 'Should check nothing, with one error, when the pipeline brings no container' {
        $outputPath = Join-Path $TestDrive 'empty.xml'
        $result = @() | Invoke-ContainerIsolationCheck -Output None -OutputPath $outputPath -ErrorAction SilentlyContinue -ErrorVariable failures
        $result | Should -BeNullOrEmpty
        $calls | Should -BeNullOrEmpty -Because 'no container may be selected (before, an empty pipeline checked every container)'
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'NoContainerToCheck,Invoke-ContainerIsolationCheck'
        $outputPath | Should -Not -Exist
        { Get-IsolatedContainer -Name 'nope*' | Invoke-ContainerIsolationCheck -Output None -ErrorAction Stop } | Should -Throw -ErrorId 'NoContainerToCheck,Invoke-ContainerIsolationCheck'
    }

    It 'Should still select everything when given no names (the Name set without a default set)' {
        { Invoke-ContainerIsolationCheck -Output None } | Should -Throw 'selection recorded'
        $calls[0].Names | Should -Be @('*')
    }
}
