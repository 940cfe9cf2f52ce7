#Requires -Version 7.4
<#
.SYNOPSIS
The main job on the embedded default: Microsoft's "Hyper-V isolation" experiment, as one script.
.DESCRIPTION
Run through `npm run demo`, which does the set-up first. Each section shows
what the module answers and tidies up after itself.
#>
[CmdletBinding()]
param()

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '..' 'WindowsContainers.psd1') -Force

Write-Host "`n== This host ==" -ForegroundColor Cyan
$containerHost = Get-ContainerHost
$containerHost | Format-List | Out-Host
$containerHost.Backends | Format-Table -Wrap | Out-Host
