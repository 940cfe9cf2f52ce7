#Requires -Version 7.4
<#
.SYNOPSIS
The core's host process snapshot against Get-Process, both for every process, measured in the same run.
.DESCRIPTION
Compares a warm call of the core's host.processes command through the
module's bridge (request, /proc read of every process in the core, JSON back,
ConvertFrom-Json into objects) with Get-Process for every process (the .NET
/proc read into Process objects), then touches the same properties on both
sides (name, start time, working set, CPU) so neither side's laziness is
counted as speed. Prints the medians and the ratio core / Get-Process
(target <= 1.0x).
.PARAMETER Iterations
Samples per side.
#>
[CmdletBinding()]
param(
    [int] $Iterations = 40
)

$ErrorActionPreference = 'Stop'
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
$module = Get-Module WindowsContainers

Import-Module (Join-Path $PSScriptRoot 'lib' 'BenchTools.psm1') -Force

$coreSide = {
    $body = & $module { Invoke-CoreCommand -Command host.processes }
    foreach ($p in $body.processes) { $null = $p.processName, $p.startTimeMs, $p.workingSet, $p.cpuSeconds }
}
$getProcessSide = {
    foreach ($p in Get-Process) { $null = $p.ProcessName, $p.StartTime, $p.WorkingSet64, $p.TotalProcessorTime }
}

# Warm-up: start the core, let the JIT settle on both sides.
foreach ($i in 1..3) { & $coreSide; & $getProcessSide }
$count = @((& $module { Invoke-CoreCommand -Command host.processes }).processes).Count

# Interleave the two sides so load from other work on the machine hits both alike.
$coreSamples = [System.Collections.Generic.List[double]]::new()
$psSamples = [System.Collections.Generic.List[double]]::new()
foreach ($i in 1..$Iterations) {
    $coreSamples.Add((Measure-Median $coreSide 1))
    $psSamples.Add((Measure-Median $getProcessSide 1))
}
$core = Get-Median $coreSamples
$ps = Get-Median $psSamples
$ratio = $core / $ps

'host process snapshot, all {0} processes (median of {1}):' -f $count, $Iterations
'  core host.processes, warm call through the bridge, to objects {0,8:N2} ms' -f $core
'  Get-Process, to Process objects                               {0,8:N2} ms' -f $ps
'  core / Get-Process = {0:N2}x  (target <= 1.0x: {1})' -f $ratio, $(if ($ratio -le 1.0) { 'met' } else { 'NOT met' })
