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
.PARAMETER PesterVersion
The Pester to run under: one of the versions build/nuget/tools.csproj
restores. Defaults to the first one listed. When the run uses the default,
the tests tagged AllPesterMajors among -Path are then run again under every
other listed version, each in its own PowerShell process (two Pester
versions cannot share one session), with its own pester-junit-<version>.xml;
the closing line counts all of them.
.EXAMPLE
dotnet pwsh -File build/Invoke-PesterRun.ps1 -Path tests/pester/Bridge.Tests.ps1
#>
[CmdletBinding()]
param(
    [string[]] $Path = @((Join-Path $PSScriptRoot '..' 'tests' 'pester'), (Join-Path $PSScriptRoot '..' 'tests' 'security')),
    [string[]] $Tag = @(),
    [string[]] $ExcludeTag = @(),
    [string] $ResultsDirectory = (Join-Path $PSScriptRoot '..' 'tests' 'results'),
    [string] $PesterVersion
)

$ErrorActionPreference = 'Stop'
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
[xml]$toolsProject = Get-Content -Raw -LiteralPath (Join-Path $repo 'build' 'nuget' 'tools.csproj')
# Version="[5.7.1];[6.2.0]": NuGet's PackageDownload takes several exact versions.
$pesterVersions = @(($toolsProject.Project.ItemGroup.PackageDownload | Where-Object Include -EQ 'Pester').Version.Split(';') | ForEach-Object { $_.Trim().Trim('[', ']') })
if (-not $PesterVersion) { $PesterVersion = $pesterVersions[0] }
elseif ($PesterVersion -notin $pesterVersions) {
    Write-Error "Pester $PesterVersion is not one of the versions build/nuget/tools.csproj restores ($($pesterVersions -join ', '))." -ErrorAction Continue
    exit 2
}
# Tests tagged AllPesterMajors run again under each other restored Pester.
$crossVersionTag = 'AllPesterMajors'
$isPrimaryRun = $PesterVersion -eq $pesterVersions[0]
$suffix = if ($isPrimaryRun) { '' } else { "-$PesterVersion" }
$pesterManifest = Join-Path $repo '.tools' 'nuget' 'pester' $PesterVersion 'tools' 'Pester.psd1'
if (-not (Test-Path -LiteralPath $pesterManifest)) {
    Write-Error "Pester $PesterVersion is not restored at $pesterManifest. Run: bash build/setup.sh" -ErrorAction Continue
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
$config.TestResult.OutputPath = Join-Path $ResultsDirectory "pester-nunit$suffix.xml"
if (-not $isPrimaryRun) { $Tag = @($Tag) + $crossVersionTag | Select-Object -Unique }
if ($Tag.Count) { $config.Filter.Tag = $Tag }
if ($ExcludeTag.Count) { $config.Filter.ExcludeTag = $ExcludeTag }

$result = Invoke-Pester -Configuration $config
$result | ConvertTo-JUnitReport | ForEach-Object { $_.Save((Join-Path $ResultsDirectory "pester-junit$suffix.xml")) }

# Containers that failed to run (syntax error, BeforeAll failure) count as failures.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount

# A skip must not hide a gap: on Linux as root (where CI runs) only the checks
# tagged Windows, or tagged PSDesiredStateConfiguration (help examples that
# call Invoke-DscResource, a module that cannot be installed here; the class
# resource itself is tested directly), may skip; any other skipped test means
# something the tests need is missing here, and counts as a failure.
function Get-InheritedTag($Test) {
    $tags = @($Test.Tag)
    for ($block = $Test.Block; $null -ne $block; $block = $block.Parent) { $tags += @($block.Tag) }
    $tags | Where-Object { $_ }
}
if ($IsLinux -and (& id -u) -eq '0') {
    $hidden = @($result.Skipped | Where-Object { $tags = @(Get-InheritedTag $_); $tags -notcontains 'Windows' -and $tags -notcontains 'PSDesiredStateConfiguration' })
    foreach ($test in $hidden) { Write-Host "skipped, but it must run on this machine: $($test.ExpandedPath)" }
    $failed += $hidden.Count
}
$passed = $result.PassedCount
$skipped = $result.SkippedCount

# The same operator tests under every other restored Pester, each in a process of its own.
if ($isPrimaryRun -and $pesterVersions.Count -gt 1) {
    $taggedFiles = @(Get-ChildItem -Path $Path -Recurse -Filter '*.Tests.ps1' -File -ErrorAction Ignore |
            Where-Object { Select-String -LiteralPath $_.FullName -Pattern $crossVersionTag -SimpleMatch -Quiet })
    if ($taggedFiles.Count) {
        # Under `dotnet pwsh` the process is dotnet and PowerShell is pwsh.dll beside $PSHOME.
        $pwshCommand = @([Environment]::ProcessPath)
        if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { $pwshCommand += Join-Path $PSHOME 'pwsh.dll' }
        foreach ($otherVersion in $pesterVersions | Select-Object -Skip 1) {
            Write-Host "pester $($otherVersion): running the tests tagged $crossVersionTag"
            # -File cannot pass an array to a parameter, so the child gets a command.
            $quote = { param($values) '@(' + ((@($values) | ForEach-Object { "'" + ($_ -replace "'", "''") + "'" }) -join ', ') + ')' }
            $quoteOne = { param($value) "'" + ($value -replace "'", "''") + "'" }
            $command = "& $(& $quoteOne $PSCommandPath) -PesterVersion $(& $quoteOne $otherVersion) -ResultsDirectory $(& $quoteOne $ResultsDirectory) -Path $(& $quote $taggedFiles.FullName)"
            if ($Tag.Count) { $command += " -Tag $(& $quote $Tag)" }
            if ($ExcludeTag.Count) { $command += " -ExcludeTag $(& $quote $ExcludeTag)" }
            $command += '; exit $LASTEXITCODE'
            $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($command))
            $closing = $null
            & $pwshCommand[0] @($pwshCommand | Select-Object -Skip 1) -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded | ForEach-Object {
                if ("$_" -match '^pester: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$') { $closing = $Matches }
                else { $_ }
            }
            if ($null -eq $closing) {
                Write-Host "pester $($otherVersion): the run ended without its closing line (exit code $LASTEXITCODE); counted as one failure"
                $failed += 1
                continue
            }
            Write-Host "pester $($otherVersion): $($closing[1]) passed, $($closing[2]) failed$(if ($closing[3]) { ", $($closing[3]) skipped" })"
            $passed += [int]$closing[1]
            $failed += [int]$closing[2]
            if ($closing[3]) { $skipped += [int]$closing[3] }
            if ($LASTEXITCODE -ne 0 -and [int]$closing[2] -eq 0) { $failed += 1 }
        }
    }
}

$line = "$passed passed, $failed failed"
if ($skipped) { $line += ", $skipped skipped" }
Write-Host "pester: $line"
exit ([int]($failed -gt 0 -or $result.Result -ne 'Passed'))
