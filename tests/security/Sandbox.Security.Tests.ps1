# Issue case 4 through the cmdlets: seccomp is on in every process-isolated
# container, -User overrides the image's user, and -UserNamespace maps the
# container's root to an unprivileged host uid and says with -Verbose that the
# rootfs is a copy. Real runc containers in a private state dir.

BeforeDiscovery {
    $script:canRun = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore)
}

BeforeAll {
    $repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
    if (-not (Test-Path $busyboxTar)) { throw "The busybox rootfs tarball is missing ($busyboxTar). Run: bash build/setup.sh" }
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
    # -UserNamespace needs every folder above the state dir to be searchable (the default /var/lib one is).
    $script:base = Join-Path ([System.IO.Path]::GetTempPath()) "wc-sec-sbx-$PID-$(Get-Random)"
    $null = New-Item -ItemType Directory -Path $base
    $env:WINDOWSCONTAINERS_STATE_DIR = Join-Path $base 'state'
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    $null = Import-ContainerImage -Path $busyboxTar -Name busybox

    function script:Get-StatusField([int] $Id, [string] $Field) {
        $line = Get-Content -LiteralPath "/proc/$Id/status" | Where-Object { $_ -like "${Field}:*" } | Select-Object -First 1
        (($line -split ':', 2)[1].Trim() -split '\s+') -join ' '
    }
}

AfterAll {
    Get-IsolatedContainer -Name 'sbx-*' -ErrorAction Ignore | Remove-IsolatedContainer -Force -ErrorAction Continue
    InModuleScope WindowsContainers { Stop-CoreServer }
    if ($null -eq $savedState) { Remove-Item Env:WINDOWSCONTAINERS_STATE_DIR -ErrorAction Ignore } else { $env:WINDOWSCONTAINERS_STATE_DIR = $savedState }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    Remove-Item -LiteralPath $base -Recurse -Force -ErrorAction Ignore
}

Describe 'The process sandbox through New-IsolatedContainer' -Skip:(-not $canRun) {
    It 'Should run the container under seccomp and as the -User given' {
        $container = New-IsolatedContainer -Name sbx-user -Image busybox -Isolation Process -Command sleep, 600 -User 65534:65534
        Get-StatusField $container.HostProcessId 'Seccomp' | Should -Be '2'
        Get-StatusField $container.HostProcessId 'Uid' | Should -Be '65534 65534 65534 65534'
        Get-StatusField $container.HostProcessId 'Gid' | Should -Be '65534 65534 65534 65534'
    }

    It 'Should map root to an unprivileged host uid with -UserNamespace and say the rootfs is a copy' {
        $container = New-IsolatedContainer -Name sbx-userns -Image busybox -Isolation Process -Command sleep, 600 -UserNamespace -Verbose 4>&1 |
            Tee-Object -Variable output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'no idmapped mounts'
        Get-StatusField $container.HostProcessId 'Uid' | Should -Be '1000000000 1000000000 1000000000 1000000000'
    }

    It 'Should refuse -UserNamespace with HyperV isolation before creating anything' {
        { New-IsolatedContainer -Name sbx-vm-userns -Image busybox -Isolation HyperV -Command sleep, 600 -UserNamespace -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,New-IsolatedContainer'
        Test-Path -LiteralPath (Join-Path $env:WINDOWSCONTAINERS_STATE_DIR 'containers' 'sbx-vm-userns') | Should -BeFalse
    }
}
