#Requires -Version 7.4
<#
.SYNOPSIS
Warm cmdlet -> core -> cmdlet round trip against spawning the core bundle once, measured in the same run.
.DESCRIPTION
The module keeps one core per runspace so that a command costs a pipe round
trip, not a node start-up. This prints the medians of both and their ratio
(target: a warm call at least 10x cheaper than a spawn).
.PARAMETER Iterations
Samples per side.
#>
[CmdletBinding()]
param(
    [int] $Iterations = 30
)

$ErrorActionPreference = 'Stop'
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
$module = Get-Module WindowsContainers
$bundle = Join-Path $repo 'dist' 'windowscontainers-core.cjs'
$node = (Get-Command node -CommandType Application | Select-Object -First 1).Source

Import-Module (Join-Path $PSScriptRoot 'lib' 'BenchTools.psm1') -Force

# Warm-up: start the core and let the JIT settle on both sides.
$null = & $module { Invoke-CoreCommand -Command core.ping }
$null = & $node $bundle core.ping

$warm = Measure-Median { $null = & $module { Invoke-CoreCommand -Command core.ping } } $Iterations
$spawn = Measure-Median { $null = & $node $bundle core.ping } $Iterations
$ratio = $spawn / $warm

'round trip (median of {0}):' -f $Iterations
'  warm call through the bridge   {0,8:N2} ms' -f $warm
'  spawn of the bundle (one-shot) {0,8:N2} ms' -f $spawn
'  spawn / warm = {0:N1}x  (target >= 10x: {1})' -f $ratio, $(if ($ratio -ge 10) { 'met' } else { 'NOT met' })
