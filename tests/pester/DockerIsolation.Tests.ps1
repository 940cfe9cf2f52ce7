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

# The same checks as the linux backend's end-to-end tests, through -Backend docker
# against Debian's dockerd on a private socket, with runsc as the VM-class runtime.
Describe 'Isolation of Docker containers, end to end' -Tag E2E -Skip:(-not $canRunDockerd) {
    BeforeAll {
        $script:daemon = Start-PrivateDockerd
        Restart-CoreWith $daemon.DockerHost
        $suffix = [guid]::NewGuid().ToString('n').Substring(0, 8)
        $script:procName = "wcd-proc-$suffix"
        $script:hvName = "wcd-hv-$suffix"
    }

    AfterAll {
        # The daemon goes whatever failed before: the harness removes any container left.
        if ($script:daemon -and -not $script:stopped) { $null = Stop-PrivateDockerd $script:daemon }
    }

    Context 'When a process-isolated container runs on Docker' {
        It 'Should create and start it through -Backend docker, labelled as the module''s' {
            $container = New-IsolatedContainer -Name $procName -Image $daemon.Image -Isolation Process -Backend docker -Command '/bin/sleep', '3141' -Confirm:$false
            $container.PSTypeNames | Should -Contain 'WindowsContainers.Container'
            $container.Backend | Should -Be 'docker'
            $container.Isolation | Should -Be 'Process'
            $container.State | Should -Be 'running'
            $container.Managed | Should -BeTrue
            $container.HostProcessId | Should -BeGreaterThan 0
            Invoke-PrivateDockerCli $daemon inspect -f '{{index .Config.Labels "io.windowscontainers.managed"}}' $procName | Should -Be 'true'
        }

        It 'Should list its processes, each one a process the host shows' {
            $processes = @(Get-ContainerProcess -Name $procName)
            $processes.Count | Should -Be 1
            $processes[0].ContainerProcessName | Should -Be 'sleep'
            $processes[0].ContainerProcessId | Should -Be 1
            $processes[0].VisibleOnHost | Should -BeTrue
            (Get-Process -Id $processes[0].Id).ProcessName | Should -Be 'sleep'
        }

        It 'Should be observed as process-isolated' {
            $result = Test-ContainerIsolation -Name $procName -Isolation Process
            $result.ObservedIsolation | Should -Be 'Process'
            $result.Passed | Should -BeTrue
            $result.Backend | Should -Be 'docker'
        }
    }

    Context 'When a HyperV-class container runs on runsc' {
        It 'Should create it on the VM-class runtime, with no host process' {
            # 'busybox sleep': no runc container's PID 1 ('sleep', 'sh') on a shared machine looks like it.
            $container = New-IsolatedContainer -Name $hvName -Image $daemon.Image -Isolation HyperV -Backend docker -Command '/bin/busybox', 'sleep', '3142' -Confirm:$false
            $container.Isolation | Should -Be 'HyperV'
            $container.HostProcessId | Should -BeNullOrEmpty
            $container.UtilityVmId | Should -Be $container.ContainerId
            Invoke-PrivateDockerCli $daemon inspect -f '{{.HostConfig.Runtime}}' $hvName | Should -Be 'runsc'
        }

        It 'Should list the processes runsc sees, none of them visible on the host' {
            $processes = @(Get-ContainerProcess -Name $hvName)
            $processes.Count | Should -Be 1
            $processes[0].ContainerProcessName | Should -Be 'busybox'
            $processes[0].VisibleOnHost | Should -BeFalse
            @(Get-Process | Where-Object { $_.CommandLine -match 'sleep 3142' }) | Should -BeNullOrEmpty
        }

        It 'Should be observed as HyperV with the runsc sandbox as its worker' {
            $result = Test-ContainerIsolation -Name $hvName -Isolation HyperV
            $result.ObservedIsolation | Should -Be 'HyperV'
            $result.Passed | Should -BeTrue
            $result.WorkerProcess.WorkerName | Should -Be 'exe'
            $result.WorkerProcess.Alive | Should -BeTrue
            $result.WorkerProcess.Tied | Should -BeTrue
            $result.WorkerProcess.TieToken | Should -Be (Invoke-PrivateDockerCli $daemon inspect -f '{{.Id}}' $hvName)
            (Get-Process -Id $result.WorkerProcess.Id).CommandLine | Should -Match '^runsc-sandbox '
        }

        It 'Should not pass the process-isolated container as HyperV' {
            $result = Test-ContainerIsolation -Name $procName -Isolation HyperV
            $result.Passed | Should -BeFalse
            $result.ObservedIsolation | Should -Be 'Process'
        }
    }

    Context 'When the containers are listed and stopped through the cmdlets' {
        It 'Should list both as docker containers with their isolation' {
            $listed = @(Get-IsolatedContainer -Name "wcd-*-$($procName.Split('-')[-1])" | Sort-Object Name)
            $listed.Name | Should -Be @($hvName, $procName)
            $listed.Backend | Should -Be @('docker', 'docker')
            $listed.Isolation | Should -Be @('HyperV', 'Process')
        }

        It 'Should stop the process-isolated container and report it exited' {
            $stopped = Stop-IsolatedContainer -Name $procName -TimeoutSeconds 1 -PassThru -Confirm:$false
            $stopped.State | Should -Be 'exited'
            $stopped.HostProcessId | Should -BeNullOrEmpty
            Invoke-PrivateDockerCli $daemon inspect -f '{{.State.Status}}' $procName | Should -Be 'exited'
        }
    }

    Context 'When the image does not exist' {
        It 'Should fail with ImageNotFound and the daemon''s message, creating nothing' {
            $before = @(Invoke-PrivateDockerCli $daemon ps -aq)
            { New-IsolatedContainer -Name "wcd-noimg-$procName" -Image 'does-not-exist:1.0' -Isolation Process -Backend docker -Command '/bin/true' -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageNotFound,New-IsolatedContainer' -ExpectedMessage '*No such image: does-not-exist:1.0*'
            @(Invoke-PrivateDockerCli $daemon ps -aq) | Should -Be $before
        }
    }

    Context 'When the containers are removed and the daemon stops' {
        It 'Should remove both containers' {
            Remove-IsolatedContainer -Name $procName, $hvName -Force -Confirm:$false
            @(Invoke-PrivateDockerCli $daemon ps -aq) | Should -BeNullOrEmpty
        }

        It 'Should leave no containers, processes, mounts or cgroups' {
            $result = Stop-PrivateDockerd $daemon
            $script:stopped = $true
            $result.Report | Should -Match 'nothing left'
            $result.Clean | Should -BeTrue
            @(Get-PrivateDockerdLeftover $daemon) | Should -BeNullOrEmpty
        }
    }
}
