function Set-IsolatedContainerState {
    <#
    .SYNOPSIS
    Makes a container as declared: creates, starts, stops, removes or recreates it.

    .DESCRIPTION
    Set-IsolatedContainerState compares the container named -Name with the
    desired state given and converges it: creates it when it is missing,
    starts it when it should run and has stopped, stops it when it should be
    stopped, removes it with -Ensure Absent, and recreates it when -Image,
    -Isolation, -Command or -Backend differ. A parameter left out is not
    managed (neither compared nor changed); -Isolation Default and an empty
    -Command are not compared either. When nothing differs, nothing changes.

    RECREATING LOSES THE CONTAINER'S WRITABLE LAYER: everything written inside
    it since it was created is gone. Set-IsolatedContainerState warns when it
    recreates, and so does a backend that cannot start a stopped container
    (it is recreated to run again). Keep data in the image or outside the
    container.

    A desired state that cannot be reached (an image incompatible with this
    host, a missing image, a backend that cannot create) fails before
    anything changes. This is the same convergence, in the core, as the
    IsolatedContainer DSC resource (class-based, for Invoke-DscResource) and
    the DSC v3 resource WindowsContainers/IsolatedContainer.

    .PARAMETER Name
    The container's name.

    .PARAMETER Image
    The image to create it from: required when it does not exist yet.

    .PARAMETER Isolation
    Process or HyperV. Default lets the backend choose and is not compared.

    .PARAMETER Command
    The command to run in it; empty: the image's own command, not compared.

    .PARAMETER Backend
    The backend that should hold it: linux or docker.

    .PARAMETER Ensure
    Present (default) or Absent.

    .PARAMETER State
    Running (default) or Stopped.

    .PARAMETER TimeoutSeconds
    How long stopping waits before it kills. Default 10.

    .PARAMETER PassThru
    Returns the container's state afterwards, with what was done (Actions).

    .EXAMPLE
    Set-IsolatedContainerState -Name web -Image busybox -Isolation Process -Command sleep, 600 -PassThru

    Makes sure container web runs busybox's sleep 600 with process isolation:
    a run-book step that can be repeated. Actions is empty when it already was.

    .EXAMPLE
    Set-IsolatedContainerState -Name batch -Image busybox -Command sleep, 600 -State Stopped -Verbose

    Makes sure container batch exists and is stopped (created, then stopped,
    the first time); -Verbose says what was done.

    .EXAMPLE
    Set-IsolatedContainerState -Name web -Ensure Absent -WhatIf

    Shows what making web absent would do (remove it) and changes nothing.

    .EXAMPLE
    Invoke-DscResource -Name IsolatedContainer -ModuleName WindowsContainers -Method Set -Property @{ Name = 'web'; Image = 'busybox'; Isolation = 'Process'; Command = @('sleep', '600') }

    The same convergence through the class-based DSC resource. (Needs the PSDesiredStateConfiguration module: not runnable by the module's tests, which call the class's Get/Test/Set directly as Invoke-DscResource does.)

    .INPUTS
    None
    The desired state comes from the parameters.

    .OUTPUTS
    None, or WindowsContainers.ContainerState with -PassThru.

    .LINK
    https://learn.microsoft.com/powershell/dsc/overview

    .LINK
    about_WindowsContainers

    .LINK
    Test-IsolatedContainerState

    .LINK
    New-IsolatedContainer
    #>
    [CmdletBinding(SupportsShouldProcess, HelpUri = 'https://learn.microsoft.com/powershell/dsc/overview')]
    [OutputType('WindowsContainers.ContainerState')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [ValidateNotNullOrEmpty()]
        [string] $Image,

        [ValidateSet('Process', 'HyperV', 'Default')]
        [string] $Isolation,

        [string[]] $Command,

        [ValidateSet('linux', 'docker')]
        [string] $Backend,

        [ValidateSet('Present', 'Absent')]
        [string] $Ensure = 'Present',

        [ValidateSet('Running', 'Stopped')]
        [string] $State = 'Running',

        [ValidateRange(0, 3600)]
        [int] $TimeoutSeconds = 10,

        [switch] $PassThru
    )

    $desired = ConvertTo-ContainerInstance -Name $Name -Image $Image -Isolation $Isolation -Command $Command -Backend $Backend -Ensure $Ensure -State $State
    try {
        $tested = Invoke-ContainerConvergence -Mode test -Desired $desired
    }
    catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }
    if ($tested._inDesiredState) {
        Write-Verbose "Container '$Name' is already in the desired state: nothing to do."
        if ($PassThru) { New-ContainerStateObject -Answer $tested }
        return
    }
    $differing = @($tested.differingProperties) -join ', '
    $recreates = @($tested.differingProperties | Where-Object { $_ -in 'image', 'isolation', 'command', 'backend' }).Count -gt 0
    $action = if ($Ensure -eq 'Absent') { 'Remove container' }
    elseif (-not $tested._exist) { 'Create container' }
    elseif ($recreates) { "Recreate container ($differing differ; its writable layer is lost)" }
    else { "Converge container ($differing)" }
    if (-not (Confirm-ContainerAction -Cmdlet $PSCmdlet -Target $Name -Action $action -NotDone "container '$Name' was not changed")) { return }
    try {
        $answer = Invoke-ContainerConvergence -Mode set -Desired $desired -TimeoutSeconds $TimeoutSeconds
    }
    catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }
    if ($PassThru) { New-ContainerStateObject -Answer $answer }
}
