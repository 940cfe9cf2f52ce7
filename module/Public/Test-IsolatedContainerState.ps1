function Test-IsolatedContainerState {
    <#
    .SYNOPSIS
    Tells whether a container is as declared, and which properties differ; changes nothing.

    .DESCRIPTION
    Test-IsolatedContainerState compares the container named -Name with the
    desired state given, as Set-IsolatedContainerState would, and returns
    $true when it is in that state. With -Detailed it returns the
    container's state instead, with DifferingProperties naming what differs
    (Ensure when it exists and should not, or the other way round). A
    parameter left out is not compared. It never changes anything.

    .PARAMETER Name
    The container's name.

    .PARAMETER Image
    The image it should be made from.

    .PARAMETER Isolation
    Process or HyperV. Default is not compared.

    .PARAMETER Command
    The command it should run; empty: not compared.

    .PARAMETER Backend
    The backend that should hold it: linux or docker.

    .PARAMETER Ensure
    Present (default) or Absent.

    .PARAMETER State
    Running (default) or Stopped.

    .PARAMETER Detailed
    Returns the container's state with DifferingProperties rather than a Boolean.

    .EXAMPLE
    if (-not (Test-IsolatedContainerState -Name web -Image busybox -Isolation Process)) { Set-IsolatedContainerState -Name web -Image busybox -Isolation Process -Command sleep, 600 }

    A run-book step: converges web only when it is not already as declared.

    .EXAMPLE
    Test-IsolatedContainerState -Name web -Isolation HyperV -Detailed

    Shows web's state and which properties differ from the declared ones (here Isolation, when web runs with process isolation).

    .INPUTS
    None
    The desired state comes from the parameters.

    .OUTPUTS
    System.Boolean, or WindowsContainers.ContainerState with -Detailed.

    .LINK
    https://learn.microsoft.com/powershell/dsc/overview

    .LINK
    about_WindowsContainers

    .LINK
    Set-IsolatedContainerState
    #>
    [CmdletBinding(HelpUri = 'https://learn.microsoft.com/powershell/dsc/overview')]
    [OutputType([bool])]
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

        [switch] $Detailed
    )

    $desired = ConvertTo-ContainerInstance -Name $Name -Image $Image -Isolation $Isolation -Command $Command -Backend $Backend -Ensure $Ensure -State $State
    try {
        $tested = Invoke-ContainerConvergence -Mode test -Desired $desired
    }
    catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }
    if ($Detailed) { return New-ContainerStateObject -Answer $tested }
    return [bool]$tested._inDesiredState
}
