# Values a person types that the core refuses (environment variable names,
# working directories, users, image references, command arguments, bounds):
# with the real core in a private state directory, each refusal is one
# InvalidArgument record (or the field's own id) whose message names the bad
# value and what to give instead, never zod's text; per item where the
# command works per item. The core refuses them before any backend is asked,
# so these tests need no container runtime.
BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
    $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-args-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $state
    $env:WINDOWSCONTAINERS_STATE_DIR = $state
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    InModuleScope WindowsContainers { Stop-CoreServer }

    # What zod says on its own: none of it may reach a person.
    $script:zodText = '✖|→|Invalid input|Invalid key|Too (big|small)|expected (string|number|array)|Invalid arguments for'

    function script:Get-StoredContainer {
        @(Get-ChildItem -LiteralPath (Join-Path $state 'containers') -Directory -ErrorAction Ignore | Where-Object Name -NotLike '.*')
    }
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $savedState
    Remove-Item -LiteralPath $state -Recurse -Force -ErrorAction Ignore
}

Describe 'A refused value is named, with what to give instead' {
    It '<Command> <Case>' -ForEach @(
        @{ Command = 'New-IsolatedContainer'; Case = "-Environment with '=' in a name"; Parameters = @{ Name = 'am-env'; Image = 'busybox'; Environment = @{ 'A=B' = '1' } }; Shows = @('"A=B"', "contains '='", "without '=' or NUL") }
        @{ Command = 'New-IsolatedContainer'; Case = '-Environment with NUL in a value'; Parameters = @{ Name = 'am-env'; Image = 'busybox'; Environment = @{ GREETING = "a`0b" } }; Shows = @('"GREETING"', 'NUL') }
        @{ Command = 'New-IsolatedContainer'; Case = 'a relative -WorkingDirectory'; Parameters = @{ Name = 'am-wd'; Image = 'busybox'; WorkingDirectory = 'tmp' }; Shows = @('"tmp"', 'not an absolute path', '/tmp') }
        @{ Command = 'New-IsolatedContainer'; Case = 'an empty -WorkingDirectory'; Parameters = @{ Name = 'am-wd'; Image = 'busybox'; WorkingDirectory = '' }; Shows = @('working directory is empty', 'leave it out') }
        @{ Command = 'New-IsolatedContainer'; Case = '-User with two colons'; Parameters = @{ Name = 'am-user'; Image = 'busybox'; User = 'a:b:c' }; Shows = @('"a:b:c"', "more than one ':'", 'uid[:gid]') }
        @{ Command = 'New-IsolatedContainer'; Case = '-User with a space'; Parameters = @{ Name = 'am-user'; Image = 'busybox'; User = 'web user' }; Shows = @('"web user"', 'white space') }
        @{ Command = 'New-IsolatedContainer'; Case = 'an -Image over 300 characters'; Parameters = @{ Name = 'am-image'; Image = 'i' * 301 }; Shows = @('301 characters', 'at most 300') }
        @{ Command = 'New-IsolatedContainer'; Case = 'an -Image with a space'; Parameters = @{ Name = 'am-image'; Image = 'busy box' }; Shows = @('"busy box"', 'white space') }
        @{ Command = 'New-IsolatedContainer'; Case = 'a -Command argument with NUL'; Parameters = @{ Name = 'am-cmd'; Image = 'busybox'; Command = @('sh', "a`0b") }; Shows = @('Argument 2', 'NUL') }
        @{ Command = 'Invoke-ContainerCommand'; Case = "-Environment with '=' in a name"; Parameters = @{ Name = 'am-exec'; Command = @('true'); Environment = @{ 'PATH=/bin' = 'x' } }; Shows = @('"PATH=/bin"', "contains '='") }
        @{ Command = 'Invoke-ContainerCommand'; Case = 'a relative -WorkingDirectory'; Parameters = @{ Name = 'am-exec'; Command = @('true'); WorkingDirectory = 'app/bin' }; Shows = @('"app/bin"', 'not an absolute path') }
        @{ Command = 'Invoke-ContainerCommand'; Case = '-User with an empty group'; Parameters = @{ Name = 'am-exec'; Command = @('true'); User = '1000:' }; Shows = @('"1000:"', 'uid[:gid]') }
        @{ Command = 'Invoke-ContainerCommand'; Case = 'a -Command argument over 65536 characters'; Parameters = @{ Name = 'am-exec'; Command = @('echo', ('x' * 65537)) }; Shows = @('Argument 2', '65537 characters', 'at most 65536') }
        @{ Command = 'Import-ContainerImage'; Case = 'an upper-case -Name'; Parameters = @{ Path = '/am/missing.tar'; Name = 'BusyBox' }; ErrorId = 'InvalidImageReference'; Shows = @('"BusyBox"', 'lowercase', "'busybox'") }
    ) {
        $expectedId = if ($_.ContainsKey('ErrorId')) { $_.ErrorId } else { 'InvalidArgument' }
        $problems = $null
        $null = & $Command @Parameters -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable problems
        @($problems).Count | Should -Be 1 -Because 'one bad value is one non-terminating error'
        $record = $problems[0]
        $record.FullyQualifiedErrorId | Should -Be "$expectedId,$Command"
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception | Should -BeOfType [System.ArgumentException]
        $target = if ($Parameters.ContainsKey('Name')) { $Parameters.Name } else { $null }
        if ($target) { $record.TargetObject | Should -Be $target }
        foreach ($fragment in $Shows) { $record.Exception.Message | Should -BeLike "*$([System.Management.Automation.WildcardPattern]::Escape($fragment))*" }
        $record.Exception.Message | Should -Not -Match $zodText
        { & $Command @Parameters -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "$expectedId,$Command"
        Get-StoredContainer | Should -BeNullOrEmpty -Because 'a refused value creates nothing'
    }

    It 'Should refuse the bad value once per piped container, go on to the next, and stop at the first with -ErrorAction Stop' {
        $problems = $null
        $null = 'am-1', 'am-2' | New-IsolatedContainer -Image busybox -WorkingDirectory tmp -ErrorAction SilentlyContinue -ErrorVariable problems
        @($problems).Count | Should -Be 2
        @($problems.TargetObject) | Should -Be @('am-1', 'am-2')
        foreach ($record in $problems) { $record.FullyQualifiedErrorId | Should -Be 'InvalidArgument,New-IsolatedContainer' }
        $caught = $null
        try { 'am-1', 'am-2' | New-IsolatedContainer -Image busybox -WorkingDirectory tmp -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'InvalidArgument,New-IsolatedContainer'
        $caught.TargetObject | Should -Be 'am-1'
        Get-StoredContainer | Should -BeNullOrEmpty
    }

    It 'Should refuse -User through the core rule instead of a bare pattern (no ParameterArgumentValidationError)' {
        { New-IsolatedContainer -Name am-user -Image busybox -User 'a:b:c' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidArgument,New-IsolatedContainer' -ExpectedMessage '*"a:b:c"*name`[:group`]*'
    }

    It '<Command> <Case> (terminating: the command cannot go on)' -ForEach @(
        @{ Command = 'Set-IsolatedContainerState'; Case = 'an -Image over 300 characters'; Parameters = @{ Name = 'am-state'; Image = 'i' * 301 }; Shows = @('301 characters', 'at most 300') }
        @{ Command = 'Test-IsolatedContainerState'; Case = 'a -Command argument with NUL'; Parameters = @{ Name = 'am-state'; Command = @("a`0") }; Shows = @('Argument 1', 'NUL') }
        @{ Command = 'Test-IsolationCompatibility'; Case = 'an -ImageBuild over 64 characters'; Parameters = @{ Image = 'mcr.microsoft.com/windows/servercore:ltsc2022'; HostBuild = '20348'; ImageBuild = '1' * 65 }; Shows = @('image build', '65 characters', '20348') }
        @{ Command = 'Test-IsolationCompatibility'; Case = 'a -HostEdition over 200 characters'; Parameters = @{ Image = 'mcr.microsoft.com/windows/servercore:ltsc2022'; HostEdition = 'W' * 201 }; Shows = @('host edition', '201 characters') }
        @{ Command = 'Get-IsolatedContainer'; Case = '1001 names in one call'; Parameters = @{ Name = @(1..1001 | ForEach-Object { "am-$_" }) }; Shows = @('1001 names', 'at most 1000', 'wildcard') }
    ) {
        $caught = $null
        $confirm = if ((Get-Command $Command).Parameters.ContainsKey('Confirm')) { @{ Confirm = $false } } else { @{} }
        try { $null = & $Command @Parameters @confirm -ErrorAction SilentlyContinue } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -Be "InvalidArgument,$Command"
        $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
        foreach ($fragment in $Shows) { $caught.Exception.Message | Should -BeLike "*$([System.Management.Automation.WildcardPattern]::Escape($fragment))*" }
        $caught.Exception.Message | Should -Not -Match $zodText
    }
}

Describe 'Test-ContainerIsolation over more containers than one request takes' {
    BeforeAll {
        Mock -ModuleName WindowsContainers Invoke-CoreCommand -ParameterFilter { $Command -eq 'isolation.test' } {
            if (@($Arguments.names).Count -gt 1000) { throw 'the core takes at most 1000 names per request' }
            [pscustomobject]@{ snapshotTakenAt = '2026-01-02T03:04:05.000Z'; hostProcessCount = 1; results = @(foreach ($n in $Arguments.names) {
                        [pscustomobject]@{ name = $n; error = $null; passed = $true }
                    })
            }
        }
    }

    It 'Should test 1000 at a time and answer every input in order' {
        $names = @(1..2001 | ForEach-Object { "c-$_" })
        $answers = @($names | ForEach-Object { [pscustomobject]@{ Name = $_ } } | Test-ContainerIsolation -Quiet)
        $answers.Count | Should -Be 2001
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -ParameterFilter { $Command -eq 'isolation.test' } -Times 3 -Exactly
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -ParameterFilter { $Command -eq 'isolation.test' -and @($Arguments.names)[0] -eq 'c-1001' -and @($Arguments.names).Count -eq 1000 } -Times 1 -Exactly
    }

    It 'Should ask about a container named twice once, and answer it twice' {
        $answers = @('c-1', 'C-1', 'c-2' | ForEach-Object { [pscustomobject]@{ Name = $_ } } | Test-ContainerIsolation -Quiet)
        $answers.Count | Should -Be 3
        Should -Invoke -ModuleName WindowsContainers Invoke-CoreCommand -ParameterFilter { $Command -eq 'isolation.test' -and @($Arguments.names).Count -eq 2 } -Times 1 -Exactly
    }
}
