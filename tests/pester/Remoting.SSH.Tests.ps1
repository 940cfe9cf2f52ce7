# PowerShell remoting for real: Invoke-Command over SSH (PowerShell's SSH
# transport, the 'powershell' subsystem) to a private sshd on 127.0.0.1 that
# stands in for a remote container host. The "remote" side has its own module
# path (the built package) and its own state directory, set by its sshd
# (SetEnv), and its containers are created through the session. Results come
# back as Deserialized.* objects; they must format with the module's views and
# bind by name when piped back. The test stops its sshd and removes its keys,
# and proves it.
BeforeDiscovery {
    $script:canRun = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore)
}

Describe 'PowerShell remoting over SSH to a private sshd' -Tag E2E, Remoting -Skip:(-not $canRun) {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'helpers' 'FreshPwsh.ps1')
        . (Join-Path $PSScriptRoot 'helpers' 'PrivateSshd.ps1')
        $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
        $script:version = (Get-Content -Raw (Join-Path $repo 'package.json') | ConvertFrom-Json).version
        $script:packageDir = Join-Path $repo 'output' 'WindowsContainers' $version
        if (-not (Test-Path (Join-Path $packageDir 'WindowsContainers.psd1'))) { throw "The package is not built ($packageDir). Run: npm run package" }
        $script:busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
        if (-not (Test-Path $busyboxTar)) { throw "The busybox rootfs tarball is missing ($busyboxTar). Run: bash build/setup.sh" }

        $script:root = New-PrivateTestFolder 'wc-ssh'
        # The remote host's modules: the built package, as Save-PSResource lays it out.
        $script:modules = Join-Path $root 'modules'
        $null = New-Item -ItemType Directory -Path (Join-Path $modules 'WindowsContainers')
        Copy-Item -LiteralPath $packageDir -Destination (Join-Path $modules 'WindowsContainers' $version) -Recurse
        $script:remoteState = Join-Path $root 'remote-state'
        $null = New-Item -ItemType Directory -Path $remoteState
        $remoteEnvironment = @{ PSModulePath = $modules; WINDOWSCONTAINERS_STATE_DIR = $remoteState }
        # The remote side finds its guest kernel where set-up put it, as an installed module does.
        if ($env:WINDOWSCONTAINERS_KERNEL_DIR) { $remoteEnvironment.WINDOWSCONTAINERS_KERNEL_DIR = $env:WINDOWSCONTAINERS_KERNEL_DIR }
        $script:sshd = Start-PrivateSshd -Folder $root -Name 'node1' -Environment $remoteEnvironment
        $script:session = New-PrivateSshSession $sshd

        # This side: the checkout's module for its views and commands, with an empty state of its own.
        $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
        $script:localState = Join-Path $root 'local-state'
        $null = New-Item -ItemType Directory -Path $localState
        $env:WINDOWSCONTAINERS_STATE_DIR = $localState
        Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force

        # The remote host's containers, created through the session.
        $script:created = Invoke-Command -Session $session -ArgumentList $busyboxTar -ScriptBlock {
            param($tarball)
            $ErrorActionPreference = 'Stop'
            $ProgressPreference = 'SilentlyContinue'
            Import-Module WindowsContainers
            $null = Import-ContainerImage -Path $tarball -Name busybox
            New-IsolatedContainer -Name web -Image busybox -Isolation Process -Command ping, 127.0.0.1
            New-IsolatedContainer -Name vm -Image busybox -Isolation HyperV -Command ping, 127.0.0.1
        }
    }

    AfterAll {
        # Whatever a failed test left: the remote containers, the session, the sshd, the folder.
        if ($session -and $session.State -eq 'Opened') {
            Invoke-Command -Session $session { Get-IsolatedContainer | Remove-IsolatedContainer -Force } -ErrorAction Ignore
            Remove-PSSession $session
        }
        if ($sshd) { Stop-PrivateSshd $sshd }
        Remove-Module WindowsContainers -Force -ErrorAction Ignore
        $env:WINDOWSCONTAINERS_STATE_DIR = $savedState
        if ($root -and (Test-Path $root)) {
            if (Test-Path (Join-Path $remoteState 'containers')) {
                $null = Invoke-FreshPwsh -WorkingDirectory $root -Environment @{ WINDOWSCONTAINERS_STATE_DIR = $remoteState; PSModulePath = $modules } -Script (
                    'Import-Module WindowsContainers; Get-IsolatedContainer | Remove-IsolatedContainer -Force -ErrorAction Continue')
            }
            Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction Ignore
        }
    }

    It 'Should listen on 127.0.0.1 only, in its own 0700 folder' {
        $listeners = @(Get-TcpListener -Port $sshd.Port)
        $listeners.Count | Should -Be 1
        $listeners[0].Family | Should -Be 'IPv4'
        $listeners[0].Address | Should -Be '127.0.0.1'
        ([System.IO.File]::GetUnixFileMode($root)) | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        ([System.IO.File]::GetUnixFileMode($sshd.Folder)) | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        Get-Content -LiteralPath (Join-Path $sshd.Folder 'sshd_config') | Should -Contain "Subsystem powershell $(Join-Path $PSHOME 'pwsh') -sshs -NoLogo -NoProfile"
    }

    It 'Should refuse a key it was not given' {
        $stranger = Join-Path $sshd.Folder 'stranger_ed25519'
        & ssh-keygen -q -t ed25519 -N '' -f $stranger
        $options = Get-PrivateSshOption $sshd
        { New-PSSession -HostName localhost -Port $sshd.Port -UserName ([Environment]::UserName) -KeyFilePath $stranger -Options $options -ErrorAction Stop } |
            Should -Throw
    }

    It 'Should have created the containers on the remote side, in its own state directory' {
        @($created).Count | Should -Be 2
        $created[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.WindowsContainers.Container'
        Test-Path (Join-Path $remoteState 'containers' 'web') | Should -BeTrue
        Test-Path (Join-Path $remoteState 'containers' 'vm') | Should -BeTrue
        @(Get-IsolatedContainer).Count | Should -Be 0 -Because 'this side has a state directory of its own'
    }

    Context 'When the verdicts come back' {
        BeforeAll {
            # The one-liner an admin types, without a session object.
            $script:results = @(Invoke-Command -HostName localhost -Port $sshd.Port -UserName ([Environment]::UserName) -KeyFilePath $sshd.KeyFile `
                    -Options (Get-PrivateSshOption $sshd) -ScriptBlock {
                    Import-Module WindowsContainers
                    Get-IsolatedContainer | Test-ContainerIsolation
                } | Sort-Object Name)
        }

        It 'Should return deserialized verdicts labelled with the computer they came from' {
            $results.Count | Should -Be 2
            foreach ($result in $results) {
                $result.PSObject.TypeNames[0] | Should -Be 'Deserialized.WindowsContainers.IsolationTestResult'
                $result.PSComputerName | Should -Be 'localhost'
            }
            ($results | Where-Object Name -EQ 'web').ObservedIsolation | Should -Be 'Process'
            ($results | Where-Object Name -EQ 'vm').ObservedIsolation | Should -Be 'HyperV'
            @($results | Where-Object Passed).Count | Should -Be 2
        }

        It "Should format them with the module's views, not as property lists" {
            $text = $results | Out-String -Width 200
            $text | Should -Match 'Name\s+Expected\s+Observed\s+Passed\s+Reason'
            $text | Should -Not -Match 'ContainerProcesses\s*:'
            $containers = Invoke-Command -Session $session { Import-Module WindowsContainers; Get-IsolatedContainer }
            ($containers | Out-String -Width 200) | Should -Match 'Name\s+Isolation\s+State\s+Backend'
            $hostInfo = Invoke-Command -Session $session { Import-Module WindowsContainers; Get-ContainerHost }
            $hostText = $hostInfo | Out-String -Width 200
            $hostText | Should -Match 'Backends\s+:\s+linux: Process, HyperV'
            $hostText | Should -Not -Match '@\{' -Because 'a deserialized object without a view shows its nested objects as @{...}'
        }

        It 'Should pipe them back to the remote host, where they bind by name' {
            $again = @($results | Invoke-Command -Session $session { Import-Module WindowsContainers; $input | Test-ContainerIsolation } | Sort-Object Name)
            @($again.Name) | Should -Be @('vm', 'web')
            @($again | Where-Object Passed).Count | Should -Be 2
        }

        It 'Should bind them by name here too: not found on this host, and -WhatIf removes nothing anywhere' {
            $notHere = $null
            $local = @($results | Test-ContainerIsolation -ErrorAction SilentlyContinue -ErrorVariable notHere)
            $local.Count | Should -Be 0
            @($notHere).Count | Should -Be 2
            foreach ($record in $notHere) { $record.FullyQualifiedErrorId | Should -BeLike 'ContainerNotFound*' }
            @($notHere.TargetObject | Sort-Object) | Should -Be @('vm', 'web')

            $transcript = Join-Path $root 'whatif.txt'
            $null = Start-Transcript -LiteralPath $transcript
            try { $results | Remove-IsolatedContainer -WhatIf } finally { $null = Stop-Transcript }
            $said = Get-Content -Raw -LiteralPath $transcript
            $said | Should -Match 'What if: .*"Remove container" on target "web"'
            $said | Should -Match 'What if: .*"Remove container" on target "vm"'
            @(Invoke-Command -Session $session { Import-Module WindowsContainers; Get-IsolatedContainer }).Count | Should -Be 2
        }
    }

    It 'Should remove the remote containers, stop its sshd and remove its keys' {
        Invoke-Command -Session $session { Import-Module WindowsContainers; Get-IsolatedContainer | Remove-IsolatedContainer -Force }
        @(Get-ChildItem (Join-Path $remoteState 'containers') -Directory | Where-Object Name -NotLike '.*').Count | Should -Be 0
        Remove-PSSession $session
        Stop-PrivateSshd $sshd
        $sshd.Process.HasExited | Should -BeTrue
        Get-Process -Id $sshd.ProcessId -ErrorAction Ignore | Should -BeNullOrEmpty
        @(Get-TcpListener -Port $sshd.Port).Count | Should -Be 0
        Remove-Item -LiteralPath $sshd.Folder -Recurse -Force
        foreach ($file in 'host_ed25519', 'user_ed25519', 'authorized_keys', 'known_hosts') {
            Test-Path (Join-Path $sshd.Folder $file) | Should -BeFalse
        }
    }
}
