# The command surface as PowerShell's own conventions define it, on real
# containers of the linux backend in a private state directory, in the
# -NonInteractive host the runner starts: confirmation that fails closed,
# -ErrorAction on a pipeline with a bad middle item, one ErrorRecord per
# failure with '<ErrorId>,<Command>', a fitting exception type and the
# public command in InvocationInfo, and one rule for names and values.
BeforeDiscovery {
    $script:canRun = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore)
    # ShouldProcess can only fail to ask in a host that cannot prompt.
    $script:nonInteractive = [bool]([Environment]::GetCommandLineArgs() | Where-Object { $_ -match '^-noni' })
}

BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $script:busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
    if (-not (Test-Path $busyboxTar)) { throw "The busybox rootfs tarball is missing ($busyboxTar). Run: bash build/setup.sh" }
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
    $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-surface-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $state
    $env:WINDOWSCONTAINERS_STATE_DIR = $state
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    $null = Import-ContainerImage -Path $busyboxTar -Name busybox

    function script:New-Sleeper([string] $Name) {
        $null = New-IsolatedContainer -Name $Name -Image busybox -Command sleep, 600 -ErrorAction Stop
    }
    function script:Get-StoredName {
        # The containers on disk, by their stored names (what a side effect would change).
        @(Get-ChildItem -LiteralPath (Join-Path $state 'containers') -Directory -ErrorAction Ignore | Where-Object Name -NotLike '.*' | ForEach-Object Name)
    }
    function script:Get-NameObject([string[]] $Name) {
        # What a pipeline of containers or images looks like to -Name (bound by property name).
        foreach ($n in $Name) { [pscustomobject]@{ Name = $n } }
    }
    function script:Get-ContainerState([string] $Name) {
        (Get-IsolatedContainer -Name $Name -ErrorAction Stop).State
    }
}

AfterAll {
    foreach ($name in (Get-StoredName)) { Remove-IsolatedContainer -Name $name -Force -Confirm:$false -ErrorAction Ignore }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $savedState
    Remove-Item -LiteralPath $state -Recurse -Force -ErrorAction Ignore
}

Describe 'Confirmation fails closed in a -NonInteractive host' -Skip:(-not ($canRun -and $nonInteractive)) {
    BeforeAll {
        New-Sleeper 'cf-run'
        $script:spareTar = Join-Path $state 'spare.tar'
        Copy-Item -LiteralPath $busyboxTar -Destination $spareTar
        $null = Import-ContainerImage -Path $busyboxTar -Name 'cf-image'
    }

    # Every state-changing command, each way of asking for confirmation; the
    # check proves the state afterwards is what it was before.
    It '<Command> with <How> stops with ConfirmationFailed and changes nothing' -ForEach @(
        foreach ($how in '-Confirm', '-Force -Confirm', '$ConfirmPreference = Medium') {
            @{ Command = 'New-IsolatedContainer'; How = $how }
            @{ Command = 'Stop-IsolatedContainer'; How = $how }
            @{ Command = 'Remove-IsolatedContainer'; How = $how }
            @{ Command = 'Import-ContainerImage'; How = $how }
            @{ Command = 'Remove-ContainerImage'; How = $how }
        }
    ) {
        $parameters = switch ($Command) {
            'New-IsolatedContainer' { @{ Name = 'cf-new'; Image = 'busybox'; Command = @('sleep', '600') } }
            'Stop-IsolatedContainer' { @{ Name = 'cf-run'; TimeoutSeconds = 0 } }
            'Remove-IsolatedContainer' { @{ Name = 'cf-run' } }
            'Import-ContainerImage' { @{ Path = $spareTar; Name = 'cf-imported' } }
            'Remove-ContainerImage' { @{ Name = 'cf-image' } }
        }
        $preference = 'High'
        switch ($How) {
            '-Confirm' { $parameters.Confirm = $true }
            '-Force -Confirm' {
                $parameters.Confirm = $true
                if ((Get-Command $Command).Parameters.ContainsKey('Force')) { $parameters.Force = $true }
            }
            default { $preference = 'Medium' }
        }
        $containersBefore = Get-StoredName
        $imagesBefore = @((Get-ContainerImage).Name)

        $caught = $null
        # Set where a user sets it (the module's commands read the global one).
        $global:ConfirmPreference = $preference
        try { & $Command @parameters -ErrorAction Continue } catch { $caught = $_ }
        finally { $global:ConfirmPreference = 'High' }

        $caught | Should -Not -BeNullOrEmpty -Because 'a host that cannot ask must not be taken as a yes'
        $caught.FullyQualifiedErrorId | Should -Be "ConfirmationFailed,$Command"
        $caught.InvocationInfo.MyCommand.Name | Should -Be $Command
        $caught.ErrorDetails.RecommendedAction | Should -BeLike '*-Confirm:$false*'
        Get-StoredName | Should -Be $containersBefore
        @((Get-ContainerImage).Name) | Should -Be $imagesBefore
        Get-ContainerState 'cf-run' | Should -Be 'running'
    }

    It '<Command> -WhatIf changes nothing and asks nothing' -ForEach @(
        @{ Command = 'New-IsolatedContainer'; Parameters = @{ Name = 'cf-new'; Image = 'busybox'; Command = @('sleep', '600') } }
        @{ Command = 'Stop-IsolatedContainer'; Parameters = @{ Name = 'cf-run' } }
        @{ Command = 'Remove-IsolatedContainer'; Parameters = @{ Name = 'cf-run'; Force = $true } }
        @{ Command = 'Import-ContainerImage'; Parameters = @{ Name = 'cf-imported' } }
        @{ Command = 'Remove-ContainerImage'; Parameters = @{ Name = 'cf-image' } }
    ) {
        if ($Command -eq 'Import-ContainerImage') { $Parameters.Path = $busyboxTar }
        $containersBefore = Get-StoredName
        $imagesBefore = @((Get-ContainerImage).Name)
        & $Command @Parameters -WhatIf -ErrorAction Stop
        Get-StoredName | Should -Be $containersBefore
        @((Get-ContainerImage).Name) | Should -Be $imagesBefore
        Get-ContainerState 'cf-run' | Should -Be 'running'
    }

    AfterAll {
        Remove-IsolatedContainer -Name 'cf-run' -Force -Confirm:$false -ErrorAction Ignore
        Remove-ContainerImage -Name 'cf-image' -Confirm:$false -ErrorAction Ignore
    }
}

Describe '-ErrorAction on a pipeline with a bad middle item' -Skip:(-not $canRun) {
    BeforeAll {
        New-Sleeper 'ea-a'
        New-Sleeper 'ea-c'
        $null = Import-ContainerImage -Path $busyboxTar -Name 'ea-keep'
        $script:nextId = 0
    }

    AfterAll {
        foreach ($name in (Get-StoredName)) { Remove-IsolatedContainer -Name $name -Force -ErrorAction Ignore }
        Get-ContainerImage -Name 'ea-img-*', 'ea-keep' | Remove-ContainerImage -ErrorAction Ignore
    }

    # Each case: the command, what it gets from the pipeline (good, bad, good),
    # the bad item's ErrorId, and how to see that the good items were processed.
    BeforeDiscovery {
        $script:cases = foreach ($action in 'Stop', 'Continue', 'SilentlyContinue', 'Ignore') {
            @{ Command = 'New-IsolatedContainer'; Action = $action; ErrorId = 'InvalidContainerName' }
            @{ Command = 'Stop-IsolatedContainer'; Action = $action; ErrorId = 'ContainerNotFound' }
            @{ Command = 'Remove-IsolatedContainer'; Action = $action; ErrorId = 'ContainerNotFound' }
            @{ Command = 'Get-IsolatedContainer'; Action = $action; ErrorId = 'ContainerNotFound' }
            @{ Command = 'Get-ContainerProcess'; Action = $action; ErrorId = 'ContainerNotFound' }
            @{ Command = 'Test-ContainerIsolation'; Action = $action; ErrorId = 'ContainerNotFound' }
            @{ Command = 'Import-ContainerImage'; Action = $action; ErrorId = 'InvalidArgument' }
            @{ Command = 'Get-ContainerImage'; Action = $action; ErrorId = 'ImageNotFound' }
            @{ Command = 'Remove-ContainerImage'; Action = $action; ErrorId = 'ImageNotFound' }
            @{ Command = 'Test-IsolationCompatibility'; Action = $action; ErrorId = 'InvalidImageReference' }
        }
    }

    It '<Command> -ErrorAction <Action>' -ForEach $cases {
        $script:nextId++
        $tag = "$($script:nextId)"
        $extra = @{}
        # Good, bad, good; and how many outputs the two good items give.
        switch ($Command) {
            'New-IsolatedContainer' {
                $inputs = @([pscustomobject]@{ Name = "ea-n$tag-1"; Image = 'busybox' }, [pscustomobject]@{ Name = 'ea;bad'; Image = 'busybox' }, [pscustomobject]@{ Name = "ea-n$tag-3"; Image = 'busybox' })
                $extra.Command = @('sleep', '600')
                $done = { @(Get-StoredName | Where-Object { $_ -like "ea-n$tag-*" }).Count }
            }
            'Stop-IsolatedContainer' {
                New-Sleeper "ea-s$tag-1"; New-Sleeper "ea-s$tag-3"
                $inputs = Get-NameObject "ea-s$tag-1", 'ea-missing', "ea-s$tag-3"
                $extra.TimeoutSeconds = 0
                $done = { @("ea-s$tag-1", "ea-s$tag-3" | Where-Object { (Get-ContainerState $_) -eq 'exited' }).Count }
            }
            'Remove-IsolatedContainer' {
                New-Sleeper "ea-r$tag-1"; New-Sleeper "ea-r$tag-3"
                $inputs = Get-NameObject "ea-r$tag-1", 'ea-missing', "ea-r$tag-3"
                $extra.Force = $true
                $done = { 2 - @(Get-StoredName | Where-Object { $_ -like "ea-r$tag-*" }).Count }
            }
            'Import-ContainerImage' {
                $inputs = @([pscustomobject]@{ Path = $busyboxTar; Name = "ea-img-$tag-1" }, [pscustomobject]@{ Path = (Join-Path $state 'missing.tar'); Name = "ea-img-$tag-2" }, [pscustomobject]@{ Path = $busyboxTar; Name = "ea-img-$tag-3" })
                $done = { @(Get-ContainerImage -Name "ea-img-$tag-*").Count }
            }
            'Remove-ContainerImage' {
                $null = Import-ContainerImage -Path $busyboxTar -Name "ea-img-$tag-1"
                $null = Import-ContainerImage -Path $busyboxTar -Name "ea-img-$tag-3"
                $inputs = Get-NameObject "ea-img-$tag-1", 'ea-img-missing', "ea-img-$tag-3"
                $done = { 2 - @(Get-ContainerImage -Name "ea-img-$tag-*").Count }
            }
            'Get-ContainerImage' { $inputs = Get-NameObject 'busybox', 'ea-img-missing', 'ea-keep'; $done = $null }
            'Test-IsolationCompatibility' {
                $inputs = @('mcr.microsoft.com/windows/servercore:ltsc2022', 'Bad:ref:x', 'mcr.microsoft.com/windows/servercore:ltsc2019')
                $extra.HostBuild = '20348'
                $extra.Isolation = 'Process'
                $done = $null
            }
            default { $inputs = Get-NameObject 'ea-a', 'ea-missing', 'ea-c'; $done = $null }
        }

        $problems = $null
        $caught = $null
        $output = $null
        # 2>&1 inside the script block: what reaches the error stream is counted apart from the output.
        # Dot-sourced, so -ErrorVariable lands in this scope.
        try { $output = @(. { $inputs | & $Command @extra -ErrorAction $Action -ErrorVariable problems } 2>&1) } catch { $caught = $_ }
        $written = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $results = @($output | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })

        if ($Action -eq 'Stop') {
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -Be "$ErrorId,$Command"
            $caught.InvocationInfo.MyCommand.Name | Should -Be $Command
            if ($done) {
                # A streaming command stops at the bad item: the first is done, the third is not.
                & $done | Should -Be 1
            }
            return
        }

        $caught | Should -BeNullOrEmpty -Because "-ErrorAction $Action makes one bad item non-terminating"
        if ($done) { & $done | Should -Be 2 }
        else { $results.Count | Should -BeGreaterOrEqual 2 }
        $expectedRecords = if ($Action -eq 'Ignore') { 0 } else { 1 }
        @($problems).Count | Should -Be $expectedRecords -Because 'one failure is one ErrorRecord'
        $expectedWritten = if ($Action -eq 'Continue') { 1 } else { 0 }
        $written.Count | Should -Be $expectedWritten
        if ($expectedRecords -eq 1) {
            $problems[0].FullyQualifiedErrorId | Should -Be "$ErrorId,$Command"
            $problems[0].InvocationInfo.MyCommand.Name | Should -Be $Command
        }
    }
}

Describe 'One ErrorRecord per failure, shaped like a cmdlet''s' -Skip:(-not $canRun) {
    BeforeAll {
        New-Sleeper 'er-run'
    }

    AfterAll {
        Remove-IsolatedContainer -Name 'er-run' -Force -ErrorAction Ignore
    }

    It '<Command> <Case>: <ErrorId>, <ExceptionType>, category <Category>' -ForEach @(
        @{ Command = 'Get-IsolatedContainer'; Case = 'unknown name'; Parameters = @{ Name = 'er-nobody' }; ErrorId = 'ContainerNotFound'; ExceptionType = 'System.Management.Automation.ItemNotFoundException'; Category = 'ObjectNotFound'; Target = 'er-nobody' }
        @{ Command = 'Get-ContainerProcess'; Case = 'unknown name'; Parameters = @{ Name = 'er-nobody' }; ErrorId = 'ContainerNotFound'; ExceptionType = 'System.Management.Automation.ItemNotFoundException'; Category = 'ObjectNotFound'; Target = 'er-nobody' }
        @{ Command = 'Test-ContainerIsolation'; Case = 'unknown name'; Parameters = @{ Name = 'er-nobody' }; ErrorId = 'ContainerNotFound'; ExceptionType = 'System.Management.Automation.ItemNotFoundException'; Category = 'ObjectNotFound'; Target = 'er-nobody' }
        @{ Command = 'Stop-IsolatedContainer'; Case = 'unknown name'; Parameters = @{ Name = 'er-nobody' }; ErrorId = 'ContainerNotFound'; ExceptionType = 'System.Management.Automation.ItemNotFoundException'; Category = 'ObjectNotFound'; Target = 'er-nobody' }
        @{ Command = 'Remove-IsolatedContainer'; Case = 'unknown name'; Parameters = @{ Name = 'er-nobody' }; ErrorId = 'ContainerNotFound'; ExceptionType = 'System.Management.Automation.ItemNotFoundException'; Category = 'ObjectNotFound'; Target = 'er-nobody' }
        @{ Command = 'Remove-IsolatedContainer'; Case = 'running, no -Force'; Parameters = @{ Name = 'er-run' }; ErrorId = 'ContainerRunning'; ExceptionType = 'System.InvalidOperationException'; Category = 'ResourceExists'; Target = 'er-run' }
        @{ Command = 'New-IsolatedContainer'; Case = 'bad name'; Parameters = @{ Name = 'er;bad'; Image = 'busybox'; Command = @('true') }; ErrorId = 'InvalidContainerName'; ExceptionType = 'System.ArgumentException'; Category = 'InvalidArgument'; Target = 'er;bad' }
        @{ Command = 'New-IsolatedContainer'; Case = 'name taken'; Parameters = @{ Name = 'er-run'; Image = 'busybox'; Command = @('true') }; ErrorId = 'ContainerAlreadyExists'; ExceptionType = 'System.InvalidOperationException'; Category = 'ResourceExists'; Target = 'er-run' }
        @{ Command = 'New-IsolatedContainer'; Case = 'unknown image'; Parameters = @{ Name = 'er-new'; Image = 'er-noimage'; Command = @('true') }; ErrorId = 'ImageNotFound'; ExceptionType = 'System.Management.Automation.ItemNotFoundException'; Category = 'ObjectNotFound'; Target = 'er-new' }
        @{ Command = 'Import-ContainerImage'; Case = 'missing file'; Parameters = @{ Path = '/er/missing.tar'; Name = 'er-img' }; ErrorId = 'InvalidArgument'; ExceptionType = 'System.ArgumentException'; Category = 'InvalidArgument'; Target = 'er-img' }
        @{ Command = 'Get-ContainerImage'; Case = 'unknown name'; Parameters = @{ Name = 'er-noimage' }; ErrorId = 'ImageNotFound'; ExceptionType = 'System.Management.Automation.ItemNotFoundException'; Category = 'ObjectNotFound'; Target = 'er-noimage' }
        @{ Command = 'Remove-ContainerImage'; Case = 'unknown name'; Parameters = @{ Name = 'er-noimage' }; ErrorId = 'ImageNotFound'; ExceptionType = 'System.Management.Automation.ItemNotFoundException'; Category = 'ObjectNotFound'; Target = 'er-noimage' }
        @{ Command = 'Test-IsolationCompatibility'; Case = 'malformed reference'; Parameters = @{ Image = 'Bad:ref:x'; HostBuild = '20348' }; ErrorId = 'InvalidImageReference'; ExceptionType = 'System.ArgumentException'; Category = 'InvalidArgument'; Target = 'Bad:ref:x' }
        # Terminating: without a host there is nothing to check any image against.
        @{ Command = 'Test-IsolationCompatibility'; Case = 'no Windows host here'; Parameters = @{ Image = 'mcr.microsoft.com/windows/servercore:ltsc2022' }; ErrorId = 'HostBuildRequired'; ExceptionType = 'System.ArgumentException'; Category = 'InvalidArgument'; Target = $null; Terminating = $true }
    ) {
        $problems = $null
        $thrown = $null
        $expectThrow = $_.ContainsKey('Terminating')
        try { $null = & $Command @Parameters -ErrorAction SilentlyContinue -ErrorVariable problems 2>$null } catch { $thrown = $_ }
        @($problems).Count | Should -Be 1 -Because 'one failure is one ErrorRecord (no duplicate, no RuntimeException from inside the module)'
        if ($expectThrow) { $thrown | Should -Not -BeNullOrEmpty } else { $thrown | Should -BeNullOrEmpty }
        $record = if ($expectThrow) { $thrown } else { $problems[0] }
        $record.FullyQualifiedErrorId | Should -Be "$ErrorId,$Command"
        $record.Exception.GetType().FullName | Should -Be $ExceptionType
        $record.CategoryInfo.Category | Should -Be $Category
        $record.InvocationInfo.MyCommand.Name | Should -Be $Command
        if ($null -ne $Target) { $record.TargetObject | Should -Be $Target }
        $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        # The README's Pester pattern.
        { & $Command @Parameters -ErrorAction Stop } | Should -Throw -ErrorId "$ErrorId,*"
    }

    It 'Get-ContainerHost: a failure of the core is terminating, with the command in its id' {
        InModuleScope WindowsContainers {
            Mock Invoke-CoreCommand { $Failure.Value = New-CoreErrorRecord -ErrorId 'CoreExited' -Message 'The core exited.' }
        }
        $caught = $null
        try { Get-ContainerHost -ErrorAction SilentlyContinue } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'CoreExited,Get-ContainerHost'
        $caught.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $caught.ErrorDetails.RecommendedAction | Should -Match 'again'
    }
}

Describe 'One name rule and one value rule' -Skip:(-not $canRun) {
    BeforeAll {
        $script:created = New-IsolatedContainer -Name 'UX-Case' -Image busybox -Isolation process -Backend LINUX -Command sleep, 600 -ErrorAction Stop
    }

    AfterAll {
        Remove-IsolatedContainer -Name 'ux-case' -Force -ErrorAction Ignore
    }

    It 'Should take -Isolation process and -Backend LINUX as Process and linux' {
        $created.Isolation | Should -BeExactly 'Process'
        $created.Backend | Should -BeExactly 'linux'
    }

    It 'Should refuse a second name that differs only by case as ContainerAlreadyExists, creating nothing' {
        { New-IsolatedContainer -Name 'ux-case' -Image busybox -Command sleep, 600 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ContainerAlreadyExists,New-IsolatedContainer' -ExpectedMessage "*'UX-Case'*"
        Get-StoredName | Where-Object { $_ -ceq 'ux-case' } | Should -BeNullOrEmpty
        @(Get-StoredName | Where-Object { $_ -like 'ux-case' }) | Should -Be @('UX-Case')
    }

    It 'Should find the container by its name in any case, reporting the stored name' {
        @(Get-IsolatedContainer -Name 'ux-case').Name | Should -Be @('UX-Case')
        @(Get-IsolatedContainer -Name 'UX-CASE').Name | Should -Be @('UX-Case')
    }

    It 'Should list its processes by any case and by wildcard, as Get-IsolatedContainer does' {
        @(Get-ContainerProcess -Name 'ux-case').Count | Should -BeGreaterThan 0
        @(Get-ContainerProcess -Name 'ux-c*').Count | Should -BeGreaterThan 0
        @(Get-ContainerProcess -Name 'UX-?ASE').Count | Should -BeGreaterThan 0
    }

    It 'Should return nothing and no error for a wildcard that matches no container (like Get-Process)' {
        $out = Get-ContainerProcess -Name 'no-such-*' -ErrorVariable problems -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        @($problems).Count | Should -Be 0
    }

    It 'Should test isolation by any case and by wildcard, with -Isolation process as Process' {
        Test-ContainerIsolation -Name 'ux-case' -Isolation process -Quiet | Should -BeTrue
        Test-ContainerIsolation -Name 'UX-*' -Isolation Process -Quiet | Should -BeTrue
        (Test-ContainerIsolation -Name 'ux-case' -Isolation process).ExpectedIsolation | Should -BeExactly 'Process'
    }

    It 'Should answer -Quiet with $false, not throw, for an unknown container' {
        Test-ContainerIsolation -Name 'ux-nobody' -Isolation Process -Quiet -ErrorAction SilentlyContinue | Should -Be $false
    }

    It 'Should take -Isolation and -Backend in any case in Test-IsolationCompatibility' {
        $result = Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2022 -HostBuild 20348 -Isolation hyperv, DEFAULT -Backend LINUX
        $result.RequestedIsolation | Should -BeExactly @('HyperV', 'Default')
        $result[1].Isolation | Should -BeExactly 'Process'
    }

    It 'Should stop and remove the container by a name in another case' {
        $stopped = Stop-IsolatedContainer -Name 'ux-CASE' -TimeoutSeconds 0 -PassThru -ErrorAction Stop
        $stopped.Name | Should -BeExactly 'UX-Case'
        $stopped.State | Should -Be 'exited'
        Remove-IsolatedContainer -Name 'ux-case' -ErrorAction Stop
        Get-StoredName | Where-Object { $_ -like 'ux-case' } | Should -BeNullOrEmpty
    }
}
