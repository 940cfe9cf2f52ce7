# Pester side of the private-dockerd harness: wraps tests/docker/private-dockerd.sh
# (the one implementation vitest and the bench use too).

$script:PrivateDockerdScript = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..' 'docker' 'private-dockerd.sh'))

function Test-PrivateDockerdSupported {
    <# .SYNOPSIS True when this machine can start a private dockerd: Linux, root, dockerd installed. #>
    [OutputType([bool])]
    param()
    $IsLinux -and ((& id -u) -eq '0') -and [bool](Get-Command dockerd -CommandType Application -ErrorAction Ignore)
}

function Restart-CoreWith {
    <# .SYNOPSIS Points DOCKER_HOST at a daemon and restarts the module's core, which reads it from its environment. #>
    param([string] $DockerHost)
    $env:DOCKER_HOST = $DockerHost
    Import-Module (Join-Path $PSScriptRoot '..' '..' '..' 'WindowsContainers.psd1') -Force -Global
    & (Get-Module WindowsContainers) { Stop-CoreServer }
}

function Start-PrivateDockerd {
    <#
    .SYNOPSIS Starts dockerd on a private socket with runsc registered and the busybox image imported.
    .OUTPUTS An object with Dir, DockerHost, ExecRoot, Image, Pid, StorageDriver, CgroupParent, Runsc.
    #>
    [CmdletBinding()]
    param([string] $ImageTar)
    $arguments = @($script:PrivateDockerdScript, 'start')
    if ($ImageTar) { $arguments += $ImageTar }
    $lines = & bash @arguments
    if ($LASTEXITCODE -ne 0) { throw "private-dockerd.sh start failed (exit $LASTEXITCODE)" }
    $values = @{}
    foreach ($line in $lines) {
        $at = $line.IndexOf('=')
        if ($at -gt 0) { $values[$line.Substring(0, $at)] = $line.Substring($at + 1) }
    }
    [pscustomobject]@{
        Dir           = $values['DIR']
        DockerHost    = $values['DOCKER_HOST']
        ExecRoot      = $values['EXEC_ROOT']
        Image         = $values['IMAGE']
        Pid           = [int]$values['PID']
        StorageDriver = $values['STORAGE_DRIVER']
        CgroupParent  = $values['CGROUP_PARENT']
        Runsc         = $values['RUNSC']
    }
}

function Get-PrivateDockerdLeftover {
    <# .SYNOPSIS What is left of the daemon (processes, mounts, cgroups), one string each; empty when clean. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] $Daemon)
    @(& bash $script:PrivateDockerdScript leftovers $Daemon.Dir | Where-Object { $_ -and $_.Trim() })
}

function Stop-PrivateDockerd {
    <# .SYNOPSIS Removes every container, stops the daemon and reports whether anything was left behind. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Daemon)
    $report = & bash $script:PrivateDockerdScript stop $Daemon.Dir 2>&1 | Out-String
    [pscustomobject]@{ Clean = ($LASTEXITCODE -eq 0); Report = $report.Trim() }
}

function Invoke-PrivateDockerCli {
    <# .SYNOPSIS The docker CLI against the private daemon (for test set-up and checks only). #>
    param([Parameter(Mandatory)] $Daemon, [Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $cli = if (Test-Path /usr/bin/docker) { '/usr/bin/docker' } else { 'docker' }
    $saved = $env:DOCKER_HOST
    try {
        $env:DOCKER_HOST = $Daemon.DockerHost
        & $cli @Arguments
    }
    finally {
        $env:DOCKER_HOST = $saved
    }
}
