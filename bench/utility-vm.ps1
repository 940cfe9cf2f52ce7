#Requires -Version 7.4
<#
.SYNOPSIS
Hyper-V-class containers on Linux: create-to-ready through New-IsolatedContainer against a raw QEMU boot, the VM's resident memory, the agent's ps round trip.
.DESCRIPTION
All measured in this run, in a private state directory:
- create-to-ready: New-IsolatedContainer -Isolation HyperV (bridge, core,
  initramfs build, KVM-probe cache, QEMU launch, wait for the guest agent)
  against QEMU started directly with the same arguments, kernel and initramfs
  until the agent's ready line (bench/lib/raw-vm-boot.mjs). Medians of
  alternating runs; target ratio <= 1.15x.
- the utility VM's resident memory on the host (the QEMU process's working set).
- the agent's process listing: Get-ContainerProcess against a ps request on
  the raw agent socket (median of -PsSamples each).
.PARAMETER Boots
Boots per side (each costs seconds of CPU under TCG).
.PARAMETER PsSamples
Process listings per side.
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 20)] [int] $Boots = 5,
    [ValidateRange(1, 200)] [int] $PsSamples = 15
)

$ErrorActionPreference = 'Stop'
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
$stateDir = Join-Path ([System.IO.Path]::GetTempPath()) ('wc-bench-vm-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
$previousState = $env:WINDOWSCONTAINERS_STATE_DIR
$env:WINDOWSCONTAINERS_STATE_DIR = $stateDir
$node = (Get-Command node -CommandType Application | Select-Object -First 1).Source
$rawBoot = Join-Path $PSScriptRoot 'lib' 'raw-vm-boot.mjs'

Import-Module (Join-Path $PSScriptRoot 'lib' 'BenchTools.psm1') -Force

try {
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    $tarball = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
    $null = Import-ContainerImage -Path $tarball -Name busybox
    $command = @('ping', '127.0.0.1')

    # Warm-up: starts the core and fills the KVM-probe cache, as any second container would find them.
    $name = 'bench-vm-warm'
    $null = New-IsolatedContainer -Name $name -Image busybox -Isolation HyperV -Command $command
    $vmJson = Join-Path $stateDir 'containers' $name 'vm.json'
    $keep = Join-Path $stateDir 'bench-vm.json'
    $initramfsCopy = Join-Path $stateDir 'bench-initramfs.cpio'
    Copy-Item -LiteralPath (Join-Path $stateDir 'containers' $name 'initramfs.cpio') -Destination $initramfsCopy
    Copy-Item -LiteralPath $vmJson -Destination $keep
    $record = Get-Content -Raw -LiteralPath $keep | ConvertFrom-Json
    Remove-IsolatedContainer -Name $name -Force -Confirm:$false

    $module = [System.Collections.Generic.List[double]]::new()
    $raw = [System.Collections.Generic.List[double]]::new()
    $rawPs = [System.Collections.Generic.List[double]]::new()
    $rawRss = [System.Collections.Generic.List[double]]::new()
    $moduleRss = [System.Collections.Generic.List[double]]::new()
    $modulePs = [System.Collections.Generic.List[double]]::new()
    foreach ($i in 1..$Boots) {
        # Alternate the sides so that drift in the machine's load hits both.
        $result = & $node $rawBoot $keep $initramfsCopy $PsSamples | ConvertFrom-Json
        if ($LASTEXITCODE) { throw "raw QEMU boot failed (exit $LASTEXITCODE)" }
        $raw.Add($result.readyMs)
        $rawPs.Add($result.psMedianMs)
        $rawRss.Add($result.rssBytes)

        $name = "bench-vm-$i"
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $null = New-IsolatedContainer -Name $name -Image busybox -Isolation HyperV -Command $command
        $watch.Stop()
        $module.Add($watch.Elapsed.TotalMilliseconds)
        try {
            $vm = Get-Content -Raw -LiteralPath (Join-Path $stateDir 'containers' $name 'vm.json') | ConvertFrom-Json
            foreach ($s in 1..$PsSamples) {
                $w = [System.Diagnostics.Stopwatch]::StartNew()
                $null = Get-ContainerProcess -Name $name
                $w.Stop()
                $modulePs.Add($w.Elapsed.TotalMilliseconds)
            }
            $moduleRss.Add((Get-Process -Id $vm.pid).WorkingSet64)
        }
        finally {
            Remove-IsolatedContainer -Name $name -Force -Confirm:$false
        }
    }

    $createMedian = Get-Median $module
    $rawMedian = Get-Median $raw
    $ratio = $createMedian / $rawMedian
    $psModule = Get-Median $modulePs
    $psRaw = Get-Median $rawPs
    "utility VM ({0}, {1} boots per side, {2} MB):" -f $record.accel.ToUpper(), $Boots, $record.memoryMB
    '  create-to-ready, New-IsolatedContainer -Isolation HyperV  {0,9:N0} ms (median)' -f $createMedian
    '  raw QEMU boot of the same kernel+initramfs to ready     {0,9:N0} ms (median)' -f $rawMedian
    '  New-IsolatedContainer / raw = {0:N2}x  (target <= 1.15x: {1})' -f $ratio, $(if ($ratio -le 1.15) { 'met' } else { 'NOT met' })
    '  resident memory of the QEMU process on the host         {0,9:N1} MB (median; raw boot {1:N1} MB)' -f ((Get-Median $moduleRss) / 1MB), ((Get-Median $rawRss) / 1MB)
    '  process listing, Get-ContainerProcess                    {0,9:N1} ms (median of {1})' -f $psModule, $modulePs.Count
    '  process listing, raw agent ps on the socket              {0,9:N1} ms (median of {1} per boot, {2} boots)' -f $psRaw, $PsSamples, $rawPs.Count
    '  Get-ContainerProcess / raw agent ps = {0:N2}x' -f ($psModule / $psRaw)
}
finally {
    Get-IsolatedContainer -ErrorAction Ignore | Remove-IsolatedContainer -Force -Confirm:$false -ErrorAction Continue
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $previousState
    Remove-Item -LiteralPath $stateDir -Recurse -Force -ErrorAction Ignore
}
