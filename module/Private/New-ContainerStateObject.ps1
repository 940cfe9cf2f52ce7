function New-ContainerStateObject {
    <#
    .SYNOPSIS
    A container's desired-state answer (container.converge) as WindowsContainers.ContainerState.
    .DESCRIPTION
    The same properties as the IsolatedContainer DSC resource class (its
    FromState reads the answer), as a typed object the public commands can
    declare: the class itself is only visible inside the module and to
    `using module`.
    #>
    [CmdletBinding()]
    [OutputType('WindowsContainers.ContainerState')]
    param([Parameter(Mandatory)] [object] $Answer)

    $state = [IsolatedContainer]::FromState($Answer)
    [pscustomobject]@{
        PSTypeName          = 'WindowsContainers.ContainerState'
        Name                = $state.Name
        Ensure              = $state.Ensure
        State               = $state.State
        Isolation           = $state.Isolation
        Image               = $state.Image
        Command             = $state.Command
        Backend             = $state.Backend
        Id                  = $state.Id
        CreatedAt           = $state.CreatedAt
        DifferingProperties = $state.DifferingProperties
        Actions             = $state.Actions
        WritableLayerLost   = $state.WritableLayerLost
    }
}
