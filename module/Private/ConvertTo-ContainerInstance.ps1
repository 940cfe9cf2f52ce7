function ConvertTo-ContainerInstance {
    <#
    .SYNOPSIS
    The desired-state instance document container.converge takes, from PowerShell's property names.
    .DESCRIPTION
    A property left empty is not managed (neither compared nor changed), as
    the core's instance schema defines: it is left out of the document.
    Ensure becomes DSC's _exist; State Running/Stopped becomes running/stopped.
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)] [string] $Name,
        [string] $Image,
        [string] $Isolation,
        [string[]] $Command,
        [string] $Backend,
        [ValidateSet('Present', 'Absent')] [string] $Ensure = 'Present',
        [ValidateSet('Running', 'Stopped')] [string] $State = 'Running'
    )

    $desired = [ordered]@{ name = $Name; _exist = ($Ensure -eq 'Present') }
    if ($Image) { $desired.image = $Image }
    if ($Isolation) { $desired.isolation = $Isolation }
    if ($Command -and $Command.Count -gt 0) { $desired.command = @($Command) }
    if ($Backend) { $desired.backend = $Backend }
    if ($Ensure -eq 'Present') { $desired.state = $State.ToLowerInvariant() }
    return $desired
}
