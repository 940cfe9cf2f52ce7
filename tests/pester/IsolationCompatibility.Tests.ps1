BeforeAll {
    Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force

    # What host.info answers on a Windows Server 2022 host and on this Linux machine.
    $script:server2022Info = [pscustomobject]@{
        computerName = 'node1'
        os           = [pscustomobject]@{ platform = 'win32'; name = 'Windows Server 2022 Datacenter'; version = '10.0.20348'; build = 20348; hostClass = 'Server'; architecture = 'x64' }
    }
    $script:windows11Info = [pscustomobject]@{
        computerName = 'laptop1'
        os           = [pscustomobject]@{ platform = 'win32'; name = 'Windows 11 Pro'; version = '10.0.22631'; build = 22631; hostClass = 'Client'; architecture = 'x64' }
    }
    $script:linuxInfo = [pscustomobject]@{
        computerName = 'ci1'
        os           = [pscustomobject]@{ platform = 'linux'; name = 'Debian GNU/Linux 12 (bookworm)'; version = '6.1.0'; build = $null; hostClass = $null; architecture = 'x64' }
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

    Context 'When the host comes from host.info (mocked Windows Server 2022)' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand { $script:server2022Info } -ParameterFilter { $Command -eq 'host.info' }
            # isolation.compatibility is not mocked: it reaches the real core.
        }

        It 'Should take the host from host.info' {
            $result = Test-IsolationCompatibility -Image mcr.microsoft.com/windows/nanoserver:ltsc2022 -Isolation Process
            $result.Allowed | Should -BeTrue
            $result.HostBuild | Should -Be 20348
            $result.Host | Should -Be 'Windows Server 2022 (20348)'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'host.info' } -Times 1 -Exactly
            # Only the OS is needed: the core is told to skip slow probes (the KVM test boot).
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'host.info' -and $Arguments.thorough -eq $false } -Times 1 -Exactly
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
            Mock -ModuleName WindowsContainers Invoke-CoreCommand { $script:server2022Info } -ParameterFilter { $Command -eq 'host.info' }
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                [pscustomobject]@{
                    host    = [pscustomobject]@{ name = 'Windows Server 2022 (20348)'; build = 20348 }
                    results = @($Arguments.images | ForEach-Object {
                            [pscustomobject]@{ image = $_.reference; isolation = 'Process'; requestedIsolation = 'Process'; allowed = $true; reason = 'r'; suggestion = $null; windowsImage = $true; imageBuild = 20348; imageRevision = $null; imageRelease = 'ltsc2022'; hostBuild = 20348; source = 'table'; error = $null }
                        })
                }
            } -ParameterFilter { $Command -eq 'isolation.compatibility' }
        }

        It 'Should batch pipeline input into one isolation.compatibility call, after one host.info' {
            $images = 1..25 | ForEach-Object { "mcr.microsoft.com/windows/servercore:ltsc2022-KB50000$('{0:d2}' -f $_)" }
            $results = @($images | Test-IsolationCompatibility -Isolation Process)
            $results.Count | Should -Be 25
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' } -Times 1 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'host.info' } -Times 1 -Exactly
        }

        It 'Should send very large batches in chunks of 1000, keeping the order' {
            $images = 1..2500 | ForEach-Object { "contoso/app$($_):ltsc2022" }
            $results = @($images | Test-IsolationCompatibility -Isolation Process)
            $results.Count | Should -Be 2500
            $results[0].Image | Should -Be 'contoso/app1:ltsc2022'
            $results[2499].Image | Should -Be 'contoso/app2500:ltsc2022'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' -and $Arguments.images.Count -eq 1000 } -Times 2 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' -and $Arguments.images.Count -eq 500 } -Times 1 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'host.info' } -Times 1 -Exactly
        }

        It 'Should pass the build and class from host.info, and every image, to the core' {
            $null = Test-IsolationCompatibility -Image a/b:ltsc2022, c/d:ltsc2019 -ImageBuild 20348
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter {
                $Command -eq 'isolation.compatibility' -and $Arguments.host.build -eq 20348 -and $Arguments.host.class -eq 'Server' -and
                $Arguments.images.Count -eq 2 -and $Arguments.images[1].reference -eq 'c/d:ltsc2019' -and $Arguments.images[1].imageBuild -eq '20348' -and
                ($Arguments.isolations -join ',') -eq 'Process,HyperV'
            } -Times 1 -Exactly
        }

        It 'Should not ask host.info when the host is given' {
            $null = Test-IsolationCompatibility -Image a/b:ltsc2022 -HostEdition 'Windows Server 2022'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'host.info' } -Times 0 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' -and $Arguments.host.edition -eq 'Windows Server 2022' } -Times 1 -Exactly
        }
    }

    Context 'When the host is Windows 11 23H2 (mocked host.info)' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand { $script:windows11Info } -ParameterFilter { $Command -eq 'host.info' }
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

        It 'Should refuse -Quiet with more than one isolation' {
            { Test-IsolationCompatibility -Image busybox -HostBuild 20348 -Isolation Process, HyperV -Quiet } | Should -Throw -ErrorId 'QuietNeedsOneIsolation,Test-IsolationCompatibility'
        }
    }

    Context 'When this host is not Windows and no host is given' {
        It 'Should say to pass -HostBuild or -HostEdition (mocked host.info)' {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand { $script:linuxInfo } -ParameterFilter { $Command -eq 'host.info' }
            { Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2022 } |
                Should -Throw -ErrorId 'HostBuildRequired,Test-IsolationCompatibility' -ExpectedMessage '*Debian*-HostBuild*-HostEdition*'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' } -Times 0 -Exactly
        }

        It 'Should say so on this real machine too' -Skip:$IsWindows {
            { Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2022 } | Should -Throw -ErrorId 'HostBuildRequired,Test-IsolationCompatibility'
        }
    }

    Context 'When the results are formatted' {
        BeforeAll {
            $results = Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2019, contoso/app -HostEdition 'Windows Server 2022'
        }

        It 'Should show a table with Allowed, an Unknown for unknowns, and the reason with the suggestion' {
            $text = $results | Out-String -Width 600
            $text | Should -Match 'Image\s+Isolation\s+Allowed\s+ImageBuild\s+HostBuild'
            $text | Should -Match 'Unknown'
            $text | Should -Match 'Use -Isolation HyperV, or an ltsc2022 image\.'
        }

        It 'Should format deserialized objects (remoting) with the same view' {
            $clone = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($results[0]))
            $clone.PSTypeNames | Should -Contain 'Deserialized.WindowsContainers.IsolationCompatibility'
            ($clone | Out-String -Width 250) | Should -Match 'Image\s+Isolation\s+Allowed'
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

Describe 'Assert-ImageCompatibility (the pre-flight)' {
    Context 'When the core says the image cannot run here (mocked)' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                [pscustomobject]@{
                    host    = [pscustomobject]@{ name = 'Windows Server 2022 (20348)'; build = 20348 }
                    results = @([pscustomobject]@{
                            image = 'mcr.microsoft.com/windows/servercore:ltsc2019'; isolation = 'Process'; requestedIsolation = 'Default'; allowed = $false
                            reason = "Process isolation needs the image's build to match the host's: the host is Windows Server 2022 (20348), the image is ltsc2019 (17763)."
                            suggestion = 'Use -Isolation HyperV, or an ltsc2022 image.'; windowsImage = $true; imageBuild = 17763; hostBuild = 20348; error = $null
                        })
                }
            } -ParameterFilter { $Command -eq 'isolation.compatibility' }
        }

        It 'Should throw ImageIncompatibleWithHost with the reason and the suggestion' {
            $caught = $null
            try { InModuleScope WindowsContainers { Assert-ImageCompatibility -Image 'mcr.microsoft.com/windows/servercore:ltsc2019' -Isolation Default } }
            catch { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -Be 'ImageIncompatibleWithHost'
            $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $caught.Exception.Message | Should -Match 'ltsc2019.*Process isolation.*the image is ltsc2019 \(17763\)\. Use -Isolation HyperV, or an ltsc2022 image\.'
            $caught.ErrorDetails.RecommendedAction | Should -Be 'Use -Isolation HyperV, or an ltsc2022 image.'
            $caught.Exception.Data['CoreDetails'].hostBuild | Should -Be 20348
        }

        It 'Should send the requested isolation and backend in one call' {
            try { InModuleScope WindowsContainers { Assert-ImageCompatibility -Image 'mcr.microsoft.com/windows/servercore:ltsc2019' -Isolation HyperV -Backend hcs } } catch { $null = $_ }
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter {
                $Command -eq 'isolation.compatibility' -and $Arguments.isolations[0] -eq 'HyperV' -and $Arguments.backend -eq 'hcs' -and $Arguments.images[0].reference -like '*ltsc2019'
            } -Times 1 -Exactly
        }
    }

    Context 'When the answer is unknown for a Windows image (mocked)' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                [pscustomobject]@{
                    host    = [pscustomobject]@{ name = 'Windows Server 2022 (20348)'; build = 20348 }
                    results = @([pscustomobject]@{ image = 'x'; isolation = 'HyperV'; allowed = $null; reason = 'The image''s build 16299 is not in the catalogue.'; suggestion = $null; windowsImage = $true; error = $null })
                }
            } -ParameterFilter { $Command -eq 'isolation.compatibility' }
        }

        It 'Should warn and let the backend decide' {
            $isolation = InModuleScope WindowsContainers { Assert-ImageCompatibility -Image 'mcr.microsoft.com/windows/servercore:10.0.16299.125' -Isolation HyperV -WarningVariable w -WarningAction SilentlyContinue; $script:w = $w }
            $isolation | Should -Be 'HyperV'
            InModuleScope WindowsContainers { "$($script:w)" } | Should -Match '16299 is not in the catalogue'
        }
    }

    Context 'When run against the real core on this Linux host' -Skip:$IsWindows {
        It 'Should let a non-Windows image through untouched and resolve Default, saying which on -Verbose' {
            $out = InModuleScope WindowsContainers { Assert-ImageCompatibility -Image busybox -Isolation Default -Backend linux -Verbose -WarningAction Stop 4>&1 }
            $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
            @($out | Where-Object { $_ -is [string] }) | Should -Be @('Process')
            ($verbose -join "`n") | Should -Match 'Isolation Default means Process'
        }

        It 'Should refuse a Windows image: no isolation runs it on Linux' {
            { InModuleScope WindowsContainers { Assert-ImageCompatibility -Image mcr.microsoft.com/windows/nanoserver:ltsc2022 -Isolation Process } } |
                Should -Throw -ErrorId 'ImageIncompatibleWithHost' -ExpectedMessage '*Debian*Windows host*'
        }

        It 'Should leave a name that is no registry reference to the backend, saying so on -Verbose' {
            $out = InModuleScope WindowsContainers { Assert-ImageCompatibility -Image 'my-image-' -Isolation HyperV -Verbose 4>&1 }
            @($out | Where-Object { $_ -is [string] }) | Should -Be @('HyperV')
            (@($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n") | Should -Match 'backend validates the name'
        }
    }
}

Describe 'New-IsolatedContainer pre-flight' {
    BeforeAll {
        # A record as container.create answers it, for the calls that are allowed through.
        $script:createdRecord = [pscustomobject]@{
            name = 'pf'; id = 'pf'; backend = 'linux'; image = 'busybox'; isolation = 'Process'; state = 'running'; command = @('true')
            createdAt = '2026-01-01T00:00:00.000Z'; startedAt = '2026-01-01T00:00:01.000Z'; exitCode = $null; hostPid = 4242; utilityVmId = $null; managed = $true
            requestedIsolation = 'Default'; isolationDefaulted = $true
        }
    }

    Context 'When the core says the Windows image cannot run under the requested isolation (bridge mocked)' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                [pscustomobject]@{
                    host    = [pscustomobject]@{ name = 'Windows Server 2022 (20348)'; build = 20348 }
                    results = @([pscustomobject]@{
                            image = 'mcr.microsoft.com/windows/servercore:ltsc2019'; isolation = 'Process'; requestedIsolation = 'Process'; allowed = $false
                            reason = "Process isolation needs the image's build to match the host's: the host is Windows Server 2022 (20348), the image is ltsc2019 (17763)."
                            suggestion = 'Use -Isolation HyperV, or an ltsc2022 image.'; windowsImage = $true; imageBuild = 17763; hostBuild = 20348; error = $null
                        })
                }
            } -ParameterFilter { $Command -eq 'isolation.compatibility' }
            Mock -ModuleName WindowsContainers Invoke-CoreCommand { $script:createdRecord } -ParameterFilter { $Command -eq 'container.create' }
        }

        It 'Should refuse with ImageIncompatibleWithHost, the reason and the suggestion, and never call container.create' {
            $caught = $null
            try { New-IsolatedContainer -Name pf -Image mcr.microsoft.com/windows/servercore:ltsc2019 -Isolation Process -Command cmd } catch { $caught = $_ }
            $caught.FullyQualifiedErrorId | Should -Be 'ImageIncompatibleWithHost,New-IsolatedContainer'
            $caught.Exception.Message | Should -Match 'the image is ltsc2019 \(17763\)\. Use -Isolation HyperV, or an ltsc2022 image\.'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'container.create' } -Times 0 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' -and $Arguments.isolations[0] -eq 'Process' } -Times 1 -Exactly
        }

        It 'Should make no call at all with -WhatIf' {
            New-IsolatedContainer -Name pf -Image mcr.microsoft.com/windows/servercore:ltsc2019 -Isolation Process -Command cmd -WhatIf
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -Times 0 -Exactly
        }
    }

    Context 'When one image is created from again and again (compatibility and container.create mocked, a real core running)' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                $reference = $Arguments.images[0].reference
                $result = switch -Wildcard ($reference) {
                    '*:ltsc2019' { @{ allowed = $false; windowsImage = $true; reason = 'Process isolation needs the same build.'; suggestion = 'Use -Isolation HyperV.' } }
                    '*@sha256:*' { @{ allowed = $null; windowsImage = $true; reason = 'The build of this digest is unknown.'; suggestion = $null } }
                    default { @{ allowed = $null; windowsImage = $false; reason = $null; suggestion = $null } }
                }
                [pscustomobject]@{
                    host    = [pscustomobject]@{ name = 'test host' }
                    results = @([pscustomobject]@{
                            image = $reference; isolation = 'Process'; requestedIsolation = $Arguments.isolations[0]; allowed = $result.allowed; reason = $result.reason
                            suggestion = $result.suggestion; windowsImage = $result.windowsImage; imageBuild = $null; hostBuild = $null; error = $null
                        })
                }
            } -ParameterFilter { $Command -eq 'isolation.compatibility' }
            Mock -ModuleName WindowsContainers Invoke-CoreCommand { $script:createdRecord } -ParameterFilter { $Command -eq 'container.create' }
        }

        BeforeEach {
            # core.ping is not mocked: it starts (or reuses) the real core whose answers may be remembered.
            InModuleScope WindowsContainers { $script:PreflightPasses.Clear(); $null = Invoke-CoreCommand -Command core.ping }
        }

        It 'Should ask the core once for a pass, and again once the core has been restarted' {
            1..3 | ForEach-Object { $null = New-IsolatedContainer -Name "pf-$_" -Image busybox -Isolation Process -Command true }
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' } -Times 1 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'container.create' } -Times 3 -Exactly

            # Another isolation or backend is another question.
            $null = New-IsolatedContainer -Name pf-4 -Image busybox -Isolation HyperV -Command true
            $null = New-IsolatedContainer -Name pf-5 -Image busybox -Isolation Process -Backend linux -Command true
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' } -Times 3 -Exactly

            InModuleScope WindowsContainers { Stop-CoreServer; $null = Invoke-CoreCommand -Command core.ping }
            $verbose = New-IsolatedContainer -Name pf-6 -Image busybox -Isolation Process -Command true -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' } -Times 4 -Exactly
            ($verbose.Message -join "`n") | Should -Not -Match 'already passed'
            $verbose = New-IsolatedContainer -Name pf-7 -Image busybox -Isolation Process -Command true -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            ($verbose.Message -join "`n") | Should -Match "Pre-flight: 'busybox' with Process isolation already passed"
        }

        It 'Should never remember a refusal: every attempt is refused before container.create' {
            1..2 | ForEach-Object {
                { New-IsolatedContainer -Name pf -Image mcr.microsoft.com/windows/servercore:ltsc2019 -Isolation Process -Command cmd } |
                    Should -Throw -ErrorId 'ImageIncompatibleWithHost,New-IsolatedContainer'
            }
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' } -Times 2 -Exactly
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'container.create' } -Times 0 -Exactly
        }

        It 'Should never remember an answer that warned: the warning comes every time' {
            $image = 'mcr.microsoft.com/windows/servercore@sha256:' + ('b' * 64)
            $warnings = 1..2 | ForEach-Object { New-IsolatedContainer -Name "pf-$_" -Image $image -Isolation HyperV -Command cmd 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } }
            @($warnings).Count | Should -Be 2
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'isolation.compatibility' } -Times 2 -Exactly
        }
    }

    Context 'When the real core checks the image on this Linux host (container.create mocked)' -Skip:$IsWindows {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand { $script:createdRecord } -ParameterFilter { $Command -eq 'container.create' }
        }

        It 'Should refuse a Windows image under <Isolation> before any backend call' -ForEach @(
            @{ Isolation = 'Process' }
            @{ Isolation = 'HyperV' }
            @{ Isolation = 'Default' }
        ) {
            { New-IsolatedContainer -Name pf -Image mcr.microsoft.com/windows/nanoserver:ltsc2022 -Isolation $Isolation -Command cmd } |
                Should -Throw -ErrorId 'ImageIncompatibleWithHost,New-IsolatedContainer' -ExpectedMessage '*Debian*Windows host*'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'container.create' } -Times 0 -Exactly
        }

        It 'Should pass a non-Windows image (busybox) through untouched' {
            $container = New-IsolatedContainer -Name pf -Image busybox -Command true -WarningAction Stop
            $container.Name | Should -Be 'pf'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter {
                $Command -eq 'container.create' -and $Arguments.image -eq 'busybox' -and $Arguments.isolation -eq 'Default'
            } -Times 1 -Exactly
        }

        It 'Should say on -Verbose which isolation Default means here' {
            $verbose = New-IsolatedContainer -Name pf -Image busybox -Isolation Default -Backend linux -Command true -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            ($verbose.Message -join "`n") | Should -Match 'Isolation Default means Process'
        }

        It 'Should leave a local image name that is no registry reference to the backend''s own validation' {
            # 'my-image-' is a valid name in the linux backend's store but not a registry reference.
            $null = New-IsolatedContainer -Name pf -Image 'my-image-' -Command true
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -ParameterFilter { $Command -eq 'container.create' -and $Arguments.image -eq 'my-image-' } -Times 1 -Exactly
        }
    }
}
