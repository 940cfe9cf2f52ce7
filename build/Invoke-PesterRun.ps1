#Requires -Version 7.4
<#
.SYNOPSIS
Runs the project's Pester tests with the pinned Pester and prints one closing line: N passed, N failed.
.DESCRIPTION
Imports Pester by path from the NuGet package that build/setup.sh restores
into .tools/nuget (the PowerShell Gallery is not used), runs it through
New-PesterConfiguration, writes NUnit and JUnit XML into the results folder,
and exits non-zero when any test failed or a container could not be run.
.PARAMETER Path
Test files or folders. Defaults to tests/pester and tests/security.
.PARAMETER Tag
Run only tests with one of these tags.
.PARAMETER ExcludeTag
Leave out tests with one of these tags.
.PARAMETER ResultsDirectory
Where pester-nunit.xml and pester-junit.xml are written.
.EXAMPLE
dotnet pwsh -File build/Invoke-PesterRun.ps1 -Path tests/pester/Bridge.Tests.ps1
#>
[CmdletBinding()]
param(
    [string[]] $Path = @((Join-Path $PSScriptRoot '..' 'tests' 'pester'), (Join-Path $PSScriptRoot '..' 'tests' 'security')),
    [string[]] $Tag = @(),
    [string[]] $ExcludeTag = @(),
    [string] $ResultsDirectory = (Join-Path $PSScriptRoot '..' 'tests' 'results')
)

$ErrorActionPreference = 'Stop'
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
[xml]$toolsProject = Get-Content -Raw -LiteralPath (Join-Path $repo 'build' 'nuget' 'tools.csproj')
$pesterVersion = ($toolsProject.Project.ItemGroup.PackageDownload | Where-Object Include -EQ 'Pester').Version.Trim('[', ']')
$pesterManifest = Join-Path $repo '.tools' 'nuget' 'pester' $pesterVersion 'tools' 'Pester.psd1'
if (-not (Test-Path -LiteralPath $pesterManifest)) {
    Write-Error "Pester $pesterVersion is not restored at $pesterManifest. Run: bash build/setup.sh" -ErrorAction Continue
    exit 2
}
Import-Module $pesterManifest -Force

$null = New-Item -ItemType Directory -Path $ResultsDirectory -Force
$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultsDirectory 'pester-nunit.xml'
if ($Tag.Count) { $config.Filter.Tag = $Tag }
if ($ExcludeTag.Count) { $config.Filter.ExcludeTag = $ExcludeTag }

$result = Invoke-Pester -Configuration $config
$result | ConvertTo-JUnitReport | ForEach-Object { $_.Save((Join-Path $ResultsDirectory 'pester-junit.xml')) }

# Containers that failed to run (syntax error, BeforeAll failure) count as failures.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount

# A skip must not hide a gap: on Linux as root (where CI runs) only the checks
# tagged Windows may skip; any other skipped test means something the tests
# need is missing here, and counts as a failure.
function Get-InheritedTag($Test) {
    $tags = @($Test.Tag)
    for ($block = $Test.Block; $null -ne $block; $block = $block.Parent) { $tags += @($block.Tag) }
    $tags | Where-Object { $_ }
}
if ($IsLinux -and (& id -u) -eq '0') {
    $hidden = @($result.Skipped | Where-Object { (Get-InheritedTag $_) -notcontains 'Windows' })
    foreach ($test in $hidden) { Write-Host "skipped, but it must run on this machine: $($test.ExpandedPath)" }
    $failed += $hidden.Count
}
$line = "$($result.PassedCount) passed, $failed failed"
if ($result.SkippedCount) { $line += ", $($result.SkippedCount) skipped" }
Write-Host "pester: $line"
exit ([int]($failed -gt 0 -or $result.Result -ne 'Passed'))
