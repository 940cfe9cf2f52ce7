# Issue case 1: the core's log never goes to a folder another local user can
# prepare. Runs as root with a throwaway unprivileged user as the attacker.

BeforeDiscovery {
    $script:runsAsRoot = $IsLinux -and (& id -u) -eq '0'
}

BeforeAll {
    . "$PSScriptRoot/SecurityTestUser.ps1"
    Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force
    $script:user = New-SecurityTestUser
    # A root-only file the attacker would like to see truncated.
    $script:victim = Join-Path '/root' "wc-sec-victim-$PID.txt"
    Set-Content -LiteralPath $victim -Value 'root only, must stay as it is'
    & chmod 600 $victim
    $script:victimPrint = Get-FileFingerprint $victim
    # A base folder the attacker may write into, like /tmp but private to this test.
    $script:base = Join-Path '/tmp' "wc-sec-log-$PID-$(Get-Random)"
    $null = New-Item -ItemType Directory -Path $base
    & chmod 1777 $base
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
}

AfterAll {
    InModuleScope WindowsContainers { Stop-CoreServer }
    if ($null -eq $savedState) { Remove-Item Env:WINDOWSCONTAINERS_STATE_DIR -ErrorAction Ignore } else { $env:WINDOWSCONTAINERS_STATE_DIR = $savedState }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    Remove-Item -LiteralPath $base -Recurse -Force -ErrorAction Ignore
    Remove-Item -LiteralPath $victim -Force -ErrorAction Ignore
    Remove-SecurityTestUser $user
}

Describe 'The core log folder' -Skip:(-not $runsAsRoot) {
    BeforeEach {
        InModuleScope WindowsContainers { Stop-CoreServer }
    }

    Context 'When another user prepared the old shared folder with links named for PIDs' {
        It 'Should neither use nor follow anything there' {
            $shared = Join-Path ([System.IO.Path]::GetTempPath()) 'WindowsContainers'
            $madeShared = -not (Test-Path -LiteralPath $shared)
            if ($madeShared) { Invoke-AsSecurityTestUser $user @('mkdir', '-m', '0777', $shared) }
            $links = foreach ($n in 0..40) { Join-Path $shared "core-$($PID + $n).log" }
            try {
                foreach ($link in $links) { & runuser -u $user.Name -- ln -sf $victim $link 2>$null }
                $env:WINDOWSCONTAINERS_STATE_DIR = Join-Path $base 'state-shared'
                $null = InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }
                $logPath = InModuleScope WindowsContainers { $script:CoreServer.LogPath }
                $logPath | Should -BeLike "$base/state-shared/logs/core-*.log"
                Get-FileFingerprint $victim | Should -Be $victimPrint
            }
            finally {
                InModuleScope WindowsContainers { Stop-CoreServer }
                foreach ($link in $links) { Remove-Item -LiteralPath $link -Force -ErrorAction Ignore }
                if ($madeShared) { Remove-Item -LiteralPath $shared -Recurse -Force -ErrorAction Ignore }
            }
        }
    }

    Context 'When the log folder exists already and is not private' {
        It 'Should refuse a log folder <Case> and change nothing' -ForEach @(
            @{ Case = 'that another user created'; Setup = 'user-dir' }
            @{ Case = 'that is a link to another user''s folder'; Setup = 'link' }
            @{ Case = 'of root with mode 0777'; Setup = 'open-mode' }
        ) {
            $state = Join-Path $base "state-$Setup"
            $null = New-Item -ItemType Directory -Path $state
            & chmod 700 $state
            $logs = Join-Path $state 'logs'
            switch ($Setup) {
                'user-dir' {
                    & chmod 1777 $state
                    Invoke-AsSecurityTestUser $user @('mkdir', '-m', '0700', $logs)
                }
                'link' {
                    $elsewhere = Join-Path $base "attacker-$Setup"
                    Invoke-AsSecurityTestUser $user @('mkdir', '-m', '0777', $elsewhere)
                    $null = New-Item -ItemType SymbolicLink -Path $logs -Target $elsewhere
                }
                'open-mode' {
                    $null = New-Item -ItemType Directory -Path $logs
                    & chmod 777 $logs
                }
            }
            # Links named for every likely PID of the next core.
            $target = (Get-Item -LiteralPath $logs -Force).ResolvedTarget ?? $logs
            foreach ($n in 0..40) { & ln -sf $victim (Join-Path $target "core-$($PID + $n).log") 2>$null }
            $before = @(Get-ChildItem -LiteralPath $target -Force | ForEach-Object Name) -join ','
            $env:WINDOWSCONTAINERS_STATE_DIR = $state

            { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping } } | Should -Throw -ErrorId 'CoreLogFolderUnsafe'

            InModuleScope WindowsContainers { $script:CoreServer } | Should -BeNullOrEmpty
            Get-FileFingerprint $victim | Should -Be $victimPrint
            @(Get-ChildItem -LiteralPath $target -Force | ForEach-Object Name) -join ',' | Should -Be $before
        }
    }

    Context 'When the state folder is another user''s link, or a folder above it is another user''s' {
        It 'Should refuse <Case> before creating anything' -ForEach @(
            @{ Case = 'a state folder that is another user''s link to a root-only folder'; Setup = 'state-link' }
            @{ Case = 'a state folder inside a folder another user owns'; Setup = 'owned-parent' }
        ) {
            switch ($Setup) {
                'state-link' {
                    $watch = Join-Path $base "root-target-$Setup"
                    $null = New-Item -ItemType Directory -Path $watch
                    & chmod 700 $watch
                    $state = Join-Path $base "link-$Setup"
                    Invoke-AsSecurityTestUser $user @('ln', '-s', $watch, $state)
                }
                'owned-parent' {
                    $watch = Join-Path $base "evil-$Setup"
                    Invoke-AsSecurityTestUser $user @('mkdir', '-m', '0777', $watch)
                    $state = Join-Path $watch 'state'
                }
            }
            $before = @(Get-ChildItem -LiteralPath $watch -Force -Recurse | ForEach-Object FullName) -join ','
            $env:WINDOWSCONTAINERS_STATE_DIR = $state

            { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping } } | Should -Throw -ErrorId 'CoreLogFolderUnsafe'

            InModuleScope WindowsContainers { $script:CoreServer } | Should -BeNullOrEmpty
            @(Get-ChildItem -LiteralPath $watch -Force -Recurse | ForEach-Object FullName) -join ',' | Should -Be $before
        }
    }

    Context 'When the module creates the log folder itself' {
        It 'Should make the folder 0700 and the log 0600, owned by the caller' {
            $env:WINDOWSCONTAINERS_STATE_DIR = Join-Path $base 'state-fresh'
            $null = InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }
            $logPath = InModuleScope WindowsContainers { $script:CoreServer.LogPath }
            $folder = Get-Item -LiteralPath (Split-Path $logPath) -Force
            [Convert]::ToString($folder.UnixStat.Mode -band 0xFFF, 8) | Should -Be '700'
            $folder.UnixStat.UserId | Should -Be 0
            $log = Get-Item -LiteralPath $logPath -Force
            [Convert]::ToString($log.UnixStat.Mode -band 0xFFF, 8) | Should -Be '600'
            $log.LinkType | Should -BeNullOrEmpty
        }
    }
}
