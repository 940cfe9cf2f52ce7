#Requires -Version 7.4
<#
.SYNOPSIS
The core's host process snapshot against Get-Process, both for every process, measured in the same run.
.DESCRIPTION
Compares a warm call of the core's host.processes command through the
module's bridge, as the module's Get-HostProcessSnapshot makes it (request,
/proc read of every process in the core, JSON back, System.Text.Json into
typed records), with Get-Process for every process (the .NET /proc read into
Process objects), then touches the same properties on both sides (name,
start time, working set, CPU) so neither side's laziness is counted as
speed. Prints the medians and the ratio core / Get-Process (target <= 1.0x),
and, for comparison, the same call read with ConvertFrom-Json into
PSCustomObjects, which is how untyped answers cross the bridge.
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
    $snapshot = & $module { Get-HostProcessSnapshot }
    foreach ($p in $snapshot.Processes) { $null = $p.ProcessName, $p.StartTime, $p.WorkingSet, $p.CpuSeconds }
}
$untypedSide = {
    $body = & $module { Invoke-CoreCommand -Command host.processes }
    foreach ($p in $body.processes) { $null = $p.processName, $p.startTime, $p.workingSet, $p.cpuSeconds }
}
$getProcessSide = {
    foreach ($p in Get-Process) { $null = $p.ProcessName, $p.StartTime, $p.WorkingSet64, $p.TotalProcessorTime }
}

# Warm-up: start the core, let the JIT settle on every side (System.Text.Json
# learns the record types on its first call in a session, about 50 ms once).
foreach ($i in 1..3) { & $coreSide; & $untypedSide; & $getProcessSide }
$count = (& $module { Get-HostProcessSnapshot }).Processes.Count

# Interleave the sides so load from other work on the machine hits them alike.
$coreSamples = [System.Collections.Generic.List[double]]::new()
$untypedSamples = [System.Collections.Generic.List[double]]::new()
$psSamples = [System.Collections.Generic.List[double]]::new()
foreach ($i in 1..$Iterations) {
    $coreSamples.Add((Measure-Median $coreSide 1))
    $psSamples.Add((Measure-Median $getProcessSide 1))
    $untypedSamples.Add((Measure-Median $untypedSide 1))
}
$core = Get-Median $coreSamples
$untyped = Get-Median $untypedSamples
$ps = Get-Median $psSamples
$ratio = $core / $ps

'host process snapshot, all {0} processes (median of {1}):' -f $count, $Iterations
'  core host.processes, warm call through the bridge, to typed records {0,8:N2} ms' -f $core
'  Get-Process, to Process objects                                      {0,8:N2} ms' -f $ps
'  core / Get-Process = {0:N2}x  (target <= 1.0x: {1})' -f $ratio, $(if ($ratio -le 1.0) { 'met' } else { 'NOT met' })
'  for comparison, the same call through ConvertFrom-Json: {0:N2} ms, {1:N2}x Get-Process' -f $untyped, ($untyped / $ps)
