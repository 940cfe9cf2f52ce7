function Test-ContainerIsolationOnSession {
    <#
    .SYNOPSIS
    Test-ContainerIsolation -Session: the check on every host at once, one host's failure never stopping the others.
    .DESCRIPTION
    Runs Test-ContainerIsolation on each session's host (the named containers,
    or all of that host's containers) through Invoke-RemoteContainerCommand.
    Results come back as Deserialized.WindowsContainers.IsolationTestResult
    objects with PSComputerName (the module's views format them); errors a host
    wrote (ContainerNotFound, the module missing there) are written again
    here, non-terminating, with that host in their OriginInfo; an unreachable
    host is a HostUnreachable error naming it and why, and $false with -Quiet.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [string[]] $Name,

        [string] $Isolation,

        [int] $ThrottleLimit = 32,

        [switch] $Quiet,

        # The calling cmdlet, whose WriteError the records go through.
        [Parameter(Mandatory)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    $remote = {
        param([string[]] $Names, [string] $Isolation, [bool] $Quiet)
        $ErrorActionPreference = 'Continue'
        Import-Module WindowsContainers -ErrorAction Stop
        # -Quiet only when asked: it selects parameter sets of its own.
        $parameters = @{}
        if ($Quiet) { $parameters.Quiet = $true }
        if ($Isolation) { $parameters.Isolation = $Isolation }
        if ($Names) { Test-ContainerIsolation -Name $Names @parameters }
        else { Get-IsolatedContainer | Test-ContainerIsolation @parameters }
    }
    $answer = Invoke-RemoteContainerCommand -Session $Session -ScriptBlock $remote -ThrottleLimit $ThrottleLimit `
        -ArgumentList $(if ($Name) { , [string[]]$Name } else { $null }), ([string]$Isolation), ([bool]$Quiet)

    foreach ($item in $answer.Output) { $item }
    foreach ($record in $answer.Errors) { $Cmdlet.WriteError($record) }
    foreach ($gone in $answer.Unreachable) {
        $Cmdlet.WriteError((New-CoreErrorRecord -ErrorId 'HostUnreachable' -Category ConnectionError -TargetObject $gone.ComputerName `
                    -Message "Host '$($gone.ComputerName)' was not checked: $($gone.Reason)" `
                    -RecommendedAction 'Check that the host is up and reachable, then open a new session (New-PSSession) and run the check again.'))
        if ($Quiet) { $false }
    }
}
