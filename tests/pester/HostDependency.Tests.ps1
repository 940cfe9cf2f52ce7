# Get-ContainerHost says what this host lacks for the linux backend and how to
# get it (Missing), from the core's own probe details; the core is mocked with
# the shapes host.info answers (ts-core/src/backends/linux/index.ts, vm/vmHostStatus.ts).
BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force

    function script:New-HostInfo([object[]] $Backends) {
        [pscustomobject]@{
            computerName     = 'node1'
            os               = [pscustomobject]@{ platform = 'linux'; name = 'Debian GNU/Linux 12 (bookworm)'; version = '6.1.0'; build = $null; revision = $null; hostClass = $null; architecture = 'x64' }
            defaultIsolation = 'Process'
            backends         = $Backends
            core             = [pscustomobject]@{ version = '0.1.0' }
        }
    }
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'Get-ContainerHost: what is missing' {
    Context 'When runc is not installed' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                New-HostInfo @([pscustomobject]@{ name = 'linux'; usable = $false; isolations = @(); reason = 'runc is not installed: apt-get install runc.'
                        details = [pscustomobject]@{ stateDir = '/var/lib/windowscontainers'; runc = $null } })
            } -ParameterFilter { $Command -eq 'host.info' }
        }

        It 'Should name runc and the command that installs it' {
            (Get-ContainerHost).Missing | Should -Be @('runc (process isolation): apt-get install runc')
        }

        It 'Should say so in the default view, also when deserialized' {
            $live = Get-ContainerHost
            $clone = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($live, 3))
            foreach ($item in $live, $clone) {
                ($item | Out-String -Width 200) | Should -Match 'Missing\s*:\s*runc \(process isolation\): apt-get install runc'
            }
        }
    }

    Context 'When the utility VM lacks QEMU and a kernel' {
        BeforeAll {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                $missing = @(
                    [pscustomobject]@{ what = 'qemu-system-x86_64'; package = 'qemu-system-x86'; message = 'qemu-system-x86_64 is not installed.' }
                    [pscustomobject]@{ what = 'kernel'; package = 'linux-image-amd64'; message = 'No kernel for the utility VM was found.' }
                )
                New-HostInfo @([pscustomobject]@{ name = 'linux'; usable = $true; isolations = @('Process'); reason = 'runc at /usr/sbin/runc; isolations: Process.'
                        details = [pscustomobject]@{ runc = '/usr/sbin/runc'; utilityVm = [pscustomobject]@{ usable = $false; missing = $missing } } })
            } -ParameterFilter { $Command -eq 'host.info' }
        }

        It 'Should list each, for HyperV isolation, with its package' {
            (Get-ContainerHost).Missing | Should -Be @(
                'qemu-system-x86_64 (HyperV isolation): apt-get install qemu-system-x86'
                'kernel (HyperV isolation): apt-get install linux-image-amd64'
            )
        }
    }

    Context 'When nothing is missing, or the host is Windows' {
        It 'Should say nothing is missing' {
            Mock -ModuleName WindowsContainers Invoke-CoreCommand {
                New-HostInfo @(
                    [pscustomobject]@{ name = 'linux'; usable = $true; isolations = @('Process', 'HyperV'); reason = 'ok'
                        details = [pscustomobject]@{ runc = '/usr/sbin/runc'; utilityVm = [pscustomobject]@{ usable = $true; missing = @() } } }
                    [pscustomobject]@{ name = 'hcs'; usable = $false; isolations = @(); reason = 'HCS exists only on Windows.'; details = @{} })
            } -ParameterFilter { $Command -eq 'host.info' }
            $result = Get-ContainerHost
            @($result.Missing).Count | Should -Be 0
            ($result | Out-String) | Should -Match 'Missing\s*:\s*nothing'
        }
    }
}
