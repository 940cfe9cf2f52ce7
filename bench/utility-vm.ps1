#Requires -Version 7.4
<#
.SYNOPSIS
Hyper-V-class containers on Linux, per guest kernel: create-to-ready through New-IsolatedContainer with the minimal, cloud and generic kernels against a raw QEMU boot of the generic kernel, QEMU's resident memory per kernel, the agent's ps round trip.
.DESCRIPTION
All measured in this run, in a private state directory, with the kernels
set-up installed (minimal/, cloud/, generic/ under the kernels directory;
those missing are reported and skipped):
- create-to-ready per kernel: New-IsolatedContainer -Isolation HyperV with
  the core already running (bridge, core, initramfs build, KVM-probe cache,
  QEMU launch, wait for the guest agent), the kernel chosen with
  WINDOWSCONTAINERS_KERNEL (the module is re-imported per kernel, so each
  kernel gets its own core; the re-import is not timed);
- the baseline: QEMU started directly with the generic kernel, the same
  arguments and the same initramfs until the agent's ready line
  (bench/lib/raw-vm-boot.mjs), no core involved. Rounds alternate the kernels
  and the baseline so that drift in the machine's load hits all of them.
  Target: the best kernel's create-to-ready <= 0.2x the raw generic boot.
- QEMU's resident memory two seconds after ready, per kernel, and its ratio
  to the generic kernel's (target <= 0.6x);
- the agent's process listing per kernel: Get-ContainerProcess (median of
  -PsSamples), and a ps request on the raw generic VM's socket.
Prints medians with the spread (minimum-maximum) over the rounds.
.PARAMETER Boots
Rounds; each boots every kernel once through the module, and the raw baseline once.
.PARAMETER PsSamples
Process listings per boot.
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 20)] [int] $Boots = 5,
    [ValidateRange(1, 200)] [int] $PsSamples = 10
)

$ErrorActionPreference = 'Stop'
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
$stateDir = Join-Path ([System.IO.Path]::GetTempPath()) ('wc-bench-vm-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
$previousState = $env:WINDOWSCONTAINERS_STATE_DIR
$env:WINDOWSCONTAINERS_STATE_DIR = $stateDir
$node = (Get-Command node -CommandType Application | Select-Object -First 1).Source
$rawBoot = Join-Path $PSScriptRoot 'lib' 'raw-vm-boot.mjs'

Import-Module (Join-Path $PSScriptRoot 'lib' 'BenchTools.psm1') -Force

function Get-Spread([double[]] $Values, [double] $Scale = 1, [string] $Format = 'N0') {
    $sorted = @($Values | Sort-Object)
    '{0} ({1}-{2})' -f ((Get-Median $Values) / $Scale).ToString($Format), ($sorted[0] / $Scale).ToString($Format), ($sorted[-1] / $Scale).ToString($Format)
}

function Import-WithKernel([string] $Kernel) {
    # The core reads WINDOWSCONTAINERS_KERNEL when it boots a VM; a new core per kernel.
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_KERNEL = $Kernel
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    $null = Get-IsolatedContainer   # starts the core: create-to-ready is measured with it running
}

$previousKernel = $env:WINDOWSCONTAINERS_KERNEL
try {
    $kernelsDir = if ($env:WINDOWSCONTAINERS_KERNEL_DIR) { $env:WINDOWSCONTAINERS_KERNEL_DIR } else { '/var/lib/windowscontainers/kernels' }
    $kernels = [ordered]@{}
    foreach ($k in @(@('minimal', 'vmlinux'), @('cloud', 'vmlinuz'), @('generic', 'vmlinuz'))) {
        $file = Join-Path $kernelsDir $k[0] $k[1]
        if (Test-Path -LiteralPath $file) { $kernels[$k[0]] = $file } else { "  ($($k[0]) kernel not installed at ${file}: skipped; npm run bench set-up installs it)" }
    }
    if (-not $kernels.Contains('generic')) { throw "the generic kernel (the baseline) is not installed at $kernelsDir/generic/vmlinuz: run bash build/setup.sh --minimal-kernel" }

    Import-WithKernel $kernels.generic
    $tarball = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
    $null = Import-ContainerImage -Path $tarball -Name busybox
    $command = @('ping', '127.0.0.1')

    # Warm-up with the generic kernel: fills the KVM-probe cache and gives the raw baseline its arguments and initramfs.
    $name = 'bench-vm-warm'
    $null = New-IsolatedContainer -Name $name -Image busybox -Isolation HyperV -Command $command
    $keep = Join-Path $stateDir 'bench-vm.json'
    $initramfsCopy = Join-Path $stateDir 'bench-initramfs.cpio'
    Copy-Item -LiteralPath (Join-Path $stateDir 'containers' $name 'initramfs.cpio') -Destination $initramfsCopy
    Copy-Item -LiteralPath (Join-Path $stateDir 'containers' $name 'vm.json') -Destination $keep
    $record = Get-Content -Raw -LiteralPath $keep | ConvertFrom-Json
    Remove-IsolatedContainer -Name $name -Force -Confirm:$false

    $samples = @{}
    foreach ($k in $kernels.Keys) { $samples[$k] = @{ Ready = [System.Collections.Generic.List[double]]::new(); Rss = [System.Collections.Generic.List[double]]::new(); Ps = [System.Collections.Generic.List[double]]::new() } }
    $raw = [System.Collections.Generic.List[double]]::new()
    $rawPs = [System.Collections.Generic.List[double]]::new()
    $rawRss = [System.Collections.Generic.List[double]]::new()
    $args0 = $null
    foreach ($i in 1..$Boots) {
        $result = & $node $rawBoot $keep $initramfsCopy $PsSamples | ConvertFrom-Json
        if ($LASTEXITCODE) { throw "raw QEMU boot failed (exit $LASTEXITCODE)" }
        $raw.Add($result.readyMs)
        $rawPs.Add($result.psMedianMs)
        $rawRss.Add($result.rssBytes)

        foreach ($k in $kernels.Keys) {
            Import-WithKernel $kernels[$k]
            $name = "bench-vm-$k-$i"
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $null = New-IsolatedContainer -Name $name -Image busybox -Isolation HyperV -Command $command
            $watch.Stop()
            $samples[$k].Ready.Add($watch.Elapsed.TotalMilliseconds)
            try {
                $vm = Get-Content -Raw -LiteralPath (Join-Path $stateDir 'containers' $name 'vm.json') | ConvertFrom-Json
                if ($vm.kernelPath -ne $kernels[$k]) { throw "the VM booted $($vm.kernelPath), not the $k kernel" }
                if ($null -eq $args0) { $args0 = @{} }
                $args0[$k] = ($vm.qemuArgs | Where-Object { $_ -in '-bios' -or $_ -like '*qboot*' }) -join ' '
                $readyAt = [DateTime]::UtcNow
                foreach ($s in 1..$PsSamples) {
                    $w = [System.Diagnostics.Stopwatch]::StartNew()
                    $null = Get-ContainerProcess -Name $name
                    $w.Stop()
                    $samples[$k].Ps.Add($w.Elapsed.TotalMilliseconds)
                }
                $left = 2000 - ([DateTime]::UtcNow - $readyAt).TotalMilliseconds
                if ($left -gt 0) { Start-Sleep -Milliseconds $left }
                $samples[$k].Rss.Add((Get-Process -Id $vm.pid).WorkingSet64)
            }
            finally {
                Remove-IsolatedContainer -Name $name -Force -Confirm:$false
            }
        }
    }

    $rawMedian = Get-Median $raw
    $genericRss = Get-Median $samples.generic.Rss
    "utility VM per kernel ({0}, {1} MB, {2} rounds; median (min-max)):" -f $record.accel.ToUpper(), $record.memoryMB, $Boots
    '  raw QEMU boot of the generic kernel to ready (baseline)  {0,18} ms   RSS {1} MB' -f (Get-Spread $raw), (Get-Spread $rawRss 1MB 'N0')
    foreach ($k in $kernels.Keys) {
        $ready = Get-Median $samples[$k].Ready
        $rss = Get-Median $samples[$k].Rss
        '  {0,-8} New-IsolatedContainer create-to-ready  {1,18} ms = {2:N2}x raw generic   RSS {3} MB = {4:N2}x generic   ps {5} ms{6}' -f $k,
            (Get-Spread $samples[$k].Ready), ($ready / $rawMedian), (Get-Spread $samples[$k].Rss 1MB 'N0'), ($rss / $genericRss), (Get-Spread $samples[$k].Ps 1 'N1'),
            $(if ($args0 -and $args0[$k]) { "   ($($args0[$k]))" } else { '' })
    }
    '  raw agent ps on the generic VM: {0} ms' -f (Get-Spread $rawPs 1 'N1')
    $best = @($kernels.Keys)[0]
    $bestRatio = (Get-Median $samples[$best].Ready) / $rawMedian
    $rssRatio = (Get-Median $samples[$best].Rss) / $genericRss
    '  targets ({0} kernel): create-to-ready <= 0.2x raw generic: {1:N2}x {2}; QEMU RSS <= 0.6x generic: {3:N2}x {4}' -f $best,
        $bestRatio, $(if ($bestRatio -le 0.2) { 'met' } else { 'NOT met' }), $rssRatio, $(if ($rssRatio -le 0.6) { 'met' } else { 'NOT met' })
}
finally {
    Get-IsolatedContainer -ErrorAction Ignore | Remove-IsolatedContainer -Force -Confirm:$false -ErrorAction Continue
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $previousState
    $env:WINDOWSCONTAINERS_KERNEL = $previousKernel
    Remove-Item -LiteralPath $stateDir -Recurse -Force -ErrorAction Ignore
}
