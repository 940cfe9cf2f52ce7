# Issue case 5 through the cmdlets: a core killed (kill -9) while it boots a
# HyperV container leaves QEMU running; the next Get-IsolatedContainer, in
# any session, rolls the half-created container back and says so with
# -Verbose, and a finished container beside it is left alone.

BeforeDiscovery {
    $script:canRun = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore) -and [bool](Get-Command qemu-system-x86_64 -ErrorAction Ignore)
}

BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
    if (-not (Test-Path $busyboxTar)) { throw "The busybox rootfs tarball is missing ($busyboxTar). Run: bash build/setup.sh" }
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
    $script:base = Join-Path ([System.IO.Path]::GetTempPath()) "wc-sec-rec-$PID-$(Get-Random)"
    $null = New-Item -ItemType Directory -Path $base
    $env:WINDOWSCONTAINERS_STATE_DIR = Join-Path $base 'state'
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    $null = Import-ContainerImage -Path $busyboxTar -Name busybox

    function script:Test-Alive([int] $Id) {
        try {
            $stat = Get-Content -Raw -LiteralPath "/proc/$Id/stat" -ErrorAction Stop
            ($stat.Substring($stat.LastIndexOf(')') + 2)).Split(' ')[0] -ne 'Z'
        }
        catch { $false }
    }
}

AfterAll {
    Get-IsolatedContainer -Name 'rec-*' -ErrorAction Ignore | Remove-IsolatedContainer -Force -ErrorAction Continue
    InModuleScope WindowsContainers { Stop-CoreServer }
    if ($null -eq $savedState) { Remove-Item Env:WINDOWSCONTAINERS_STATE_DIR -ErrorAction Ignore } else { $env:WINDOWSCONTAINERS_STATE_DIR = $savedState }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    Remove-Item -LiteralPath $base -Recurse -Force -ErrorAction Ignore
}

Describe 'Recovery after a core is killed mid-create' -Skip:(-not $canRun) {
    It 'Should roll back the half-booted VM at the next Get-IsolatedContainer and keep the finished container' {
        $keeper = New-IsolatedContainer -Name rec-keeper -Image busybox -Isolation Process -Command sleep, 3600
        # Another session's core, started by hand so that it can be killed in the middle of its work.
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new((Get-Command node -CommandType Application | Select-Object -First 1).Source)
        $startInfo.ArgumentList.Add((Join-Path $repo 'dist' 'windowscontainers-core.cjs'))
        $startInfo.ArgumentList.Add('serve')
        $startInfo.RedirectStandardInput = $true
        $startInfo.RedirectStandardOutput = $true
        $startInfo.RedirectStandardError = $true
        $other = [System.Diagnostics.Process]::Start($startInfo)
        try {
            $other.StandardInput.WriteLine('{"id":1,"command":"container.create","arguments":{"name":"rec-vm","image":"busybox","isolation":"HyperV","command":["sleep","3600"]}}')
            $other.StandardInput.Flush()
            $journal = Join-Path $env:WINDOWSCONTAINERS_STATE_DIR 'containers' 'rec-vm' '.create-journal.json'
            $deadline = [datetime]::UtcNow.AddSeconds(120)
            $qemuPid = $null
            while ($null -eq $qemuPid -and [datetime]::UtcNow -lt $deadline) {
                try { $qemuPid = (Get-Content -Raw -LiteralPath $journal -ErrorAction Stop | ConvertFrom-Json).worker.pid } catch { $qemuPid = $null }
                if ($null -eq $qemuPid) { Start-Sleep -Milliseconds 50 }
            }
            $qemuPid | Should -Not -BeNullOrEmpty -Because 'the create journal names the QEMU it launched'
        }
        finally {
            $other.Kill()
            $null = $other.WaitForExit(10000)
        }
        Test-Alive $qemuPid | Should -BeTrue -Because 'QEMU outlives the core that launched it'

        $verbose = Get-IsolatedContainer -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match "Rolled back the half-created container 'rec-vm'"
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        while ((Test-Alive $qemuPid) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Test-Alive $qemuPid | Should -BeFalse
        Test-Path -LiteralPath (Join-Path $env:WINDOWSCONTAINERS_STATE_DIR 'containers' 'rec-vm') | Should -BeFalse
        (Get-IsolatedContainer -Name rec-keeper).State | Should -Be 'running'
        Test-Alive $keeper.HostProcessId | Should -BeTrue
    }
}
