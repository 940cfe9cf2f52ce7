BeforeAll {
    Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force

    # The core reads this machine as the host when none is given. These tests
    # stand in for a Windows host on this Linux machine: the mock adds the host
    # the core would have read to the request and passes it on to the real core.
    function script:Set-StandInHost([hashtable] $HostSpec) {
        $script:standInHost = $HostSpec
        Mock -ModuleName WindowsContainers Invoke-CoreCommand {
            $request = $Arguments.Clone()
            $request.host = $script:standInHost
            $passOn = @{ Command = $Command; Arguments = $request; TimeoutSeconds = $TimeoutSeconds }
            if ($null -ne $Failure) { $passOn.Failure = $Failure }
            & (Get-Module WindowsContainers) { param($passOn) Invoke-CoreCommand @passOn } $passOn
        } -ParameterFilter { $Command -eq 'isolation.compatibility' -and -not $Arguments.ContainsKey('host') }
    }
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'Test-IsolationCompatibility' {
    Context 'When the host is given with -HostEdition (real core, through the bridge)' {
        BeforeAll {
            $results = @(Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2019 -HostEdition 'Windows Server 2022')
        }

        It 'Should return one WindowsContainers.IsolationCompatibility per isolation' {
            $results.Count | Should -Be 2
            $results[0].PSTypeNames | Should -Contain 'WindowsContainers.IsolationCompatibility'
            $results.Isolation | Should -Be @('Process', 'HyperV')
        }

        It 'Should refuse ltsc2019 on Windows Server 2022 under process isolation, in words' {
            $process = $results | Where-Object Isolation -EQ 'Process'
            $process.Allowed | Should -BeFalse
            $process.Reason | Should -BeExactly "Process isolation needs the image's build to match the host's: the host is Windows Server 2022 (20348), the image is ltsc2019 (17763)."
            $process.Suggestion | Should -BeExactly 'Use -Isolation HyperV, or an ltsc2022 image.'
            $process.ImageBuild | Should -Be 17763
            $process.HostBuild | Should -Be 20348
            $process.Image | Should -Be 'mcr.microsoft.com/windows/servercore:ltsc2019'
        }

        It 'Should allow it under Hyper-V isolation' {
            $hyperV = $results | Where-Object Isolation -EQ 'HyperV'
            $hyperV.Allowed | Should -BeTrue
            $hyperV.Suggestion | Should -BeNullOrEmpty
        }
    }

    Context 'When the host is given with -HostBuild in its various forms (real core)' {
        It 'Should accept <HostBuild>' -ForEach @(
            @{ HostBuild = '26100'; Expected = $true }
            @{ HostBuild = '10.0.26100.4349'; Expected = $true }
            @{ HostBuild = '10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)'; Expected = $true }
            @{ HostBuild = '10.0.17763'; Expected = $false }
        ) {
            # ltsc2022 under process isolation: a Server 2025 host runs it (the page's exception), a 2019 host does not.
            Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2022 -HostBuild $HostBuild -Isolation Process -Quiet | Should -Be $Expected
        }

        It 'Should fail with InvalidHostVersion, naming the value, for an impossible build' {
            { Test-IsolationCompatibility -Image busybox -HostBuild 10.0.99999 } | Should -Throw -ErrorId 'InvalidHostVersion,Test-IsolationCompatibility' -ExpectedMessage "*'10.0.99999'*"
        }

        It 'Should fail with InvalidHostVersion for an edition it does not know' {
            { Test-IsolationCompatibility -Image busybox -HostEdition 'Windows 12' } | Should -Throw -ErrorId 'InvalidHostVersion,Test-IsolationCompatibility' -ExpectedMessage "*'Windows 12'*Known:*"
        }
    }

    Context 'When this machine is the host (a Windows Server 2022 stand-in, real core)' {
        BeforeAll {
            Set-StandInHost @{ build = 20348; class = 'Server' }
        }

        It 'Should send no host (the core reads this machine) and make no host.info call' {
            $result = Test-IsolationCompatibility -Image mcr.microsoft.com/windows/nanoserver:ltsc2022 -Isolation Process
            $result.Allowed | Should -BeTrue
            $result.HostBuild | Should -Be 20348
            $result.Host | Should -Be 'Windows Server 2022 (20348)'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' -and -not $Arguments.ContainsKey('host') } -Times 1 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'host.info' } -Times 0 -Exactly
        }

        It 'Should answer pipeline input in order, with the page''s answers' {
            $images = 'mcr.microsoft.com/windows/servercore:ltsc2019', 'mcr.microsoft.com/windows/servercore:ltsc2022', 'mcr.microsoft.com/windows/servercore:1809-KB4493509', 'mcr.microsoft.com/windows/servercore:10.0.17763.5458'
            $results = @($images | Test-IsolationCompatibility)
            $results.Count | Should -Be 8
            $results.Image | Should -Be @($images | ForEach-Object { $_, $_ })
            @($results | Where-Object { $_.Isolation -eq 'Process' -and $_.Allowed }).Image | Should -Be @('mcr.microsoft.com/windows/servercore:ltsc2022')
            @($results | Where-Object { $_.Isolation -eq 'HyperV' -and $_.Allowed }).Count | Should -Be 4
        }

        It 'Should bind Image and ImageBuild by property name' {
            $digest = 'mcr.microsoft.com/windows/servercore@sha256:' + ('0' * 64)
            $result = [pscustomobject]@{ Image = $digest; ImageBuild = '10.0.20348.2527' } | Test-IsolationCompatibility -Isolation Process
            $result.Allowed | Should -BeTrue
            $result.ImageBuild | Should -Be 20348
            $result.ImageRevision | Should -Be 2527
        }

        It 'Should take the Image of container objects from the pipeline, not their Name' {
            $containers = @(
                [pscustomobject]@{ PSTypeName = 'WindowsContainers.Container'; Name = 'web'; Image = 'mcr.microsoft.com/windows/servercore:ltsc2019' }
                [pscustomobject]@{ PSTypeName = 'WindowsContainers.Container'; Name = 'api'; Image = 'mcr.microsoft.com/windows/servercore:ltsc2022' }
            )
            $results = @($containers | Test-IsolationCompatibility -Isolation Process)
            $results.Image | Should -Be @('mcr.microsoft.com/windows/servercore:ltsc2019', 'mcr.microsoft.com/windows/servercore:ltsc2022')
            $results.Allowed | Should -Be @($false, $true)
        }

        It 'Should answer a digest without a build as unknown' {
            $result = Test-IsolationCompatibility -Image ('mcr.microsoft.com/windows/servercore@sha256:' + ('a' * 64)) -Isolation HyperV
            $result.Allowed | Should -BeNullOrEmpty
            $result.Reason | Should -Match 'unknown'
        }

        It 'Should resolve -Isolation Default to Process on a Server host' {
            $result = Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2019 -Isolation Default
            $result.Isolation | Should -Be 'Process'
            $result.RequestedIsolation | Should -Be 'Default'
            $result.Allowed | Should -BeFalse
        }

        It 'Should write a non-terminating InvalidImageReference for a malformed reference and answer the others' {
            $results = @(Test-IsolationCompatibility -Image 'Upper/Case:ltsc2022', 'mcr.microsoft.com/windows/servercore:ltsc2022' -Isolation Process -ErrorVariable problems -ErrorAction SilentlyContinue)
            $results.Count | Should -Be 1
            $results[0].Allowed | Should -BeTrue
            $problems.Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be 'InvalidImageReference,Test-IsolationCompatibility'
            $problems[0].TargetObject | Should -Be 'Upper/Case:ltsc2022'
            $problems[0].Exception.Message | Should -Match "'Upper/Case:ltsc2022'.*lower case"
        }
    }

    Context 'When counting the calls to the core (both commands mocked)' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                [pscustomobject]@{
                    host    = [pscustomobject]@{ name = 'Windows Server 2022 (20348)'; build = 20348 }
                    results = @($Arguments.images | ForEach-Object {
                            [pscustomobject]@{ image = $_.reference; isolation = 'Process'; requestedIsolation = 'Process'; allowed = $true; reason = 'r'; suggestion = $null; windowsImage = $true; imageBuild = 20348; imageRevision = $null; imageRelease = 'ltsc2022'; hostBuild = 20348; source = 'table'; error = $null }
                        })
                }
            } -ParameterFilter { $Command -eq 'isolation.compatibility' }
        }

        It 'Should batch pipeline input into one isolation.compatibility call, and make no other' {
            $images = 1..25 | ForEach-Object { "mcr.microsoft.com/windows/servercore:ltsc2022-KB50000$('{0:d2}' -f $_)" }
            $results = @($images | Test-IsolationCompatibility -Isolation Process)
            $results.Count | Should -Be 25
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' } -Times 1 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -Times 1 -Exactly
        }

        It 'Should send very large batches in chunks of 1000, keeping the order' {
            $images = 1..2500 | ForEach-Object { "contoso/app$($_):ltsc2022" }
            $results = @($images | Test-IsolationCompatibility -Isolation Process)
            $results.Count | Should -Be 2500
            $results[0].Image | Should -Be 'contoso/app1:ltsc2022'
            $results[2499].Image | Should -Be 'contoso/app2500:ltsc2022'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' -and $Arguments.images.Count -eq 1000 } -Times 2 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' -and $Arguments.images.Count -eq 500 } -Times 1 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -Times 3 -Exactly
        }

        It 'Should pass no host (the core reads this machine) and every image to the core' {
            $null = Test-IsolationCompatibility -Image a/b:ltsc2022, c/d:ltsc2019 -ImageBuild 20348
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter {
                $Command -eq 'isolation.compatibility' -and -not $Arguments.ContainsKey('host') -and
                $Arguments.images.Count -eq 2 -and $Arguments.images[1].reference -eq 'c/d:ltsc2019' -and $Arguments.images[1].imageBuild -eq '20348' -and
                ($Arguments.isolations -join ',') -eq 'Process,HyperV'
            } -Times 1 -Exactly
        }

        It 'Should pass a given host on' {
            $null = Test-IsolationCompatibility -Image a/b:ltsc2022 -HostEdition 'Windows Server 2022'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' -and $Arguments.host.edition -eq 'Windows Server 2022' } -Times 1 -Exactly
        }
    }

    Context 'When this machine is Windows 11 23H2 (a stand-in, real core)' {
        BeforeAll {
            Set-StandInHost @{ build = 22631; class = 'Client' }
        }

        It 'Should resolve Default to HyperV on a client host' {
            (Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2019 -Isolation Default).Isolation | Should -Be 'HyperV'
        }

        It 'Should refuse ltsc2025 before 24H2 under both isolations' {
            $results = Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2025
            $results.Allowed | Should -Be @($false, $false)
            $results[0].Reason | Should -Match '24H2 \(build 26100\)'
        }

        It 'Should let Default mean Process on the linux backend' {
            (Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2022 -Isolation Default -Backend linux).Isolation | Should -Be 'Process'
        }
    }

    Context 'When -Quiet is used' {
        It 'Should return only $true or $false' {
            $answers = @('mcr.microsoft.com/windows/servercore:ltsc2022', 'mcr.microsoft.com/windows/servercore:ltsc2019' | Test-IsolationCompatibility -HostBuild 20348 -Isolation Process -Quiet)
            $answers | Should -Be @($true, $false)
            $answers[0] | Should -BeOfType [bool]
        }

        It 'Should answer an unknown as $false with a warning that says why' {
            $answer = Test-IsolationCompatibility -Image contoso/app:v1 -HostBuild 20348 -Isolation HyperV -Quiet -WarningVariable warnings -WarningAction SilentlyContinue
            $answer | Should -BeFalse
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match "contoso/app:v1.*unknown"
        }

        It 'Should answer -Quiet without -Isolation for the host''s default isolation, without a prompt' {
            # This host runs -NonInteractive: a mandatory prompt would fail here.
            $answer = Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2019 -HostEdition 'Windows Server 2022' -Quiet
            $answer | Should -BeOfType [bool]
            $answer | Should -BeFalse -Because 'Default is Process on Windows Server, and ltsc2019 does not run with process isolation on 2022'
            Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2019 -HostEdition 'Windows 11 24H2' -Quiet | Should -BeTrue -Because 'Default is HyperV on Windows 11'
        }

        It 'Should refuse -Quiet with more than one isolation' {
            { Test-IsolationCompatibility -Image busybox -HostBuild 20348 -Isolation Process, HyperV -Quiet } | Should -Throw -ErrorId 'QuietNeedsOneIsolation,Test-IsolationCompatibility'
        }
    }

    Context 'When this host is not Windows and no host is given' {
        It 'Should say to pass -HostBuild or -HostEdition: the core''s one rule, in one call' -Skip:$IsWindows {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand { } -ParameterFilter { $Command -eq 'host.info' }
            $caught = $null
            try { Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2022 } catch { $caught = $_ }
            $caught.FullyQualifiedErrorId | Should -Be 'HostBuildRequired,Test-IsolationCompatibility'
            $caught.Exception.Message | Should -BeLike "*$((Get-Content /etc/os-release | Where-Object { $_ -like 'PRETTY_NAME=*' }) -replace '^PRETTY_NAME="?|"$')*-HostBuild*-HostEdition*"
            $caught.Exception | Should -BeOfType [System.ArgumentException]
            $caught.ErrorDetails.RecommendedAction | Should -Match '-HostBuild'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'host.info' } -Times 0 -Exactly
        }
    }

    Context 'When this machine is Windows Server 2016 (a stand-in with its update revision, real core)' {
        BeforeAll {
            # What the core reads on such a host: build 14393 and the registry's UBR (here 6897).
            Set-StandInHost @{ build = '10.0.14393.6897'; class = 'Server' }
        }

        It 'Should keep the host revision: the same revision runs, another is refused naming both, never unknown' {
            $results = @(Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:10.0.14393.6897, mcr.microsoft.com/windows/servercore:10.0.14393.5125 -Isolation Process)
            $results.Allowed | Should -Be @($true, $false)
            $results[1].Reason | Should -Match '10\.0\.14393\.6897.*10\.0\.14393\.5125'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'host.info' } -Times 0 -Exactly
        }
    }

    Context 'When the results are formatted' {
        BeforeAll {
            $results = Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2019, contoso/app -HostEdition 'Windows Server 2022'
        }

        It 'Should show a table grouped by host with Allowed and an Unknown for unknowns, and the reason with the suggestion in the list view' {
            $text = $results | Out-String -Width 600
            $text | Should -Match 'Host: Windows Server 2022 \(20348\)\s'
            $text | Should -Match 'Isolation\s+Allowed\s+ImageBuild\s+Image'
            $text | Should -Match 'Unknown'
            $list = $results | Format-List | Out-String -Width 600
            $list | Should -Match 'Use -Isolation HyperV, or an ltsc2022 image\.'
        }

        It 'Should format deserialized objects (remoting) with the same view' {
            $clone = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($results[0]))
            $clone.PSTypeNames | Should -Contain 'Deserialized.WindowsContainers.IsolationCompatibility'
            ($clone | Out-String -Width 250) | Should -Match 'Isolation\s+Allowed\s+ImageBuild\s+Image'
        }
    }

    Context 'When reading its help' {
        It 'Should show the ltsc2019-on-2022 case in Get-Help -Examples' {
            $examples = Get-Help Test-IsolationCompatibility -Examples | Out-String
            $examples | Should -Match 'servercore:ltsc2019 -HostEdition ''Windows Server 2022'''
            $examples | Should -Match 'Use -Isolation HyperV, or an ltsc2022 image'
        }
    }
}

Describe 'New-IsolatedContainer: one round trip, the core''s pre-flight' {
    BeforeAll {
        # A record as container.create answers it.
        $script:createdRecord = [pscustomobject]@{
            name = 'pf'; id = 'pf'; backend = 'linux'; image = 'busybox'; isolation = 'Process'; state = 'running'; command = @('true')
            createdAt = '2026-01-01T00:00:00.000Z'; startedAt = '2026-01-01T00:00:01.000Z'; exitCode = $null; hostPid = 4242; utilityVmId = $null; managed = $true
            requestedIsolation = 'Default'; isolationDefaulted = $true
        }
        function script:Get-CoreRequestCount {
            # Requests sent to the running core so far (the bridge numbers them).
            InModuleScope WindowsContainers { if ($null -eq $script:CoreServer) { 0 } else { $script:CoreServer.NextId } }
        }
    }

    Context 'When the bridge is mocked' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand { $script:createdRecord }
        }

        It 'Should make exactly one core call per container, container.create, for <Image>' -ForEach @(
            @{ Image = 'busybox' }
            @{ Image = 'mcr.microsoft.com/windows/servercore:ltsc2019' }
            @{ Image = 'mcr.microsoft.com/windows/servercore@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }
        ) {
            $null = New-IsolatedContainer -Name pf -Image $Image -Isolation Process -Command true
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -Times 1 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'container.create' -and $Arguments.image -eq $Image } -Times 1 -Exactly
        }

        It 'Should make one call per container for a pipeline of three' {
            $null = 1..3 | ForEach-Object { [pscustomobject]@{ Name = "pf-$_"; Image = 'busybox' } } | New-IsolatedContainer -Command true
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -Times 3 -Exactly
        }

        It 'Should make no call at all with -WhatIf' {
            New-IsolatedContainer -Name pf -Image mcr.microsoft.com/windows/servercore:ltsc2019 -Isolation Process -Command cmd -WhatIf
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -Times 0 -Exactly
        }
    }

    Context 'When the real core checks the image on this Linux host' -Skip:$IsWindows {
        BeforeAll {
            $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
            $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-pf-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
            $null = New-Item -ItemType Directory -Path $state
            $env:WINDOWSCONTAINERS_STATE_DIR = $state
            InModuleScope WindowsContainers { Stop-CoreServer }
        }

        AfterAll {
            InModuleScope WindowsContainers { Stop-CoreServer }
            $env:WINDOWSCONTAINERS_STATE_DIR = $savedState
            Remove-Item -LiteralPath $state -Recurse -Force -ErrorAction Ignore
        }

        It 'Should refuse a Windows image under <Isolation> in one request, with the reason and the suggestion, creating nothing' -ForEach @(
            @{ Isolation = 'Process' }
            @{ Isolation = 'HyperV' }
            @{ Isolation = 'Default' }
        ) {
            $null = Invoke-Command { InModuleScope WindowsContainers { $null = Invoke-CoreCommand -Command core.ping } }
            $before = Get-CoreRequestCount
            $caught = $null
            try { New-IsolatedContainer -Name pf -Image mcr.microsoft.com/windows/nanoserver:ltsc2022 -Isolation $Isolation -Command cmd -ErrorAction Stop } catch { $caught = $_ }
            (Get-CoreRequestCount) - $before | Should -Be 1
            $caught.FullyQualifiedErrorId | Should -Be 'ImageIncompatibleWithHost,New-IsolatedContainer'
            $caught.Exception.Message | Should -BeLike '*Debian*Windows host*'
            $caught.Exception.Message | Should -Not -BeLike '*,,*'
            $caught.ErrorDetails.RecommendedAction | Should -Be 'Run it on a Windows host, or use a Linux image.'
            @(Get-ChildItem -LiteralPath $state -Recurse -Filter container.json -ErrorAction Ignore).Count | Should -Be 0
        }

        It 'Should say once on -Verbose which isolation Default means here' {
            $null = Invoke-Command { InModuleScope WindowsContainers { $null = Invoke-CoreCommand -Command core.ping } }
            $before = Get-CoreRequestCount
            $verbose = New-IsolatedContainer -Name pf -Image no-such-image -Isolation Default -Backend linux -Command true -Verbose -ErrorAction SilentlyContinue 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            (Get-CoreRequestCount) - $before | Should -Be 1
            @($verbose.Message | Where-Object { $_ -match 'Isolation Default means' }).Count | Should -Be 1
        }
    }
}
