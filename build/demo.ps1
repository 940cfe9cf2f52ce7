#Requires -Version 7.4
<#
.SYNOPSIS
The main job on the embedded default: Microsoft's "Hyper-V isolation" experiment, as one script.
.DESCRIPTION
Run through `npm run demo`, which does the set-up first. Each section shows
what the module answers and tidies up after itself.
#>
[CmdletBinding()]
param()

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '..' 'WindowsContainers.psd1') -Force

Write-Host "`n== This host ==" -ForegroundColor Cyan
$containerHost = Get-ContainerHost
$containerHost | Format-List | Out-Host
$containerHost.Backends | Format-Table -Wrap | Out-Host

# --- Process isolation: the host sees the container's own processes ---------------------
if (Get-ContainerHost | ForEach-Object Backends | Where-Object { $_.Name -eq 'linux' -and $_.Usable }) {
    $demoName = "demo-ping-$PID"
    try {
        Write-Host "`n== Process isolation: a busybox container pinging its own loopback ==" -ForegroundColor Cyan
        if (-not (Get-ContainerImage -Name busybox -ErrorAction Ignore)) {
            $null = Import-ContainerImage -Path (Join-Path $PSScriptRoot '..' '.tools' 'images' 'busybox-rootfs.tar') -Name busybox
        }
        Write-Host "PS> New-IsolatedContainer -Name $demoName -Image busybox -Isolation Process -Command ping, 127.0.0.1"
        New-IsolatedContainer -Name $demoName -Image busybox -Isolation Process -Command ping, 127.0.0.1 | Out-Host

        Write-Host "PS> Get-ContainerProcess -Name $demoName        # what the container says it runs"
        $inside = @(Get-ContainerProcess -Name $demoName)
        $inside | Out-Host
        $hostPid = $inside[0].HostProcessId
        Write-Host "PS> Get-Process -Id $hostPid                   # what the host itself says about that PID"
        Get-Process -Id $hostPid | Out-Host
        Write-Host ("Inside the container ping is PID {0}; the host runs the very same process as PID {1}." -f $inside[0].ContainerProcessId, $hostPid) -ForegroundColor Green

        Write-Host "PS> Test-ContainerIsolation -Name $demoName"
        Test-ContainerIsolation -Name $demoName | Format-List Name, ExpectedIsolation, ObservedIsolation, Passed, Reason | Out-Host
    }
    finally {
        Write-Host "PS> Remove-IsolatedContainer -Name $demoName -Force"
        Remove-IsolatedContainer -Name $demoName -Force -ErrorAction Continue
    }
}
else {
    Write-Host "`n(The linux backend is not usable here, so the process-isolation part is skipped: see Get-ContainerHost.)" -ForegroundColor Yellow
}
