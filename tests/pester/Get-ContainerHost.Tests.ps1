BeforeAll {
    Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'Get-ContainerHost' {
    Context 'When run against the real core on this host' {
        BeforeAll {
            $containerHost = Get-ContainerHost
        }

        It 'Should return one WindowsContainers.ContainerHost' {
            @($containerHost).Count | Should -Be 1
            $containerHost.PSTypeNames | Should -Contain 'WindowsContainers.ContainerHost'
        }

        It 'Should describe this machine' {
            $containerHost.ComputerName | Should -Be ([System.Net.Dns]::GetHostName())
            $containerHost.Platform | Should -Be $(if ($IsWindows) { 'win32' } elseif ($IsLinux) { 'linux' } else { 'darwin' })
            $containerHost.OperatingSystem | Should -Not -BeNullOrEmpty
        }

        It 'Should imply the default isolation of its class' {
            $expected = if ($IsWindows -and $containerHost.HostClass -eq 'Client') { 'HyperV' } else { 'Process' }
            $containerHost.DefaultIsolation | Should -Be $expected
        }

        It 'Should report each backend once, with a reason' {
            @($containerHost.Backends.Name | Sort-Object) | Should -Be @('docker', 'hcs', 'linux')
            foreach ($backend in $containerHost.Backends) {
                $backend.PSTypeNames | Should -Contain 'WindowsContainers.BackendStatus'
                $backend.Reason | Should -Not -BeNullOrEmpty
            }
        }

        It 'Should name the utility-VM kernel on Linux, best first, and why' -Skip:(-not $IsLinux) {
            $linux = $containerHost.Backends | Where-Object Name -eq 'linux'
            if (-not $linux.Usable) { Set-ItResult -Inconclusive -Because 'the linux backend is not usable here'; return }
            $containerHost.UtilityVmKernel | Should -Match '^(minimal|cloud|generic|host|custom) kernel .*(PVH|bzImage).*\): '
            $containerHost.UtilityVmKernel | Should -Match ([regex]::Escape($linux.Details.utilityVm.kernel))
            ($containerHost | Out-String) | Should -Match 'UtilityVmKernel\s*:\s*(minimal|cloud|generic|host|custom)'
        }

        It 'Should format with its default view' {
            $text = $containerHost | Out-String
            $text | Should -Match 'DefaultIsolation\s*:\s*(Process|HyperV)'
            $text | Should -Match 'Backends\s*:.*linux'
        }
    }

    Context 'When the object comes back through remoting (deserialized)' {
        It 'Should still format with the same view' {
            $clone = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-ContainerHost), 3))
            $clone.PSTypeNames | Should -Contain 'Deserialized.WindowsContainers.ContainerHost'
            ($clone | Out-String) | Should -Match 'DefaultIsolation\s*:'
        }
    }

    Context 'When the core reports a fixed host' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                [pscustomobject]@{
                    computerName     = 'node1'
                    os               = [pscustomobject]@{ platform = 'win32'; name = 'Windows 11 Pro'; version = '10.0.26100'; build = 26100; revision = 2605; hostClass = 'Client'; architecture = 'x64' }
                    defaultIsolation = 'HyperV'
                    backends         = @([pscustomobject]@{ name = 'hcs'; usable = $true; reason = 'computecore.dll answers.'; isolations = @('Process', 'HyperV'); details = @{} })
                    core             = [pscustomobject]@{ version = '0.1.0' }
                }
            } -ParameterFilter { $Command -eq 'host.info' }
        }

        It 'Should map the core''s answer onto the object' {
            $result = Get-ContainerHost
            $result.Build | Should -Be 26100
            $result.Revision | Should -Be 2605
            $result.HostClass | Should -Be 'Client'
            $result.DefaultIsolation | Should -Be 'HyperV'
            $result.Backends[0].Isolations | Should -Be @('Process', 'HyperV')
            $result.UtilityVmKernel | Should -BeNullOrEmpty
            ($result | Out-String) | Should -Not -Match 'UtilityVmKernel'
            Should -Invoke Invoke-CoreCommand -ModuleName WindowsContainers -Times 1 -Exactly
        }
    }

    Context 'When the core fails' {
        BeforeAll {
            # The bridge hands a failure back in -Failure (it never throws at the public command).
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                $Failure.Value = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new('The core exited.'), 'CoreExited', 'ResourceUnavailable', $null)
            }
        }

        It 'Should throw a terminating error with the core''s ErrorId' {
            { Get-ContainerHost } | Should -Throw -ErrorId 'CoreExited,Get-ContainerHost'
        }
    }
}
