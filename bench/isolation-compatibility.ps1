#Requires -Version 7.4
<#
.SYNOPSIS
Test-IsolationCompatibility over many images: one batched core call against one call per image, measured in the same run.
.DESCRIPTION
Pipeline input is collected and sent to the core in one isolation.compatibility
request. The baseline is the same images checked one Test-IsolationCompatibility
call at a time (one core round trip each). Prints both medians and the ratio.
.PARAMETER Images
How many image references per sample.
.PARAMETER Iterations
Samples per side.
#>
[CmdletBinding()]
param(
    [int] $Images = 200,
    [int] $Iterations = 5
)

$ErrorActionPreference = 'Stop'
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force

$tags = 'ltsc2016', 'ltsc2019', 'ltsc2022', 'ltsc2025', '1809-KB4493509', '10.0.17763.5458', '20H2'
$references = foreach ($i in 1..$Images) { "mcr.microsoft.com/windows/servercore:$($tags[$i % $tags.Count])" }

Import-Module (Join-Path $PSScriptRoot 'lib' 'BenchTools.psm1') -Force

# Warm-up: start the core.
$null = Test-IsolationCompatibility -Image $references[0] -HostBuild 20348

$batched = Measure-Median { $null = $references | Test-IsolationCompatibility -HostBuild 20348 } $Iterations
$single = Measure-Median { foreach ($reference in $references) { $null = Test-IsolationCompatibility -Image $reference -HostBuild 20348 } } $Iterations

'{0} images x 2 isolations: batched {1:N1} ms ({2:N3} ms/image), one call per image {3:N1} ms ({4:N3} ms/image): batching is {5:N1}x faster' -f `
    $Images, $batched, ($batched / $Images), $single, ($single / $Images), ($single / $batched)
