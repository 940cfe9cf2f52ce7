#Requires -Version 7.4
<#
.SYNOPSIS
Builds the installable module: output/WindowsContainers/<version>/ and output/WindowsContainers.<version>.nupkg.
.DESCRIPTION
The checkout's root manifest (WindowsContainers.psd1, RootModule under
module/) stays the development entry point. This script turns the checkout
into what an admin installs with Install-PSResource, the way ModuleBuilder
and Sampler lay out a build:

    output/WindowsContainers/<version>/
        WindowsContainers.psd1        generated from the root manifest (see below)
        WindowsContainers.psm1, Private/, Public/, *.ps1xml     from module/
        en-US/                        about help
        dist/windowscontainers-core.cjs(.map), dist/schemas/    the core bundle, its response schemas
        dist/native/linux-x64/wc-log-writer   the capped log writer (ts-core/native/log-writer.c, built by bundling)
        node_modules/koffi/           koffi's JavaScript loader (the bundle keeps koffi external)
        node_modules/@koromix/koffi-linux-x64/   prebuilt native parts, from npm ci
        node_modules/@koromix/koffi-win32-x64/   prebuilt native parts, fetched here
    output/WindowsContainers.<version>.nupkg                      Compress-PSResource of that folder

The bundle and koffi sit in the same places relative to each other as in a
checkout (dist/ and node_modules/ side by side), so node resolves
require('koffi') from the bundle the same way in both.

The generated manifest is the root manifest with: paths under module/ made
relative to the package root, ModuleVersion from package.json, ProjectUri
from package.json's homepage (none when it has none), and ReleaseNotes from this version's section of
CHANGELOG.md (the build fails when that section is missing, so a version is
never shipped without its notes). Everything else (exports, formats, types,
tags) is read from the root manifest, never repeated here.

koffi 3 ships its native module in one npm package per platform
(@koromix/koffi-<os>-<cpu>, optional dependencies of koffi, each loaded by
koffi's loader from node_modules/@koromix/). npm ci installs only this
machine's (linux-x64), so the Windows one is fetched with npm pack at the
version and integrity that package-lock.json already pins for it (the lock
holds every optional dependency of koffi); a download with another hash
fails the build.
.PARAMETER OutputDirectory
Where the versioned folder and the .nupkg go. Defaults to output/ in the checkout.
.PARAMETER SkipNupkg
Build the folder only.
.EXAMPLE
dotnet pwsh -NoProfile -File build/Build-ModulePackage.ps1
#>
[CmdletBinding()]
param(
    [string] $OutputDirectory,
    [switch] $SkipNupkg
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..'))
if (-not $OutputDirectory) { $OutputDirectory = Join-Path $repo 'output' }
$OutputDirectory = [System.IO.Path]::GetFullPath($OutputDirectory)
function Write-Step([string] $Text) { [Console]::Error.WriteLine("[package] $Text") }

# --- inputs ------------------------------------------------------------------------
$package = Get-Content -Raw -LiteralPath (Join-Path $repo 'package.json') | ConvertFrom-Json -AsHashtable
$lock = Get-Content -Raw -LiteralPath (Join-Path $repo 'package-lock.json') | ConvertFrom-Json -AsHashtable
$version = [string]$package.version
if ($version -notmatch '^\d+\.\d+\.\d+$') { throw "package.json version '$version' is not MAJOR.MINOR.PATCH; a prerelease needs PSData.Prerelease, which this build does not write yet." }
$rootManifestPath = Join-Path $repo 'WindowsContainers.psd1'
$root = Import-PowerShellDataFile -LiteralPath $rootManifestPath
if ($root.ModuleVersion -ne $version) {
    throw "The root manifest says ModuleVersion '$($root.ModuleVersion)' but package.json says '$version'. Make them agree (package.json is the source of the version)."
}
$bundle = Join-Path $repo 'dist' 'windowscontainers-core.cjs'
if (-not (Test-Path -LiteralPath $bundle -PathType Leaf)) { throw "The core bundle $bundle is missing. Run: node build/bundle.mjs" }

# Release notes: the '## <version>' section of CHANGELOG.md, up to the next '## '.
$changelogPath = Join-Path $repo 'CHANGELOG.md'
$notes = [System.Collections.Generic.List[string]]::new()
$inSection = $false
foreach ($line in Get-Content -LiteralPath $changelogPath) {
    if ($line -match '^## ') {
        if ($inSection) { break }
        $inSection = $line -match "^## \[?$([regex]::Escape($version))\]?(\s|$)"
        continue
    }
    if ($inSection) { $notes.Add($line) }
}
$releaseNotes = ($notes -join "`n").Trim()
if (-not $releaseNotes) { throw "CHANGELOG.md has no '## $version' section (or it is empty). Write this version's changes there; they become the package's ReleaseNotes." }
# The project's public address, when it has one: package.json's homepage. Without it the
# manifest names no ProjectUri rather than a made-up one.
$projectUri = $package['homepage']

# --- the versioned folder ---------------------------------------------------------
$moduleRoot = Join-Path $OutputDirectory 'WindowsContainers'
$target = Join-Path $moduleRoot $version
if (Test-Path -LiteralPath $moduleRoot) { Remove-Item -LiteralPath $moduleRoot -Recurse -Force }
$null = New-Item -ItemType Directory -Path $target -Force
Write-Step "module files -> $target"
Copy-Item -Path (Join-Path $repo 'module' '*') -Destination $target -Recurse
Copy-Item -LiteralPath (Join-Path $repo 'en-US') -Destination $target -Recurse
$null = New-Item -ItemType Directory -Path (Join-Path $target 'dist')
Copy-Item -LiteralPath $bundle -Destination (Join-Path $target 'dist')
if (Test-Path -LiteralPath "$bundle.map") { Copy-Item -LiteralPath "$bundle.map" -Destination (Join-Path $target 'dist') }
# Each command's response body as JSON Schema, for callers of the one-shot CLI (DSC, scripts).
$schemas = Join-Path $repo 'dist' 'schemas'
if (Test-Path -LiteralPath $schemas -PathType Container) { Copy-Item -LiteralPath $schemas -Destination (Join-Path $target 'dist') -Recurse }
# The native log writer, beside the bundle as in a checkout (the core looks for it at
# dist/native/<os>-<cpu>/ next to itself). Only the binaries: their .sha256 build stamps stay.
foreach ($helper in 'wc-log-writer') {
    $from = Join-Path $repo 'dist' 'native' 'linux-x64' $helper
    if (-not (Test-Path -LiteralPath $from -PathType Leaf)) {
        throw "The native helper $from is missing. Install a C compiler with the C library (Debian: apt-get install gcc libc6-dev) and run: node build/bundle.mjs"
    }
    $to = Join-Path $target 'dist' 'native' 'linux-x64'
    $null = New-Item -ItemType Directory -Path $to -Force
    Copy-Item -LiteralPath $from -Destination $to
}

# --- koffi: the loader, and the native parts for linux-x64 and win32-x64 -------------
$koffiVersion = $lock.packages['node_modules/koffi'].version
$koffiSource = Join-Path $repo 'node_modules' 'koffi'
$koffiTarget = Join-Path $target 'node_modules' 'koffi'
if (-not (Test-Path -LiteralPath (Join-Path $koffiSource 'package.json'))) { throw "koffi is not installed in $koffiSource. Run: npm ci" }
# Only what require('koffi') loads (index.cjs -> src/koffi/index.cjs -> src/koffi/src/static.cjs)
# and its ESM twins; koffi's docs, C++ sources and headers are for building koffi.
foreach ($relative in 'package.json', 'LICENSE.txt', 'index.cjs', 'index.js', 'index.d.ts', 'indirect.cjs', 'indirect.js',
    'src/koffi/index.cjs', 'src/koffi/index.js', 'src/koffi/indirect.cjs', 'src/koffi/indirect.js',
    'src/koffi/src/static.cjs', 'src/koffi/src/static.js') {
    $from = Join-Path $koffiSource $relative
    if (-not (Test-Path -LiteralPath $from -PathType Leaf)) { throw "koffi $koffiVersion has no $relative; the package's koffi file list needs updating for this koffi version." }
    $to = Join-Path $koffiTarget $relative
    $null = New-Item -ItemType Directory -Path (Split-Path $to) -Force
    Copy-Item -LiteralPath $from -Destination $to
}

function Get-Sha512Integrity([string] $Path) {
    'sha512-' + [System.Convert]::ToBase64String([System.Security.Cryptography.SHA512]::HashData([System.IO.File]::ReadAllBytes($Path)))
}

foreach ($platform in 'linux-x64', 'win32-x64') {
    $name = "@koromix/koffi-$platform"
    $entry = $lock.packages["node_modules/$name"]
    if (-not $entry) { throw "package-lock.json does not pin $name; run npm install koffi@$koffiVersion so the lock lists koffi's platform packages." }
    if ($entry.version -ne $koffiVersion) { throw "package-lock.json pins $name $($entry.version) but koffi $koffiVersion; koffi refuses mismatched native modules." }
    $destination = Join-Path $target 'node_modules' '@koromix' "koffi-$platform"
    $installed = Join-Path $repo 'node_modules' '@koromix' "koffi-$platform"
    $installedVersion = if (Test-Path -LiteralPath (Join-Path $installed 'package.json')) {
        (Get-Content -Raw -LiteralPath (Join-Path $installed 'package.json') | ConvertFrom-Json).version
    }
    if ($installedVersion -eq $koffiVersion) {
        # npm ci put it there and checked it against the lock's integrity.
        Copy-Item -LiteralPath $installed -Destination $destination -Recurse
        continue
    }
    # Not this machine's platform: fetch the tarball the lock pins, once, into .tools/npm.
    $cache = Join-Path $repo '.tools' 'npm'
    $null = New-Item -ItemType Directory -Path $cache -Force
    $tarball = Join-Path $cache "koromix-koffi-$platform-$koffiVersion.tgz"
    if (-not (Test-Path -LiteralPath $tarball) -or (Get-Sha512Integrity $tarball) -ne $entry.integrity) {
        Write-Step "fetching $name@$koffiVersion (npm pack)"
        Remove-Item -LiteralPath $tarball -ErrorAction Ignore
        $packed = & npm pack "$name@$koffiVersion" --pack-destination $cache --silent --no-fund 2>&1
        if ($LASTEXITCODE -ne 0) { throw "npm pack $name@$koffiVersion failed: $($packed -join ' ')" }
    }
    if (-not (Test-Path -LiteralPath $tarball)) { throw "npm pack did not write $tarball." }
    $actual = Get-Sha512Integrity $tarball
    if ($actual -ne $entry.integrity) {
        Remove-Item -LiteralPath $tarball
        throw "The downloaded $name@$koffiVersion has integrity $actual, but package-lock.json pins $($entry.integrity). Refusing it."
    }
    $unpack = Join-Path $cache "unpack-$platform"
    Remove-Item -LiteralPath $unpack -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Path $unpack
    & tar -xzf $tarball -C $unpack
    if ($LASTEXITCODE -ne 0) { throw "tar could not unpack $tarball." }
    $null = New-Item -ItemType Directory -Path (Split-Path $destination) -Force
    Move-Item -LiteralPath (Join-Path $unpack 'package') -Destination $destination
    Remove-Item -LiteralPath $unpack -Recurse -Force
}
foreach ($native in @{ 'linux-x64' = 'linux_x64/koffi.node'; 'win32-x64' = 'win32_x64/koffi.node' }.GetEnumerator()) {
    $file = Join-Path $target 'node_modules' '@koromix' "koffi-$($native.Key)" $native.Value
    if (-not (Test-Path -LiteralPath $file -PathType Leaf)) { throw "koffi's native module for $($native.Key) is not at $file." }
}

# --- the generated manifest ------------------------------------------------------------
function ConvertTo-PackagePath([object] $Value) {
    # module/X -> X: the package root is the root module's folder.
    foreach ($item in @($Value)) {
        if ($item -is [string]) { $item -replace '^module[\\/]', '' } else { $item }
    }
}
$parameters = @{}
foreach ($key in $root.Keys) {
    if ($key -in 'PrivateData') { continue }
    $value = $root[$key]
    if ($key -eq 'RootModule') { $value = ConvertTo-PackagePath $value }
    elseif ($key -in 'FormatsToProcess', 'TypesToProcess', 'ScriptsToProcess', 'NestedModules', 'FileList', 'RequiredAssemblies') { $value = @(ConvertTo-PackagePath $value) }
    $parameters[$key] = $value
}
$psData = @{}
if ($root.ContainsKey('PrivateData') -and $root.PrivateData.ContainsKey('PSData')) { $psData = $root.PrivateData.PSData.Clone() }
$otherPrivate = @($root.PrivateData.Keys | Where-Object { $_ -ne 'PSData' })
if ($otherPrivate) { throw "The root manifest's PrivateData has keys this build does not carry over: $($otherPrivate -join ', ')." }
$parameters.ModuleVersion = $version
$manifestPath = Join-Path $target 'WindowsContainers.psd1'
# Written here rather than by New-ModuleManifest, which turns an empty
# CmdletsToExport/AliasesToExport into '*' (auto-loading then has to load the
# module to learn there are none) and buries the data in template comments.
function ConvertTo-Psd1Value([object] $Value, [int] $Depth) {
    $indent = '    ' * ($Depth + 1)
    if ($Value -is [string]) { return "'" + $Value.Replace("'", "''") + "'" }
    if ($Value -is [bool]) { return $(if ($Value) { '$true' } else { '$false' }) }
    if ($Value -is [System.Collections.IDictionary]) {
        $lines = foreach ($key in $Value.Keys | Sort-Object) { "$indent$key = " + (ConvertTo-Psd1Value $Value[[string]$key] ($Depth + 1)) }
        return "@{`n$($lines -join "`n")`n$('    ' * $Depth)}"
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = @($Value)
        if ($items.Count -eq 0) { return '@()' }
        $lines = foreach ($item in $items) { $indent + (ConvertTo-Psd1Value $item ($Depth + 1)) }
        return "@(`n$($lines -join "`n")`n$('    ' * $Depth))"
    }
    throw "The manifest value '$Value' ($($Value.GetType().Name)) has no .psd1 form in this build."
}
$manifestData = [ordered]@{}
foreach ($key in $parameters.Keys | Sort-Object) {
    $manifestData[[string]$key] = $parameters[[string]$key]
}
$manifestData.PrivateData = @{ PSData = @{} }
foreach ($key in $psData.Keys) { $manifestData.PrivateData.PSData[$key] = $psData[$key] }
if ($projectUri) { $manifestData.PrivateData.PSData.ProjectUri = $projectUri }
$manifestData.PrivateData.PSData.ReleaseNotes = $releaseNotes
$header = "# Generated by build/Build-ModulePackage.ps1 from the repository's WindowsContainers.psd1,`n# package.json and CHANGELOG.md. Edit those, not this file.`n"
Set-Content -LiteralPath $manifestPath -Encoding utf8NoBOM -Value ($header + (ConvertTo-Psd1Value $manifestData 0))
$packaged = Test-ModuleManifest -Path $manifestPath
foreach ($relative in @($parameters.FormatsToProcess) + @($parameters['TypesToProcess']) + @($parameters.RootModule)) {
    if ($relative -and -not (Test-Path -LiteralPath (Join-Path $target $relative) -PathType Leaf)) { throw "The packaged manifest names $relative, which is not in the package." }
}
Write-Step "manifest: WindowsContainers $($packaged.Version), $(@($packaged.ExportedFunctions.Keys).Count) functions"

if ($SkipNupkg) { return }

# --- the .nupkg ---------------------------------------------------------------------------
$nupkg = Join-Path $OutputDirectory "WindowsContainers.$version.nupkg"
Remove-Item -LiteralPath $nupkg -ErrorAction Ignore
Compress-PSResource -Path $target -DestinationPath $OutputDirectory
if (-not (Test-Path -LiteralPath $nupkg)) { throw "Compress-PSResource did not write $nupkg." }
# The native parts must survive NuGet's packing (it drops some names by default).
Add-Type -AssemblyName System.IO.Compression.FileSystem
$zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg)
try {
    $entries = @($zip.Entries | ForEach-Object { [System.Uri]::UnescapeDataString($_.FullName) })
}
finally { $zip.Dispose() }
$expected = @((Get-ChildItem -LiteralPath $target -Recurse -File).FullName | ForEach-Object { [System.IO.Path]::GetRelativePath($target, $_).Replace('\', '/') })
$lost = @($expected | Where-Object { $_ -notin $entries })
if ($lost) { throw "The .nupkg lacks $($lost.Count) file(s) of the module folder, e.g. $($lost | Select-Object -First 5)." }
Write-Step "package: $nupkg ($([math]::Round((Get-Item $nupkg).Length / 1MB, 1)) MB, $($expected.Count) files)"
