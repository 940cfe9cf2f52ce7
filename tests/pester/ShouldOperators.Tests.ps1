# The Pester operators Should -BeIsolated and Should -BeCompatibleWith. Tagged
# AllPesterMajors: build/Invoke-PesterRun.ps1 runs this file under every Pester
# that build/nuget/tools.csproj restores (5.7.1 and 6.2.0), each in its own process.
# -BeIsolated is driven by verdict objects built the way Test-ContainerIsolation
# builds them (the real verdict on real containers is in
# ContainerIsolationCheck.E2E.Tests.ps1); -BeCompatibleWith runs the real core.
BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $script:manifest = Join-Path $repo 'WindowsContainers.psd1'
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
    $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-ops-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $env:WINDOWSCONTAINERS_STATE_DIR = $state
    Import-Module $manifest -Force

    # A WindowsContainers.IsolationTestResult as Test-ContainerIsolation returns it, from a core record.
    function script:New-Verdict {
        param([string] $Name = 'web', [string] $Observed = 'Process', [string] $Configured = 'Process', [string] $Reason = 'Every container process is the same process on the host: process isolation.', [switch] $Worker)
        $record = @{
            name                = $Name
            expectedIsolation   = $Configured
            observedIsolation   = $Observed
            configuredIsolation = $Configured
            passed              = $Observed -eq $Configured
            reason              = $Reason
            backend             = 'linux'
            containerProcesses  = @()
            hostMatches         = @(
                if ($Observed -eq 'Process') { @{ containerPid = 1; name = 'ping'; hostPid = 4242; matched = $true; outcome = 'SameProcess'; reason = 'PID, name and start time agree' } }
                else { @{ containerPid = 1; name = 'ping'; hostPid = $null; matched = $false; outcome = 'NotOnHost'; reason = 'no host process has this PID in the container namespace' } }
            )
            worker              = if ($Worker) { @{ claim = @{ pid = 777; name = 'qemu-system-x86_64'; tieToken = 'guest=web' }; alive = $true; tied = $true; reason = 'its command line names this container'; hostProcess = $null } } else { $null }
            reasons             = @($Reason)
            gaps                = @()
            decidedBy           = if ($Observed -eq 'Process') { 'host-match' } elseif ($Observed -eq 'HyperV') { 'worker' } else { 'no-worker' }
            containerView       = @{ source = 'container-procfs'; independent = $true; note = $null }
            snapshotTakenAt     = '2025-12-02T00:00:00.000Z'
        }
        InModuleScope WindowsContainers -Parameters @{ Record = $record } { param($Record) New-IsolationTestResultObject -Record $Record }
    }

    # The message Should throws, or $null when the assertion passed.
    function script:Get-ShouldFailure([scriptblock] $Assertion) {
        try { & $Assertion; $null } catch { $_.Exception.Message }
    }
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $savedState
    Remove-Item -LiteralPath $state -Recurse -Force -ErrorAction Ignore
}

Describe 'Should -BeIsolated' -Tag AllPesterMajors {
    Context 'When given a Test-ContainerIsolation result' {
        It 'Should pass when the observed isolation is the expected one' {
            New-Verdict -Observed Process | Should -BeIsolated -As Process
            New-Verdict -Observed HyperV -Configured HyperV -Worker | Should -BeIsolated -As HyperV
        }

        It 'Should fail with the container, both isolations, the reason and the host matches' {
            $message = Get-ShouldFailure { New-Verdict -Observed Process | Should -BeIsolated -As HyperV }
            $message | Should -Not -BeNullOrEmpty
            $message | Should -Match "^Expected container 'web' to be isolated as HyperV, but the isolation check observed Process\."
            $message | Should -Match 'Reason: Every container process is the same process on the host: process isolation\.'
            $message | Should -Match 'Host matches: ping \(container PID 1\) host PID 4242 \[SameProcess\]'
            $message | Should -Match 'Worker: none\.'
            $message | Should -Match 'Decided by: host-match\.'
            $message | Should -Not -Match "`n" -Because 'it becomes one JUnit failure message'
        }

        It 'Should show the control characters of a reason a container set (a process name) visibly' {
            $message = Get-ShouldFailure { New-Verdict -Observed Process -Reason "The container's process 'x$([char]0x1B)]0;t$([char]0x07)' is the host's." | Should -BeIsolated -As HyperV }
            @([regex]::Matches($message, '[\x00-\x1F\x7F-\x9F]')).Count | Should -Be 0 -Because 'the console and the JUnit report get no control character'
            $message.Contains("'x$([char]0x241B)]0;t$([char]0x2407)'") | Should -BeTrue
        }

        It 'Should name the worker process when the container was judged HyperV' {
            $message = Get-ShouldFailure { New-Verdict -Observed HyperV -Configured HyperV -Reason 'No container process is on the host and its worker is alive: Hyper-V isolation.' -Worker | Should -BeIsolated -As Process }
            $message | Should -Match 'observed HyperV'
            $message | Should -Match 'Worker: qemu-system-x86_64 PID 777 \(alive, tied to this container\): its command line names this container\.'
            $message | Should -Match 'ping \(container PID 1\) not on the host \[NotOnHost\]'
        }

        It 'Should take the expectation from the result when -As is not given' {
            New-Verdict -Observed Process -Configured Process | Should -BeIsolated
            $message = Get-ShouldFailure { New-Verdict -Observed Process -Configured HyperV | Should -BeIsolated }
            $message | Should -Match 'to be isolated as HyperV, but the isolation check observed Process'
        }

        It 'Should pass -Not when the observed isolation differs, and fail it when it is the same' {
            New-Verdict -Observed Process | Should -Not -BeIsolated -As HyperV
            $message = Get-ShouldFailure { New-Verdict -Observed Process | Should -Not -BeIsolated -As Process }
            $message | Should -Match "^Expected container 'web' not to be isolated as Process, but the isolation check observed Process\."
            $message | Should -Match 'Reason: '
        }

        It 'Should fail both ways on an Inconclusive verdict, with its reason' {
            $verdict = New-Verdict -Observed Inconclusive -Reason 'The container reports no processes.'
            foreach ($assertion in { $verdict | Should -BeIsolated -As HyperV }, { $verdict | Should -Not -BeIsolated -As HyperV }) {
                $message = Get-ShouldFailure $assertion
                $message | Should -Match 'inconclusive \(Inconclusive\), so it proves neither'
                $message | Should -Match 'Reason: The container reports no processes\.'
            }
        }

        It 'Should quote -Because' {
            $message = Get-ShouldFailure { New-Verdict | Should -BeIsolated -As HyperV -Because 'tenants share this host' }
            $message | Should -Match 'to be isolated as HyperV, because tenants share this host, but'
        }

        It 'Should judge a result that came back through remoting (deserialized)' {
            $remote = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((New-Verdict -Observed Process), 3))
            $remote.PSTypeNames | Should -Contain 'Deserialized.WindowsContainers.IsolationTestResult'
            $remote | Should -BeIsolated -As Process
            Get-ShouldFailure { $remote | Should -BeIsolated -As HyperV } | Should -Match 'host PID 4242'
        }
    }

    Context 'When given a container name or a container' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Test-ContainerIsolation { New-Verdict -Name $Name[0] -Observed HyperV -Configured HyperV -Worker }
        }

        It 'Should check the named container once and judge its verdict' {
            'web' | Should -BeIsolated -As HyperV
            Should -Invoke -ModuleName WindowsContainers Test-ContainerIsolation -Times 1 -Exactly -ParameterFilter { $Name -eq 'web' }
        }

        It 'Should check a container object by its name' {
            $container = [pscustomobject]@{ PSTypeName = 'WindowsContainers.Container'; Name = 'api'; Isolation = 'HyperV' }
            $message = Get-ShouldFailure { $container | Should -BeIsolated -As Process }
            $message | Should -Match "^Expected container 'api' to be isolated as Process, but the isolation check observed HyperV\."
            Should -Invoke -ModuleName WindowsContainers Test-ContainerIsolation -Times 1 -Exactly -ParameterFilter { $Name -eq 'api' }
        }

        It 'Should check each container of the pipeline' {
            $containers = 'a', 'b' | ForEach-Object { [pscustomobject]@{ PSTypeName = 'WindowsContainers.Container'; Name = $_ } }
            $containers | Should -BeIsolated -As HyperV
            Should -Invoke -ModuleName WindowsContainers Test-ContainerIsolation -Times 2 -Exactly
        }
    }

    Context 'When the check cannot be made' {
        It 'Should fail with the error of Test-ContainerIsolation' {
            Mock -ModuleName WindowsContainers Test-ContainerIsolation { Write-Error -ErrorId ContainerNotFound -Message "There is no container named 'gone' on any usable backend." }
            $message = Get-ShouldFailure { 'gone' | Should -BeIsolated -As Process }
            $message | Should -Match "^Expected container 'gone' to be isolated as Process, but its isolation could not be checked: There is no container named 'gone'"
        }

        It 'Should fail and name what it got when the value is no container' {
            Get-ShouldFailure { 42 | Should -BeIsolated -As Process } | Should -Match 'but got \[System.Int32\] ''42''\.$'
            Get-ShouldFailure { $null | Should -BeIsolated -As Process } | Should -Match 'but got \$null\.$'
        }
    }
}

Describe 'Should -BeCompatibleWith' -Tag AllPesterMajors {
    It 'Should pass for an image the host runs under that isolation' {
        'mcr.microsoft.com/windows/servercore:ltsc2022' | Should -BeCompatibleWith -Isolation Process -HostBuild 20348
        'mcr.microsoft.com/windows/servercore:ltsc2019' | Should -BeCompatibleWith -Isolation HyperV -HostEdition 'Windows Server 2022'
    }

    It 'Should fail with the image, the isolation, the host, the reason and the suggestion' {
        $message = Get-ShouldFailure { 'mcr.microsoft.com/windows/servercore:ltsc2019' | Should -BeCompatibleWith -Isolation Process -HostBuild 20348 }
        $message | Should -Match "^Expected image 'mcr\.microsoft\.com/windows/servercore:ltsc2019' to be compatible with Process isolation on Windows Server 2022 \(20348\), but it is not: "
        $message | Should -Match "Process isolation needs the image's build to match the host's"
        $message | Should -Match 'ltsc2019 \(17763\)'
        $message | Should -Match 'Use -Isolation HyperV, or an ltsc2022 image\.$'
    }

    It 'Should pass -Not for an incompatible image, and fail it for a compatible one' {
        'mcr.microsoft.com/windows/servercore:ltsc2019' | Should -Not -BeCompatibleWith -Isolation Process -HostBuild 20348
        $message = Get-ShouldFailure { 'mcr.microsoft.com/windows/servercore:ltsc2022' | Should -Not -BeCompatibleWith -Isolation Process -HostBuild 20348 }
        $message | Should -Match "not to be compatible with Process isolation on Windows Server 2022 \(20348\), but it is: "
    }

    It 'Should fail both ways when the image''s build is unknown' {
        foreach ($assertion in { 'contoso/app:1.0' | Should -BeCompatibleWith -Isolation Process -HostBuild 20348 }, { 'contoso/app:1.0' | Should -Not -BeCompatibleWith -Isolation Process -HostBuild 20348 }) {
            $message = Get-ShouldFailure $assertion
            $message | Should -Match 'but the answer is unknown: '
            $message | Should -Match "The Windows build of 'contoso/app:1.0' is unknown"
        }
    }

    It 'Should use -ImageBuild for a reference that names no release' {
        'contoso/app:1.0' | Should -BeCompatibleWith -Isolation Process -HostBuild 20348 -ImageBuild 10.0.20348.2527
    }

    It 'Should take a container''s Image property' {
        [pscustomobject]@{ PSTypeName = 'WindowsContainers.Container'; Name = 'web'; Image = 'mcr.microsoft.com/windows/nanoserver:ltsc2022' } |
            Should -BeCompatibleWith -Isolation Process -HostBuild 20348
    }

    It 'Should quote -Because' {
        Get-ShouldFailure { 'mcr.microsoft.com/windows/servercore:ltsc2025' | Should -BeCompatibleWith -Isolation HyperV -HostBuild 20348 -Because 'the fleet is still on 2022' } |
            Should -Match 'on Windows Server 2022 \(20348\), because the fleet is still on 2022, but it is not: '
    }

    It 'Should fail with the reason when this host has no Windows build to check against' -Skip:(-not $IsLinux) {
        $message = Get-ShouldFailure { 'mcr.microsoft.com/windows/servercore:ltsc2022' | Should -BeCompatibleWith -Isolation Process }
        $message | Should -Match 'but its compatibility could not be checked: This host runs .*, not Windows'
    }
}

Describe 'Registering the operators' -Tag AllPesterMajors {
    It 'Should list both operators in Pester' {
        $names = @(Get-ShouldOperator | ForEach-Object Name)
        $names | Should -Contain 'BeIsolated'
        $names | Should -Contain 'BeCompatibleWith'
    }

    It 'Should keep working, without a warning, after Import-Module -Force' {
        Import-Module $manifest -Force -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -BeNullOrEmpty
        'mcr.microsoft.com/windows/servercore:ltsc2019' | Should -BeCompatibleWith -Isolation HyperV -HostBuild 20348
        Get-ShouldFailure { New-Verdict -Observed Process | Should -BeIsolated -As HyperV } | Should -Match 'observed Process'
    }

    It 'Should import without Pester, and register when Pester is imported after the module' {
        # A fresh process: this one already has Pester. Under `dotnet pwsh` PowerShell is pwsh.dll beside $PSHOME.
        $pwsh = @([Environment]::ProcessPath)
        if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { $pwsh += Join-Path $PSHOME 'pwsh.dll' }
        $pesterManifest = (Get-Module Pester).Path -replace '\.psm1$', '.psd1'
        $script = {
            param($Manifest, $PesterManifest)
            $ErrorActionPreference = 'Stop'
            Import-Module $Manifest
            "pester-loaded=$([bool](Get-Module Pester))"
            "hook=$([bool]$ExecutionContext.InvokeCommand.PostCommandLookupAction)"
            Import-Module $PesterManifest
            try { 'mcr.microsoft.com/windows/servercore:ltsc2019' | Should -BeCompatibleWith -Isolation Process -HostBuild 20348 } catch { "failure=$($_.Exception.Message)" }
            "hook-after=$([bool]$ExecutionContext.InvokeCommand.PostCommandLookupAction)"
            Remove-Module WindowsContainers
        }
        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes("& { $script } '$($manifest -replace "'", "''")' '$($pesterManifest -replace "'", "''")'"))
        $output = @(& $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" })
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output | Should -Contain 'pester-loaded=False'
        $output | Should -Contain 'hook=True'
        ($output | Where-Object { $_ -like 'failure=*' }) | Should -Match "^failure=Expected image 'mcr\.microsoft\.com/windows/servercore:ltsc2019' to be compatible with Process isolation"
        $output | Should -Contain 'hook-after=False'
    }
}
