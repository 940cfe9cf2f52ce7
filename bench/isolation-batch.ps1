#Requires -Version 7.4
<#
.SYNOPSIS
Test-ContainerIsolation over 20 containers in one pipeline against 20 single calls, measured in the same run.
.DESCRIPTION
A pipeline of Test-ContainerIsolation collects its input and asks the core
once, so the host's process table is read once for all of the containers;
20 single calls read it 20 times and pay 20 round trips. Prints the medians
and the ratio (target: pipeline <= 0.5x the single calls).
.PARAMETER Containers
How many containers to test.
.PARAMETER Iterations
Samples per side.
#>
[CmdletBinding()]
param(
    [int] $Containers = 20,
    [int] $Iterations = 5
)

$ErrorActionPreference = 'Stop'
if (-not $IsLinux -or (id -u) -ne '0') { 'isolation-batch: needs Linux and root; skipped.'; return }
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
$work = Join-Path ([System.IO.Path]::GetTempPath()) "wc-bench-batch-$PID"
$null = New-Item -ItemType Directory -Path $work
$env:WINDOWSCONTAINERS_STATE_DIR = Join-Path $work 'state'
Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
Import-Module (Join-Path $PSScriptRoot 'lib' 'BenchTools.psm1') -Force

try {
    $null = Import-ContainerImage -Path (Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar') -Name busybox
    $names = foreach ($i in 1..$Containers) { "batch-$i" }
    foreach ($name in $names) { $null = New-IsolatedContainer -Name $name -Image busybox -Command sleep, 3600 }
    $all = @(Get-IsolatedContainer -Name 'batch-*')

    $pipeline = { $results = @($all | Test-ContainerIsolation); if (@($results | Where-Object Passed).Count -ne $Containers) { throw 'a container did not pass' } }
    $singles = { foreach ($name in $names) { $r = Test-ContainerIsolation -Name $name; if (-not $r.Passed) { throw "$name did not pass" } } }
    & $pipeline; & $singles   # warm-up

    $samples = @{ pipeline = [System.Collections.Generic.List[double]]::new(); singles = [System.Collections.Generic.List[double]]::new() }
    foreach ($i in 1..$Iterations) {
        # Interleaved, so load spikes on this shared machine hit both sides alike.
        $samples.pipeline.Add((Measure-Command $pipeline).TotalMilliseconds)
        $samples.singles.Add((Measure-Command $singles).TotalMilliseconds)
    }
    $p = Get-Median $samples.pipeline
    $s = Get-Median $samples.singles
    $ratio = $p / $s
    'Test-ContainerIsolation over {0} containers (median of {1}):' -f $Containers, $Iterations
    '  {0} single calls                 {1,9:N1} ms' -f $Containers, $s
    '  one pipeline (one host snapshot) {0,9:N1} ms' -f $p
    '  pipeline / singles = {0:N2}x  (target <= 0.5x: {1})' -f $ratio, $(if ($ratio -le 0.5) { 'met' } else { 'NOT met' })
}
finally {
    Get-IsolatedContainer -ErrorAction Ignore | Remove-IsolatedContainer -Force -ErrorAction Ignore
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
}
