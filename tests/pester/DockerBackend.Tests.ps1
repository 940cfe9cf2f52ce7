BeforeDiscovery {
    . "$PSScriptRoot/helpers/PrivateDockerd.ps1"
    $script:canRunDockerd = Test-PrivateDockerdSupported
}

BeforeAll {
    . "$PSScriptRoot/helpers/PrivateDockerd.ps1"
    $script:savedDockerHost = $env:DOCKER_HOST
}

AfterAll {
    $env:DOCKER_HOST = $script:savedDockerHost
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'The docker backend against a private dockerd' -Tag E2E -Skip:(-not $canRunDockerd) {
    BeforeAll {
        $script:daemon = Start-PrivateDockerd
        Restart-CoreWith $daemon.DockerHost
    }

    AfterAll {
        if ($script:daemon -and -not $script:stopped) { $null = Stop-PrivateDockerd $script:daemon }
    }

    Context 'When Get-ContainerHost probes the daemon' {
        BeforeAll {
            $script:docker = (Get-ContainerHost).Backends | Where-Object Name -EQ 'docker'
        }

        It 'Should report the docker backend usable at the private endpoint' {
            $docker.Usable | Should -BeTrue
            $docker.Details.endpoint | Should -Be $daemon.DockerHost
            $docker.Details.reachable | Should -BeTrue
            $docker.Reason | Should -Match ([regex]::Escape($daemon.DockerHost))
        }

        It 'Should show the daemon version, OS type, default isolation and runtimes' {
            $docker.Details.daemonVersion | Should -Match '^20\.10\.'
            $docker.Details.osType | Should -Be 'linux'
            $docker.Details.defaultIsolation | Should -Be 'Process'
            $docker.Details.runtimes | Should -Contain 'runc'
            $docker.Details.runtimes | Should -Contain 'runsc'
        }

        It 'Should offer HyperV-class isolation through runsc' {
            $docker.Isolations | Should -Be @('Process', 'HyperV')
            $docker.Details.vmClassRuntimes | Should -Be @('runsc')
            $docker.Reason | Should -Match 'runtime runsc'
        }
    }

    Context 'When the daemon is stopped' {
        BeforeAll {
            $script:beforeStop = @(Get-PrivateDockerdLeftover $daemon)
            $script:result = Stop-PrivateDockerd $daemon
            $script:stopped = $true
        }

        It 'Should have been running with its own processes' {
            ($beforeStop -join "`n") | Should -Match 'dockerd --config-file'
        }

        It 'Should leave no containers, processes, mounts or cgroups' {
            $result.Report | Should -Match 'nothing left'
            $result.Clean | Should -BeTrue
            @(Get-PrivateDockerdLeftover $daemon) | Should -BeNullOrEmpty
            Test-Path -LiteralPath $daemon.Dir | Should -BeFalse
        }

        It 'Should report the backend unusable, naming the endpoint' {
            Restart-CoreWith $daemon.DockerHost
            $docker = (Get-ContainerHost).Backends | Where-Object Name -EQ 'docker'
            $docker.Usable | Should -BeFalse
            $docker.Reason | Should -Match ([regex]::Escape($daemon.DockerHost))
            $docker.Details.reachable | Should -BeFalse
            $docker.Details.errorCode | Should -Be 'DockerUnavailable'
        }
    }
}

Describe 'The docker backend with an endpoint it does not support' {
    It 'Should refuse tcp:// with what to use instead' {
        Restart-CoreWith 'tcp://192.0.2.10:2376'
        $docker = (Get-ContainerHost).Backends | Where-Object Name -EQ 'docker'
        $docker.Usable | Should -BeFalse
        $docker.Reason | Should -Match 'tcp://192\.0\.2\.10:2376'
        $docker.Reason | Should -Match 'unix:///var/run/docker.sock'
        $docker.Details.errorCode | Should -Be 'InvalidArgument'
    }
}
