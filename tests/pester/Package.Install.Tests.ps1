# The package that npm run package builds (build/Build-ModulePackage.ps1), and
# an offline install of it with PSResourceGet, the way an admin installs any
# module: publish to a local folder repository, install into CurrentUser
# under a private HOME (and, second route, Save-PSResource the built .nupkg
# into a folder on PSModulePath), then from a fresh pwsh in another directory
# import it BY NAME and run the README's experiment under both isolations.
# Everything lives in one 0700 temporary folder (HOME, repositories, state),
# and the last test uninstalls, unregisters and proves nothing is left.
BeforeDiscovery {
    $script:canRunContainers = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers' 'FreshPwsh.ps1')
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $script:version = (Get-Content -Raw (Join-Path $repo 'package.json') | ConvertFrom-Json).version
    $script:packageDir = Join-Path $repo 'output' 'WindowsContainers' $version
    $script:nupkg = Join-Path $repo 'output' "WindowsContainers.$version.nupkg"
    if (-not (Test-Path (Join-Path $packageDir 'WindowsContainers.psd1')) -or -not (Test-Path $nupkg)) {
        throw "The package is not built ($packageDir, $nupkg). Run: npm run package"
    }
    $script:busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
    $script:root = New-PrivateTestFolder 'wc-install'
    foreach ($folder in 'home', 'repo', 'nupkg-repo', 'saved', 'work', 'state') { $null = New-Item -ItemType Directory -Path (Join-Path $root $folder) }
    $script:home_ = Join-Path $root 'home'
    # The child sees a HOME of its own: PSResourceGet's repository list and the
    # CurrentUser module folder are under it, so nothing touches this user's.
    $script:childEnvironment = @{
        HOME                         = $home_
        XDG_DATA_HOME                = $null
        XDG_CONFIG_HOME              = $null
        XDG_CACHE_HOME               = $null
        PSModulePath                 = $null
        WINDOWSCONTAINERS_STATE_DIR  = Join-Path $root 'state'
        WINDOWSCONTAINERS_CORE       = $null
        DOTNET_CLI_TELEMETRY_OPTOUT  = '1'
        POWERSHELL_TELEMETRY_OPTOUT  = '1'
    }
    # The guest kernel: the installed module finds it where set-up put it (the
    # kernels directory a checkout and an installed module share); nothing here points at it.

    function script:Invoke-Child([string] $Script, [hashtable] $Extra = @{}) {
        $environment = $childEnvironment.Clone()
        foreach ($key in $Extra.Keys) { $environment[$key] = $Extra[$key] }
        $result = Invoke-FreshPwsh -Script "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'`n$Script" `
            -WorkingDirectory (Join-Path $root 'work') -Environment $environment
        if ($result.ExitCode -ne 0) { throw "The fresh pwsh failed (exit $($result.ExitCode)):`n$($result.Output)`n$($result.Errors)" }
        # The child's answer is its last line of output, as JSON.
        $last = @($result.Output -split "`n" | Where-Object { $_.Trim() }) | Select-Object -Last 1
        $last | ConvertFrom-Json -Depth 10
    }
}

AfterAll {
    if ($root -and (Test-Path $root)) {
        # Whatever a failed test left: containers of the private state directory, then the folder.
        $state = Join-Path $root 'state'
        if (Test-Path (Join-Path $state 'containers')) {
            $null = Invoke-FreshPwsh -WorkingDirectory $root -Environment @{ WINDOWSCONTAINERS_STATE_DIR = $state } -Script (
                "Import-Module '$(Join-Path $repo 'WindowsContainers.psd1')'; Get-IsolatedContainer | Remove-IsolatedContainer -Force -ErrorAction Continue")
        }
        Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction Ignore
    }
}

Describe 'The built package' {
    BeforeAll {
        $script:packaged = Import-PowerShellDataFile (Join-Path $packageDir 'WindowsContainers.psd1')
        $script:source = Import-PowerShellDataFile (Join-Path $repo 'WindowsContainers.psd1')
    }

    It 'Should be a valid manifest whose root module and formats are in the package' {
        $info = Test-ModuleManifest -Path (Join-Path $packageDir 'WindowsContainers.psd1') -ErrorAction Stop
        $info.Version | Should -Be ([version]$version)
        Test-Path (Join-Path $packageDir $packaged.RootModule) -PathType Leaf | Should -BeTrue
        foreach ($file in @($packaged.FormatsToProcess) + @($packaged['TypesToProcess'] | Where-Object { $_ })) {
            Test-Path (Join-Path $packageDir $file) -PathType Leaf | Should -BeTrue -Because "$file is named by the manifest"
        }
    }

    It 'Should carry what a gallery shows: version from package.json, PowerShell 7.4 Core, project, licence, tags' {
        $packaged.ModuleVersion | Should -Be $version
        $source.ModuleVersion | Should -Be $version -Because 'the development manifest and package.json must agree'
        $packaged.PowerShellVersion | Should -Be '7.4'
        $packaged.CompatiblePSEditions | Should -Be @('Core')
        # ProjectUri is package.json's homepage, and absent (never invented) while the project has none.
        $homepage = (Get-Content -Raw (Join-Path $repo 'package.json') | ConvertFrom-Json).PSObject.Properties['homepage']
        if ($homepage) { $packaged.PrivateData.PSData.ProjectUri | Should -Be $homepage.Value }
        else { $packaged.PrivateData.PSData.ContainsKey('ProjectUri') | Should -BeFalse }
        $packaged.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
        $packaged.PrivateData.PSData.Tags | Should -Contain 'Containers'
    }

    It 'Should take its exports from the development manifest, with no wildcard' {
        @($packaged.FunctionsToExport) | Should -Be @($source.FunctionsToExport)
        @($packaged.CmdletsToExport).Count | Should -Be 0
        @($packaged.AliasesToExport).Count | Should -Be 0
        @($packaged.VariablesToExport).Count | Should -Be 0
    }

    It "Should carry this version's CHANGELOG section as ReleaseNotes" {
        $changelog = Get-Content -Raw (Join-Path $repo 'CHANGELOG.md')
        $changelog | Should -Match "(?m)^## $([regex]::Escape($version))\s*$"
        $notes = $packaged.PrivateData.PSData.ReleaseNotes
        $notes | Should -Not -BeLike 'Foundation*'
        $firstLine = ($notes -split "`n")[0]
        $changelog | Should -BeLike "*## $version*$firstLine*"
    }

    It 'Should carry the core bundle and koffi native parts for linux-x64 and win32-x64 only' {
        Test-Path (Join-Path $packageDir 'dist' 'windowscontainers-core.cjs') -PathType Leaf | Should -BeTrue
        @(Get-ChildItem (Join-Path $packageDir 'node_modules' '@koromix') -Directory | ForEach-Object Name | Sort-Object) |
            Should -Be @('koffi-linux-x64', 'koffi-win32-x64')
        $elf = [System.IO.File]::ReadAllBytes((Join-Path $packageDir 'node_modules' '@koromix' 'koffi-linux-x64' 'linux_x64' 'koffi.node'))[0..3]
        $pe = [System.IO.File]::ReadAllBytes((Join-Path $packageDir 'node_modules' '@koromix' 'koffi-win32-x64' 'win32_x64' 'koffi.node'))[0..1]
        [System.Text.Encoding]::ASCII.GetString($elf[1..3]) | Should -Be 'ELF'
        [System.Text.Encoding]::ASCII.GetString($pe) | Should -Be 'MZ'
        # Nothing from the checkout that an installed module does not need.
        foreach ($name in 'ts-core', 'tests', 'build', '.tools', 'package.json', 'package-lock.json') {
            Test-Path (Join-Path $packageDir $name) | Should -BeFalse -Because "$name is not part of the installed module"
        }
    }

    It 'Should carry the native log writer beside the core bundle, in the folder and in the .nupkg' {
        $writer = Join-Path $packageDir 'dist' 'native' 'linux-x64' 'wc-log-writer'
        Test-Path -LiteralPath $writer -PathType Leaf | Should -BeTrue
        $header = [System.IO.File]::ReadAllBytes($writer)[0..4]
        [System.Text.Encoding]::ASCII.GetString($header[1..3]) | Should -Be 'ELF'
        $header[4] | Should -Be 2 -Because 'linux-x64 is a 64-bit ELF (EI_CLASS = ELFCLASS64)'
        # The build stamp stays in the checkout.
        @(Get-ChildItem -LiteralPath (Split-Path $writer) -File | ForEach-Object Name) | Should -Be @('wc-log-writer')
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg)
        try { $entry = $zip.Entries | Where-Object FullName -EQ 'dist/native/linux-x64/wc-log-writer' }
        finally { $zip.Dispose() }
        $entry | Should -Not -BeNullOrEmpty
        $entry.Length | Should -Be (Get-Item -LiteralPath $writer).Length
    }

    It 'Should describe itself in the .nupkg the way a gallery reads it' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg)
        try {
            $entry = $zip.Entries | Where-Object FullName -EQ 'WindowsContainers.nuspec'
            $reader = [System.IO.StreamReader]::new($entry.Open())
            try { [xml]$nuspec = $reader.ReadToEnd() } finally { $reader.Dispose() }
        }
        finally { $zip.Dispose() }
        $metadata = $nuspec.package.metadata
        $metadata.id | Should -Be 'WindowsContainers'
        $metadata.version | Should -Be $version
        $metadata.projectUrl | Should -Be $packaged.PrivateData.PSData.ProjectUri
        $metadata.releaseNotes | Should -BeLike "$((($packaged.PrivateData.PSData.ReleaseNotes -split "`n")[0]).Trim())*"
        $metadata.tags | Should -Match 'PSModule'
    }

    It 'Should load koffi from the bundle''s place in the package, the way the core requires it' {
        Push-Location (Join-Path $packageDir 'dist')
        try { $answer = & node -e "const k = require('koffi'); console.log(JSON.stringify({ version: k.version, from: require.resolve('koffi') }))" }
        finally { Pop-Location }
        $loaded = $answer | ConvertFrom-Json
        $loaded.from | Should -BeLike "$packageDir*"
        $loaded.version | Should -Not -BeNullOrEmpty
    }
}

Describe 'An offline install with PSResourceGet' -Tag E2E -Skip:(-not $canRunContainers) {
    It 'Should publish the folder to a local repository and install it into CurrentUser under the private HOME' {
        $installed = Invoke-Child @"
Register-PSResourceRepository -Name WcLocal -Uri '$(Join-Path $root 'repo')' -Trusted
Publish-PSResource -Path '$packageDir' -Repository WcLocal
Install-PSResource -Name WindowsContainers -Version '$version' -Repository WcLocal -Scope CurrentUser -TrustRepository
Get-InstalledPSResource -Name WindowsContainers -Scope CurrentUser | Select-Object Name, @{ n = 'Version'; e = { "`$(`$_.Version)" } }, InstalledLocation | ConvertTo-Json -Compress
"@
        $installed.Name | Should -Be 'WindowsContainers'
        $installed.Version | Should -Be $version
        $installed.InstalledLocation | Should -BeLike "$home_*"
        Test-Path (Join-Path $root 'repo' "WindowsContainers.$version.nupkg") | Should -BeTrue
    }

    It 'Should import by name from a fresh pwsh elsewhere and run the experiment under both isolations' {
        $experiment = Invoke-Child @"
Import-Module WindowsContainers
`$module = Get-Module WindowsContainers
`$null = Import-ContainerImage -Path '$busyboxTar' -Name busybox
`$hostInfo = Get-ContainerHost
`$webVerbose = @(New-IsolatedContainer -Name web -Image busybox -Isolation Process -Command ping, 127.0.0.1 -Verbose 4>&1 |
    Where-Object { `$_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
`$writer = Join-Path `$module.ModuleBase 'dist' 'native' 'linux-x64' 'wc-log-writer'
`$null = New-IsolatedContainer -Name vm -Image busybox -Isolation HyperV -Command ping, 127.0.0.1
`$webPing = Get-ContainerProcess web | Where-Object ContainerProcessName -EQ 'ping'
`$hostSeesWeb = [bool](Get-Process -Id `$webPing.HostProcessId -ErrorAction Ignore)
`$vmPing = Get-ContainerProcess vm | Where-Object ContainerProcessName -EQ 'ping'
`$verdicts = @(Get-IsolatedContainer | Test-ContainerIsolation | Sort-Object Name | ForEach-Object { [pscustomobject]@{ Name = `$_.Name; Observed = "`$(`$_.ObservedIsolation)"; Passed = `$_.Passed } })
`$table = Get-IsolatedContainer | Test-ContainerIsolation | Out-String -Width 200
Get-IsolatedContainer | Remove-IsolatedContainer -Force
[pscustomobject]@{
    ModuleBase   = `$module.ModuleBase
    Version      = "`$(`$module.Version)"
    Location     = (Get-Location).Path
    CoreVersion  = `$hostInfo.CoreVersion
    HostSeesWeb  = `$hostSeesWeb
    VmPingOnHost = `$vmPing.VisibleOnHost
    VmPingHostId = `$vmPing.HostProcessId
    Verdicts     = `$verdicts
    Table        = `$table
    Left         = @(Get-IsolatedContainer).Count
    WriterNotes  = @(`$webVerbose | Where-Object { `$_ -match 'log writer' })
    WriterMode   = "`$((Get-Item -LiteralPath `$writer).UnixMode)"
} | ConvertTo-Json -Compress -Depth 5
"@
        $experiment.ModuleBase | Should -BeLike "$home_*WindowsContainers*$version"
        $experiment.Version | Should -Be $version
        $experiment.Location | Should -Be (Join-Path $root 'work')
        $experiment.CoreVersion | Should -Be $version
        $experiment.HostSeesWeb | Should -BeTrue
        $experiment.VmPingOnHost | Should -BeFalse
        $experiment.VmPingHostId | Should -BeNullOrEmpty
        ($experiment.Verdicts | Where-Object Name -EQ 'web').Observed | Should -Be 'Process'
        ($experiment.Verdicts | Where-Object Name -EQ 'vm').Observed | Should -Be 'HyperV'
        @($experiment.Verdicts | Where-Object Passed).Count | Should -Be 2
        $experiment.Table | Should -Match 'Expected\s+Observed\s+Passed'
        $experiment.Left | Should -Be 0
        # The installed module's own native log writer kept the container's output: no -Verbose
        # line about the node fallback. NuGet keeps no Unix modes; the core gave the bits back.
        $experiment.WriterNotes | Should -BeNullOrEmpty
        $experiment.WriterMode | Should -Be '-rwxr-xr-x'
    }

    It 'Should install the built .nupkg itself with Save-PSResource into a folder on PSModulePath' {
        Copy-Item -LiteralPath $nupkg -Destination (Join-Path $root 'nupkg-repo')
        $saved = Join-Path $root 'saved'
        $answer = Invoke-Child @"
Register-PSResourceRepository -Name WcBuilt -Uri '$(Join-Path $root 'nupkg-repo')' -Trusted
Save-PSResource -Name WindowsContainers -Version '$version' -Repository WcBuilt -Path '$saved' -TrustRepository
`$env:PSModulePath = '$saved' + [System.IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module WindowsContainers
`$hostInfo = Get-ContainerHost
[pscustomobject]@{
    ModuleBase = (Get-Module WindowsContainers).ModuleBase
    Linux      = @(`$hostInfo.Backends | Where-Object Name -EQ 'linux' | ForEach-Object Isolations)
    Help       = [bool](Get-Help about_WindowsContainers -ErrorAction Ignore)
} | ConvertTo-Json -Compress
"@
        $answer.ModuleBase | Should -Be (Join-Path $saved 'WindowsContainers' $version)
        $answer.Linux | Should -Contain 'Process'
        $answer.Linux | Should -Contain 'HyperV'
        $answer.Help | Should -BeTrue
    }

    It 'Should uninstall, unregister both repositories and leave no container behind' {
        $after = Invoke-Child @"
Uninstall-PSResource -Name WindowsContainers -Version '$version' -Scope CurrentUser
Unregister-PSResourceRepository -Name WcLocal, WcBuilt
[pscustomobject]@{
    Installed    = @(Get-InstalledPSResource -Name WindowsContainers -Scope CurrentUser -ErrorAction Ignore).Count
    Repositories = @(Get-PSResourceRepository -Name WcLocal, WcBuilt -ErrorAction Ignore).Count
} | ConvertTo-Json -Compress
"@
        $after.Installed | Should -Be 0
        $after.Repositories | Should -Be 0
        Test-Path (Join-Path $home_ '.local' 'share' 'powershell' 'Modules' 'WindowsContainers' $version) | Should -BeFalse
        @(Get-ChildItem (Join-Path $root 'state' 'containers') -Directory -ErrorAction Ignore | Where-Object Name -NotLike '.*').Count | Should -Be 0
        @(Get-Content /proc/self/mountinfo | Where-Object { $_.Split(' ')[4] -like "$root/*" }).Count | Should -Be 0
    }
}
