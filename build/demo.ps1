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

Write-Section 'This host'
$containerHost = Get-ContainerHost
$containerHost | Format-List | Out-Host
$containerHost.Backends | Format-Table -Wrap | Out-Host

# Short names: the worker process is "wc-" + the first 12 characters of the container name
# (Linux keeps 15), and a random suffix keeps parallel runs on one machine apart.
$suffix = [guid]::NewGuid().ToString('n').Substring(0, 4)
$processName = "ping-proc-$suffix"
$hyperVName = "ping-hv-$suffix"
try {
    Write-Section 'Process isolation: the container shares the host kernel'
    $null = New-IsolatedContainer -Name $processName -Image busybox -Isolation Process -Command ping, 127.0.0.1
    Start-Sleep -Seconds 1
    Write-Step "What the container sees (Get-ContainerProcess -Name $processName)"
    $inside = @(Get-ContainerProcess -Name $processName)
    $inside | Format-Table | Out-Host
    Write-Step 'What the host sees (Get-Process -Name ping): the very same process'
    $hostPids = @($inside | Where-Object ContainerProcessName -EQ 'ping' | ForEach-Object HostProcessId)
    Get-Process -Name ping -ErrorAction Ignore | Where-Object Id -In $hostPids | Format-Table | Out-Host
    Write-Step "The verdict (Test-ContainerIsolation -Name $processName)"
    Test-ContainerIsolation -Name $processName | Format-List Name, ExpectedIsolation, ObservedIsolation, Passed, Reason | Out-Host

    Write-Section 'Hyper-V isolation: the container runs in a utility VM with its own kernel'
    # The bridge turns the core's progress events into Write-Progress while the VM boots.
    $null = New-IsolatedContainer -Name $hyperVName -Image busybox -Isolation HyperV -Command ping, 127.0.0.1
    Write-Step "What the container sees (Get-ContainerProcess -Name $hyperVName): ping, inside the VM"
    $insideVm = @(Get-ContainerProcess -Name $hyperVName)
    $insideVm | Format-Table | Out-Host
    Write-Step 'What the host sees (Get-Process -Name ping): only the process-isolated ping, none from the VM'
    Get-Process -Name ping -ErrorAction Ignore | Format-Table | Out-Host
    $verdict = Test-ContainerIsolation -Name $hyperVName
    Write-Step 'What the host sees instead: the VM worker process (QEMU, named for the container, like vmwp on Windows)'
    if ($verdict.WorkerProcess -and $verdict.WorkerProcess.Id) {
        Get-Process -Id $verdict.WorkerProcess.Id | Format-Table | Out-Host
        (Get-Process -Id $verdict.WorkerProcess.Id).CommandLine | Out-Host
    }
    Write-Step "The verdict (Test-ContainerIsolation -Name $hyperVName)"
    $verdict | Format-List Name, ExpectedIsolation, ObservedIsolation, Passed, Reason | Out-Host
    Write-Step 'And checked against the wrong expectation (-Isolation Process): it fails, with the reason'
    Test-ContainerIsolation -Name $hyperVName -Isolation Process | Format-List ExpectedIsolation, ObservedIsolation, Passed, Reason | Out-Host
}
finally {
    Write-Section 'Clean-up'
    foreach ($name in $processName, $hyperVName) {
        if (Get-IsolatedContainer -Name $name -ErrorAction Ignore) {
            Remove-IsolatedContainer -Name $name -Force -Confirm:$false
            Write-Host "removed $name"
        }
    }
    @(Get-IsolatedContainer -Name $processName, $hyperVName -ErrorAction Ignore).Count | ForEach-Object { Write-Host "containers left from this demo: $_" }
}
