# Help and completion: every command's help has INPUTS, OUTPUTS and RELATED
# LINKS and a HelpUri; completers for container and image names and
# -HostEdition answer; the module imports with -Prefix; and every help
# example runs as printed, on real containers of the linux backend in a
# private state directory. An example that can only run on a Windows host
# says so in its own remarks ("Run by the module's tests on Windows only:
# <why>"); it runs in a test tagged Windows, skipped elsewhere with that reason.
# An example that needs a DSC tool this machine cannot install says so the same
# way ("Needs the PSDesiredStateConfiguration module: <why>)"); it runs where
# that module is installed and is skipped, with that reason, elsewhere (tagged
# PSDesiredStateConfiguration, the one other tag the runner lets skip).
BeforeDiscovery {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    $script:commands = @(Get-Command -Module WindowsContainers | Sort-Object Name | ForEach-Object { @{ Name = $_.Name } })
    $script:examples = foreach ($command in (Get-Command -Module WindowsContainers | Sort-Object Name)) {
        $index = 0
        foreach ($example in (Get-Help $command.Name -Examples).Examples.Example) {
            $index++
            $remarks = ($example.Remarks.Text -join "`n")
            $windowsOnly = $null
            if ($remarks -match "Run by the module's tests on Windows only: ([^)]+)\)") { $windowsOnly = $Matches[1] -replace '\s+', ' ' }
            $needsDsc = $null
            if ($remarks -match 'Needs the PSDesiredStateConfiguration module: ([^)]+)\)') { $needsDsc = $Matches[1] -replace '\s+', ' ' }
            @{ Command = $command.Name; Index = $index; Code = [string]$example.Code; WindowsOnly = $windowsOnly; NeedsDsc = $needsDsc }
        }
    }
    $script:canRun = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore)
}

BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $script:busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
    $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-help-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $state
    $env:WINDOWSCONTAINERS_STATE_DIR = $state
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    InModuleScope WindowsContainers { Stop-CoreServer }
}

AfterAll {
    Get-IsolatedContainer -ErrorAction Ignore | Remove-IsolatedContainer -Force -ErrorAction Ignore
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $savedState
    Remove-Item -LiteralPath $state -Recurse -Force -ErrorAction Ignore
}

Describe 'Help of <Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help $Name -Full
    }

    It 'Should say what it takes from the pipeline (INPUTS)' {
        ($help.inputTypes.inputType.type.name -join '') | Should -Not -BeNullOrEmpty
    }

    It 'Should say what it returns (OUTPUTS)' {
        ($help.returnValues.returnValue.type.name -join '') | Should -Not -BeNullOrEmpty
    }

    It 'Should link about_WindowsContainers, an online page and at least one related command' {
        $links = @($help.relatedLinks.navigationLink | ForEach-Object { if ($_.uri) { $_.uri } else { $_.linkText } })
        $links | Should -Contain 'about_WindowsContainers'
        @($links | Where-Object { $_ -like 'https://*' }).Count | Should -BeGreaterThan 0
        @($links | Where-Object { $_ -match '^[A-Z][a-z]+-[A-Za-z]+$' }).Count | Should -BeGreaterThan 0
        foreach ($related in @($links | Where-Object { $_ -match '^[A-Z][a-z]+-[A-Za-z]+$' })) {
            Get-Command $related -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty -Because "$related is linked from $Name"
        }
    }

    It 'Should have a HelpUri for Get-Help -Online' {
        (Get-Command $Name).HelpUri | Should -BeLike 'https://*'
    }
}

Describe 'Completion' {
    It 'Should offer every -HostEdition name, quoted, and the core should accept each one' {
        $line = 'Test-IsolationCompatibility -HostEdition Win'
        $matches = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches)
        $matches.Count | Should -BeGreaterThan 10
        $matches[0].CompletionText | Should -Match "^'Windows .+'$"
        foreach ($completion in $matches) {
            $edition = $completion.ListItemText
            (Test-IsolationCompatibility -Image busybox -HostEdition $edition -Isolation HyperV -ErrorAction Stop).HostBuild | Should -BeGreaterThan 14000 -Because "'$edition' is offered"
        }
    }

    It 'Should narrow -HostEdition to what was typed, in quotes' {
        $line = "Test-IsolationCompatibility -HostEdition 'Windows 11 2"
        $texts = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.ListItemText)
        $texts | Should -Contain 'Windows 11 24H2'
        $texts | Should -Not -Contain 'Windows Server 2022'
    }

    Context 'When images and containers exist (real core)' -Skip:(-not $canRun) {
        BeforeAll {
            $null = Import-ContainerImage -Path $busyboxTar -Name busybox -ErrorAction Stop
            $null = Import-ContainerImage -Path $busyboxTar -Name bustle -ErrorAction Stop
        }

        AfterAll {
            Remove-ContainerImage -Name bustle -ErrorAction Ignore
        }

        It 'Should complete image names for <Line>' -ForEach @(
            @{ Line = 'New-IsolatedContainer -Name x -Image bus' }
            @{ Line = 'Get-ContainerImage -Name bus' }
            @{ Line = 'Remove-ContainerImage -Name bus' }
        ) {
            $texts = @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText)
            $texts | Should -Be @('bustle', 'busybox')
        }
    }
}

Describe 'Importing with -Prefix beside another container module' {
    It 'Should give every command the prefix, and the prefixed commands should work' {
        $module = Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Prefix WCX -Force -PassThru
        try {
            $module.ExportedCommands.Keys | Should -Contain 'New-WCXIsolatedContainer'
            $module.ExportedCommands.Keys | Should -Contain 'Get-WCXContainerImage'
            $module.ExportedCommands.Keys | Should -Not -Contain 'New-IsolatedContainer'
            (Test-WCXIsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2022 -HostBuild 20348 -Isolation Process -Quiet) | Should -BeTrue
            # A failure names the command as it was called.
            { Get-WCXIsolatedContainer -Name 'px-nobody' -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotFound,*'
        }
        finally {
            Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
        }
    }
}

Describe 'Every help example runs as printed' -Skip:(-not $canRun) {
    BeforeAll {
        if (-not (Get-ContainerImage -Name busybox -ErrorAction Ignore)) { $null = Import-ContainerImage -Path $busyboxTar -Name busybox -ErrorAction Stop }

        function script:Reset-Fixture {
            # The world every example expects: the busybox image and one running container, web.
            foreach ($container in @(Get-IsolatedContainer -ErrorAction Ignore)) {
                if ($container.Name -ne 'web' -or $container.State -ne 'running') { Remove-IsolatedContainer -Name $container.Name -Force -ErrorAction Stop }
            }
            if (-not (Get-ContainerImage -Name busybox -ErrorAction Ignore)) { $null = Import-ContainerImage -Path $busyboxTar -Name busybox -ErrorAction Stop }
            if (-not (Get-IsolatedContainer -Name web -ErrorAction Ignore)) { $null = New-IsolatedContainer -Name web -Image busybox -Command sleep, 600 -ErrorAction Stop }
        }

        # What an example needs beyond the common world, by command and example number.
        # Invoke-ContainerIsolationCheck's examples write reports and read ./isolation.json, the
        # file a repository keeps: they run in a folder of their own that holds one ({ web: Process }).
        $script:ciExample = {
            $script:exampleDirectory = Join-Path $state 'ci-example'
            $null = New-Item -ItemType Directory -Path $exampleDirectory -Force
            Set-Content -LiteralPath (Join-Path $exampleDirectory 'isolation.json') -Value '{ "web": "Process" }'
        }
        $script:setup = @{
            'New-IsolatedContainer/1'    = { Remove-IsolatedContainer -Name web -Force -ErrorAction Stop }
            'Remove-IsolatedContainer/1' = { Stop-IsolatedContainer -Name web -TimeoutSeconds 0 -ErrorAction Stop }
            'Start-IsolatedContainer/2'  = { Stop-IsolatedContainer -Name web -TimeoutSeconds 0 -ErrorAction Stop }
            # An empty pipeline checks nothing (NoContainerToCheck): the example's api-* must match a container.
            'Invoke-ContainerIsolationCheck/3' = { $null = New-IsolatedContainer -Name api-1 -Image busybox -Isolation Process -Command sleep, 600 -ErrorAction Stop }
            'Remove-IsolatedContainer/2' = { $null = New-IsolatedContainer -Name test-1 -Image busybox -Command sleep, 600 -ErrorAction Stop }
            'Import-ContainerImage/1'    = { Remove-IsolatedContainer -Name web -Force -ErrorAction Stop; Remove-ContainerImage -Name busybox -ErrorAction Stop }
            'Remove-ContainerImage/1'    = { Remove-IsolatedContainer -Name web -Force -ErrorAction Stop }
            'Import-ContainerImage/2'    = {
                # ./alpine.tar as 'docker save' writes it: manifest.json, the config, one layer (here busybox's rootfs).
                $script:exampleDirectory = Join-Path $state 'docker-save-example'
                $archive = Join-Path $exampleDirectory 'archive'
                $null = New-Item -ItemType Directory -Path (Join-Path $archive 'layer') -Force
                Copy-Item -LiteralPath $busyboxTar -Destination (Join-Path $archive 'layer' 'layer.tar')
                Set-Content -LiteralPath (Join-Path $archive 'config.json') -Value '{"config":{"Cmd":["sh"],"Env":["PATH=/bin"]}}'
                Set-Content -LiteralPath (Join-Path $archive 'manifest.json') -Value '[{"Config":"config.json","RepoTags":["alpine:3.20"],"Layers":["layer/layer.tar"]}]'
                & tar -C $archive -cf (Join-Path $exampleDirectory 'alpine.tar') manifest.json config.json layer/layer.tar
                if ($LASTEXITCODE -ne 0) { throw 'tar could not build the docker save archive' }
                Remove-ContainerImage -Name alpine -ErrorAction Ignore
            }
        }

        function script:Invoke-Example([string] $Command, [int] $Index, [string] $Code) {
            Reset-Fixture
            $script:exampleDirectory = $repo
            $key = "$Command/$Index"
            if ($Command -eq 'Invoke-ContainerIsolationCheck') { & $ciExample }
            if ($setup.ContainsKey($key)) { & $setup[$key] }
            Push-Location $exampleDirectory
            try {
                $output = @(& ([scriptblock]::Create($Code)) 2>&1 | ForEach-Object { $_ })
            }
            finally {
                Pop-Location
            }
            $errors = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errors | Should -BeNullOrEmpty -Because "the example must run as printed ($(@($errors | ForEach-Object { $_.ToString() }) -join '; '))"
            # It formats too: a broken view fails here.
            { $output | Out-String -Width 120 } | Should -Not -Throw
        }
    }

    AfterAll {
        Remove-ContainerImage -Name alpine -ErrorAction Ignore
    }

    It '<Command> example <Index>: <Code>' -ForEach @($examples | Where-Object { -not $_.WindowsOnly -and -not $_.NeedsDsc }) {
        Invoke-Example -Command $Command -Index $Index -Code $Code
    }

    It '<Command> example <Index> (Windows host): <Code>' -Tag Windows -ForEach @($examples | Where-Object { $_.WindowsOnly }) {
        if (-not $IsWindows) {
            Set-ItResult -Skipped -Because "it runs on a Windows host only: $WindowsOnly"
            return
        }
        Invoke-Example -Command $Command -Index $Index -Code $Code
    }

    It '<Command> example <Index> (PSDesiredStateConfiguration): <Code>' -Tag PSDesiredStateConfiguration -ForEach @($examples | Where-Object { $_.NeedsDsc }) {
        if (-not (Get-Module -ListAvailable -Name PSDesiredStateConfiguration)) {
            Set-ItResult -Skipped -Because "it needs the PSDesiredStateConfiguration module, which is not installed here: $NeedsDsc"
            return
        }
        Invoke-Example -Command $Command -Index $Index -Code $Code
    }
}
