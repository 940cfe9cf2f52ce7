#Requires -Version 7.4
<#
.SYNOPSIS
The main job on the embedded default: Microsoft's "Hyper-V isolation" experiment, as one script.
.DESCRIPTION
Run through `npm run demo`, which does the set-up first. Two busybox
containers run `ping 127.0.0.1`, one with process isolation (runc) and one
with Hyper-V-class isolation (a QEMU utility VM). For each the script shows
what the container sees, what the host sees (Get-Process -Name ping, and the
VM worker process), and the verdict of Test-ContainerIsolation. Both
containers are removed at the end, also when something fails on the way.
#>
[CmdletBinding()]
param()

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '..' 'WindowsContainers.psd1') -Force

function Write-Section([string] $Title) { Write-Host "`n== $Title ==" -ForegroundColor Cyan }
function Write-Step([string] $Text) { Write-Host "`n-- $Text" -ForegroundColor DarkCyan }
function Write-Command([string] $Text) { Write-Host "PS> $Text" -ForegroundColor Yellow }

Write-Section 'This host'
Write-Command 'Get-ContainerHost'
$containerHost = Get-ContainerHost
$containerHost | Format-List | Out-Host
$containerHost.Backends | Format-Table -Wrap | Out-Host

$linux = $containerHost.Backends | Where-Object { $_.Name -eq 'linux' -and $_.Usable }
if (-not $linux) {
    Write-Host 'The linux backend is not usable here (see its Reason above), so the experiment cannot run on this host.' -ForegroundColor Yellow
    exit 1
}
if (-not (Get-ContainerImage -Name busybox -ErrorAction Ignore)) {
    $null = Import-ContainerImage -Path (Join-Path $PSScriptRoot '..' '.tools' 'images' 'busybox-rootfs.tar') -Name busybox
}

# Short names: the worker process is "wc-" + the first 12 characters of the container name
# (Linux keeps 15), and a random suffix keeps parallel runs on one machine apart.
$suffix = [guid]::NewGuid().ToString('n').Substring(0, 4)
$processName = "ping-proc-$suffix"
$hyperVName = "ping-hv-$suffix"
try {
    Write-Section 'Process isolation: the container shares the host kernel'
    Write-Command "New-IsolatedContainer -Name $processName -Image busybox -Isolation Process -Command ping, 127.0.0.1"
    New-IsolatedContainer -Name $processName -Image busybox -Isolation Process -Command ping, 127.0.0.1 | Out-Host
    Start-Sleep -Seconds 1
    Write-Step 'What the container sees'
    Write-Command "Get-ContainerProcess -Name $processName"
    $inside = @(Get-ContainerProcess -Name $processName)
    $inside | Format-Table | Out-Host
    $ping = $inside | Where-Object ContainerProcessName -EQ 'ping' | Select-Object -First 1
    Write-Step 'What the host sees: the very same process'
    Write-Command "Get-Process -Name ping | Where-Object Id -EQ $($ping.HostProcessId)"
    Get-Process -Name ping -ErrorAction Ignore | Where-Object Id -EQ $ping.HostProcessId | Format-Table | Out-Host
    Write-Host ('Inside the container ping is PID {0}; the host runs the very same process as PID {1}.' -f $ping.ContainerProcessId, $ping.HostProcessId) -ForegroundColor Green
    Write-Step 'The verdict'
    Write-Command "Test-ContainerIsolation -Name $processName"
    Test-ContainerIsolation -Name $processName | Format-List Name, ExpectedIsolation, ObservedIsolation, Passed, Reason | Out-Host

    Write-Section 'Hyper-V isolation: the container runs in a utility VM with its own kernel'
    # The bridge turns the core's progress events into Write-Progress while the VM boots.
    Write-Command "New-IsolatedContainer -Name $hyperVName -Image busybox -Isolation HyperV -Command ping, 127.0.0.1"
    New-IsolatedContainer -Name $hyperVName -Image busybox -Isolation HyperV -Command ping, 127.0.0.1 | Out-Host
    Write-Step 'What the container sees: ping, inside the VM'
    Write-Command "Get-ContainerProcess -Name $hyperVName"
    $insideVm = @(Get-ContainerProcess -Name $hyperVName)
    $insideVm | Format-Table | Out-Host
    Write-Step 'What the host sees: only the process-isolated ping, none from the VM'
    Write-Command 'Get-Process -Name ping'
    Get-Process -Name ping -ErrorAction Ignore | Format-Table | Out-Host
    $verdict = Test-ContainerIsolation -Name $hyperVName
    Write-Step 'What the host sees instead: the VM worker process (QEMU, named for the container, like vmwp on Windows)'
    if ($verdict.WorkerProcess -and $verdict.WorkerProcess.Id) {
        Write-Command "Get-Process -Id $($verdict.WorkerProcess.Id)"
        Get-Process -Id $verdict.WorkerProcess.Id | Format-Table | Out-Host
        (Get-Process -Id $verdict.WorkerProcess.Id).CommandLine | Out-Host
    }
    Write-Step 'The verdict'
    Write-Command "Test-ContainerIsolation -Name $hyperVName"
    $verdict | Format-List Name, ExpectedIsolation, ObservedIsolation, Passed, Reason | Out-Host
    Write-Step 'And checked against the wrong expectation: it fails, with the reason'
    Write-Command "Test-ContainerIsolation -Name $hyperVName -Isolation Process"
    Test-ContainerIsolation -Name $hyperVName -Isolation Process | Format-List ExpectedIsolation, ObservedIsolation, Passed, Reason | Out-Host
}
finally {
    Write-Section 'Clean-up'
    foreach ($name in $processName, $hyperVName) {
        if (Get-IsolatedContainer -Name $name -ErrorAction Ignore) {
            Write-Command "Remove-IsolatedContainer -Name $name -Force"
            Remove-IsolatedContainer -Name $name -Force -Confirm:$false
        }
    }
    $left = @(Get-IsolatedContainer -Name $processName, $hyperVName -ErrorAction Ignore).Count
    Write-Host "containers left from this demo: $left"
}
