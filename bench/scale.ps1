#Requires -Version 7.4
<#
.SYNOPSIS
How the module's cost grows with the number of process containers: list, verdict, processes and remove at 10, 50 and 100 containers, against raw runc in the same run.
.DESCRIPTION
For each size N the benchmark creates N process containers (busybox `sleep`),
then measures:
- the first Get-IsolatedContainer after a fresh core start (module re-imported
  on a state directory that has never run a KVM test boot: a new host), core
  start included, and the warm list after it;
- Test-ContainerIsolation over all N (one pipeline);
- Get-ContainerProcess over all N;
- Remove-IsolatedContainer -Force over all N, against the raw floor: N
  containers from the same kind of bundle (an overlay of the image, runc run
  --detach) removed with `runc kill KILL`, a wait for the main process to end,
  `runc delete` and `umount`, driven from this script;
- the core's resident memory (VmRSS) after the size's work.
Prints a table per size, the per-container slope between the smallest and the
largest size, and the targets: first list <= 1 s, remove <= 2x raw, core RSS
<= 100 MB.
.PARAMETER Sizes
Container counts, ascending.
.PARAMETER WarmSamples
Samples for the warm list, the verdict and the processes (the median is printed).
#>
[CmdletBinding()]
param(
    # Bounded: each container is a process and a log writer on this host.
    # pwsh -File passes "10,100" as one string, which becomes the number
    # 10100: give a list through -Command "& bench/scale.ps1 -Sizes 10,100".
    [ValidateRange(1, 500)]
    [int[]] $Sizes = @(10, 50, 100),

    [ValidateRange(1, 50)]
    [int] $WarmSamples = 3
)

$ErrorActionPreference = 'Stop'
if (-not $IsLinux -or (id -u) -ne '0') { 'scale: needs Linux and root; skipped.'; return }
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
# Under the checkout (gitignored .state-*), not a shared temp folder.
$work = Join-Path $repo ".state-bench-scale-$PID"
$null = New-Item -ItemType Directory -Path $work
$env:WINDOWSCONTAINERS_STATE_DIR = Join-Path $work 'state'
$manifest = Join-Path $repo 'WindowsContainers.psd1'
Import-Module $manifest -Force
Import-Module (Join-Path $PSScriptRoot 'lib' 'BenchTools.psm1') -Force
$runc = (Get-Command runc -CommandType Application | Select-Object -First 1).Source
$rawRoot = Join-Path $work 'raw-root'
$null = New-Item -ItemType Directory -Path $rawRoot

function Get-CoreResidentMB {
    $ping = & (Get-Module WindowsContainers) { Invoke-CoreCommand -Command 'core.ping' -TimeoutSeconds 30 }
    $line = Get-Content "/proc/$($ping.pid)/status" | Where-Object { $_ -like 'VmRSS:*' }
    [double]($line -replace '[^0-9]', '') / 1024
}

function Measure-Ms([scriptblock] $Action) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    & $Action
    $watch.Stop()
    $watch.Elapsed.TotalMilliseconds
}


# runc kill KILL, wait until the main process has ended (a zombie has: PID 1
# here reaps late), runc delete, umount the overlay; per container, in order.
$rawRemoveScript = @'
set -e
runc=$1 root=$2; shift 2
while (($#)); do
  id=$1 pid=$2 rootfs=$3; shift 3
  "$runc" --root "$root" kill "$id" KILL
  while stat=$(cat /proc/$pid/stat 2>/dev/null); do
    state=${stat##*) }; state=${state%% *}
    [[ $state == Z || $state == X ]] && break
    sleep 0.002
  done
  "$runc" --root "$root" delete "$id"
  umount "$rootfs"
done
'@

$results = [System.Collections.Generic.List[object]]::new()
try {
    $null = Import-ContainerImage -Path (Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar') -Name busybox
    $imageRootfs = Join-Path $env:WINDOWSCONTAINERS_STATE_DIR 'images' 'busybox' 'rootfs'
    # The raw side runs the bundle the module generates, with its own cgroup path per container.
    $null = New-IsolatedContainer -Name 'scale-template' -Image busybox -Command sleep, 3600
    $template = Get-Content -Raw (Join-Path $env:WINDOWSCONTAINERS_STATE_DIR 'containers' 'scale-template' 'config.json') | ConvertFrom-Json
    Remove-IsolatedContainer -Name 'scale-template' -Force

    foreach ($size in $Sizes) {
        $names = foreach ($i in 1..$size) { 'scale{0}-{1}' -f $size, $i }
        $createMs = Measure-Ms { foreach ($name in $names) { $null = New-IsolatedContainer -Name $name -Image busybox -Isolation Process -Command sleep, 3600 } }

        # A new core on a state directory with no cached KVM answer: what a new host's first list costs.
        Remove-Module WindowsContainers -Force
        Remove-Item -LiteralPath (Join-Path $env:WINDOWSCONTAINERS_STATE_DIR 'vm') -Recurse -Force -ErrorAction Ignore
        Import-Module $manifest -Force
        $listed = $null
        $firstMs = Measure-Ms { $script:listed = @(Get-IsolatedContainer) }
        if ($listed.Count -ne $size) { throw "listed $($listed.Count) containers, expected $size" }
        $warmMs = Get-Median @(foreach ($s in 1..$WarmSamples) { Measure-Ms { $null = Get-IsolatedContainer } })
        $verdictMs = Get-Median @(foreach ($s in 1..$WarmSamples) {
                Measure-Ms { $r = @($listed | Test-ContainerIsolation); if (@($r | Where-Object Passed).Count -ne $size) { throw 'a container did not pass' } }
            })
        $processesMs = Get-Median @(foreach ($s in 1..$WarmSamples) {
                Measure-Ms { $p = @($listed | Get-ContainerProcess); if ($p.Count -lt $size) { throw "only $($p.Count) processes" } }
            })

        # The raw floor for removing: as many containers on overlays, started by runc directly.
        $raw = foreach ($i in 1..$size) {
            $bundle = Join-Path $work "raw-$i"
            foreach ($d in 'rootfs', 'upper', 'work') { $null = New-Item -ItemType Directory -Path (Join-Path $bundle $d) }
            & mount -t overlay overlay -o "lowerdir=$imageRootfs,upperdir=$(Join-Path $bundle 'upper'),workdir=$(Join-Path $bundle 'work')" (Join-Path $bundle 'rootfs')
            if ($LASTEXITCODE) { throw "mount of the raw overlay $i failed" }
            $template.linux.cgroupsPath = "/windowscontainers/bench-scale-$PID-$i"
            $template | ConvertTo-Json -Depth 32 | Set-Content (Join-Path $bundle 'config.json')
            Start-RuncDetached -Runc $runc -Arguments '--root', $rawRoot, 'run', '--detach', '--bundle', $bundle, '--pid-file', (Join-Path $bundle 'init.pid'), "raw-$i"
            [pscustomobject]@{ Id = "raw-$i"; Bundle = $bundle; Pid = [int](Get-Content (Join-Path $bundle 'init.pid')) }
        }
        # One bash for the whole batch, so the floor pays runc's own cost, not PowerShell's per native call.
        $rawArgs = @(foreach ($c in $raw) { $c.Id; $c.Pid; (Join-Path $c.Bundle 'rootfs') })
        $rawRemoveMs = Measure-Ms {
            & bash -c $rawRemoveScript bash $runc $rawRoot @rawArgs
            if ($LASTEXITCODE) { throw 'the raw remove failed' }
        }
        foreach ($c in $raw) { Remove-Item -LiteralPath $c.Bundle -Recurse -Force }

        $removeMs = Measure-Ms { $listed | Remove-IsolatedContainer -Force }
        if (@(Get-IsolatedContainer).Count -ne 0) { throw 'containers left after remove' }
        $rssMB = Get-CoreResidentMB

        $results.Add([pscustomobject]@{
                Containers = $size; CreateMs = $createMs; FirstListMs = $firstMs; WarmListMs = $warmMs; VerdictMs = $verdictMs
                ProcessesMs = $processesMs; RemoveMs = $removeMs; RawRemoveMs = $rawRemoveMs; CoreRssMB = $rssMB
            })
    }

    'Scale (process containers; first list = fresh core on a new state dir; medians of {0} for warm list, verdict, processes):' -f $WarmSamples
    '  {0,5} {1,10} {2,10} {3,10} {4,10} {5,11} {6,10} {7,10} {8,9} {9,9}' -f 'N', 'create', 'first list', 'warm list', 'verdict', 'processes', 'remove', 'raw remove', 'remove/raw', 'core RSS'
    foreach ($r in $results) {
        '  {0,5} {1,8:N0}ms {2,8:N0}ms {3,8:N1}ms {4,8:N1}ms {5,9:N1}ms {6,8:N0}ms {7,8:N0}ms {8,8:N2}x {9,6:N0} MB' -f $r.Containers, $r.CreateMs, $r.FirstListMs, $r.WarmListMs, $r.VerdictMs, $r.ProcessesMs, $r.RemoveMs, $r.RawRemoveMs, ($r.RemoveMs / $r.RawRemoveMs), $r.CoreRssMB
    }
    if ($results.Count -ge 2) {
        $a = $results[0]; $b = $results[$results.Count - 1]; $n = $b.Containers - $a.Containers
        'per container ({0} -> {1}): create {2:N1} ms each, first list {3:N2} ms, warm list {4:N2} ms, verdict {5:N2} ms, processes {6:N2} ms, remove {7:N1} ms (raw {8:N1} ms)' -f $a.Containers, $b.Containers,
            (($b.CreateMs / $b.Containers) - 0), (($b.FirstListMs - $a.FirstListMs) / $n), (($b.WarmListMs - $a.WarmListMs) / $n), (($b.VerdictMs - $a.VerdictMs) / $n),
            (($b.ProcessesMs - $a.ProcessesMs) / $n), (($b.RemoveMs - $a.RemoveMs) / $n), (($b.RawRemoveMs - $a.RawRemoveMs) / $n)
    }
    $largest = $results[$results.Count - 1]
    $removeRatio = $largest.RemoveMs / $largest.RawRemoveMs
    $maxRss = ($results | Measure-Object -Property CoreRssMB -Maximum).Maximum
    'targets at {0}: first list {1:N0} ms (<= 1000 ms: {2}); remove / raw {3:N2}x (<= 2x: {4}); core RSS {5:N0} MB (<= 100 MB: {6})' -f $largest.Containers,
        $largest.FirstListMs, $(if ($largest.FirstListMs -le 1000) { 'met' } else { 'NOT met' }),
        $removeRatio, $(if ($removeRatio -le 2) { 'met' } else { 'NOT met' }),
        $maxRss, $(if ($maxRss -le 100) { 'met' } else { 'NOT met' })
}
finally {
    Get-IsolatedContainer -ErrorAction Ignore | Remove-IsolatedContainer -Force -ErrorAction Ignore
    foreach ($id in @(& $runc --root $rawRoot list -q 2>$null)) { if ($id) { & $runc --root $rawRoot delete --force $id } }
    foreach ($m in @(Get-Content /proc/self/mountinfo | ForEach-Object { ($_ -split ' ')[4] } | Where-Object { $_ -like "$work/*" })) { & umount -l $m }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
}
