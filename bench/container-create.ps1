#Requires -Version 7.4
<#
.SYNOPSIS
Create-and-start through New-IsolatedContainer against raw `runc run --detach` of the same bundle, measured in the same run.
.DESCRIPTION
The module's path is everything a user waits for: the cmdlet, the bridge,
the core's validation, name reservation, mounting the container's rootfs
(an overlay of the image's), writing the OCI config and `runc run
--detach`. The baseline is runc alone: `runc run --detach` on a bundle the
module made, prepared beforehand, started directly by .NET as PowerShell
starts any native command (no shell in between), stdin closed and its output
on pipes nobody reads. That is the floor any runc-based tool sits on: runc
alone starts a bundle that already exists, while the module also mounts the
overlay (a copy of the image where overlayfs cannot be used). Prints the
medians, the ratio of the medians (target: module <= 1.15x raw runc) and its
spread: the ratio of each round's pair of samples, as quartiles and
minimum-maximum.
.PARAMETER Iterations
Samples per side, interleaved (at least 25).
#>
[CmdletBinding()]
param(
    [ValidateRange(25, 1000)] [int] $Iterations = 25
)

$ErrorActionPreference = 'Stop'
if (-not $IsLinux -or (id -u) -ne '0') { 'container-create: needs Linux and root; skipped.'; return }
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
$work = Join-Path ([System.IO.Path]::GetTempPath()) "wc-bench-create-$PID"
$null = New-Item -ItemType Directory -Path $work
$env:WINDOWSCONTAINERS_STATE_DIR = Join-Path $work 'state'
Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
Import-Module (Join-Path $PSScriptRoot 'lib' 'BenchTools.psm1') -Force
$runc = (Get-Command runc -CommandType Application | Select-Object -First 1).Source
$rawRoot = Join-Path $work 'raw-root'
$null = New-Item -ItemType Directory -Path $rawRoot

function Measure-Interleaved([System.Collections.IDictionary] $Sides, [int] $Count) {
    # One sample of each side per round, so that a load spike on this shared
    # machine hits both sides alike instead of skewing one of them.
    $samples = @{}
    foreach ($name in $Sides.Keys) { $samples[$name] = [System.Collections.Generic.List[double]]::new() }
    foreach ($i in 1..$Count) {
        foreach ($name in $Sides.Keys) {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            & $Sides[$name].Action $i
            $watch.Stop()
            & $Sides[$name].Cleanup $i
            $samples[$name].Add($watch.Elapsed.TotalMilliseconds)
        }
    }
    $samples
}

function Get-Quantile([double[]] $Values, [double] $Q) {
    $sorted = @($Values | Sort-Object)
    $position = $Q * ($sorted.Count - 1)
    $low = [math]::Floor($position)
    $high = [math]::Ceiling($position)
    $sorted[$low] + ($sorted[$high] - $sorted[$low]) * ($position - $low)
}

try {
    $null = Import-ContainerImage -Path (Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar') -Name busybox

    # The raw side runs the very bundle the module generates (config.json + rootfs), with its own cgroup path.
    $null = New-IsolatedContainer -Name 'bench-template' -Image busybox -Command sleep, 600
    $bundle = Join-Path $work 'bundle'
    $null = New-Item -ItemType Directory -Path $bundle
    cp -a (Join-Path $env:WINDOWSCONTAINERS_STATE_DIR 'containers' 'bench-template' 'rootfs') (Join-Path $bundle 'rootfs')
    $config = Get-Content -Raw (Join-Path $env:WINDOWSCONTAINERS_STATE_DIR 'containers' 'bench-template' 'config.json') | ConvertFrom-Json
    $config.linux.cgroupsPath = "/windowscontainers/bench-raw-$PID"
    $config | ConvertTo-Json -Depth 32 | Set-Content (Join-Path $bundle 'config.json')
    Remove-IsolatedContainer -Name 'bench-template' -Force

    # runc passes its stdio to the container, which keeps it: nothing waits for
    # the pipes to end, only for runc to exit. No shell: a shell's own start-up
    # (~20 ms here) is not part of runc's cost.
    $rawCreate = { param($i) Start-RuncDetached -Runc $runc -Arguments '--root', $rawRoot, 'run', '--detach', '--bundle', $bundle, "raw-$i" }
    $rawCleanup = { param($i) & $runc --root $rawRoot delete --force "raw-$i" }
    $moduleCreate = { param($i) $null = New-IsolatedContainer -Name "bench-$i" -Image busybox -Isolation Process -Command sleep, 600 }
    $moduleCleanup = { param($i) Remove-IsolatedContainer -Name "bench-$i" -Force }

    # Warm-up both sides once.
    & $rawCreate 0; & $rawCleanup 0
    & $moduleCreate 0; & $moduleCleanup 0

    $samples = Measure-Interleaved -Count $Iterations -Sides ([ordered]@{
            raw    = @{ Action = $rawCreate; Cleanup = $rawCleanup }
            module = @{ Action = $moduleCreate; Cleanup = $moduleCleanup }
        })
    $raw = Get-Median $samples.raw
    $module = Get-Median $samples.module
    $ratio = $module / $raw
    $pairs = @(foreach ($i in 0..($Iterations - 1)) { $samples.module[$i] / $samples.raw[$i] })

    'create and start ({0} interleaved rounds; median, min-max):' -f $Iterations
    '  raw runc run --detach, started directly  {0,8:N1} ms  ({1:N1}-{2:N1})' -f $raw, ($samples.raw | Measure-Object -Minimum).Minimum, ($samples.raw | Measure-Object -Maximum).Maximum
    '  New-IsolatedContainer                    {0,8:N1} ms  ({1:N1}-{2:N1})' -f $module, ($samples.module | Measure-Object -Minimum).Minimum, ($samples.module | Measure-Object -Maximum).Maximum
    '  module / raw runc = {0:N2}x  (target <= 1.15x: {1})' -f $ratio, $(if ($ratio -le 1.15) { 'met' } else { 'NOT met' })
    '  spread of the per-round ratio: quartiles {0:N2}x / {1:N2}x / {2:N2}x, min-max {3:N2}x-{4:N2}x' -f (Get-Quantile $pairs 0.25), (Get-Quantile $pairs 0.5), (Get-Quantile $pairs 0.75),
        ($pairs | Measure-Object -Minimum).Minimum, ($pairs | Measure-Object -Maximum).Maximum
}
finally {
    Get-IsolatedContainer -ErrorAction Ignore | Remove-IsolatedContainer -Force -ErrorAction Ignore
    foreach ($id in @(& $runc --root $rawRoot list -q 2>$null)) { if ($id) { & $runc --root $rawRoot delete --force $id } }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
}
