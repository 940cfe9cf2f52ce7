function Resolve-ContainerNamePattern {
    <#
    .SYNOPSIS
    The names of the containers a -Name value means: itself, or every container a wildcard pattern matches.
    .DESCRIPTION
    Commands that read a container by name take wildcards, as
    Get-IsolatedContainer and Get-Process do. A name without wildcards is
    returned as given (the core finds it in any case, or says
    ContainerNotFound); a pattern is expanded by the core (container.list),
    and one that matches nothing yields nothing, like Get-Process. A failure
    is stored in -Failure, never thrown (see Invoke-CoreCommand).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $Pattern,

        [Parameter(Mandatory)]
        [ref] $Failure
    )

    $Failure.Value = $null
    if (-not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($Pattern)) { return $Pattern }
    $problem = $null
    $body = Invoke-CoreCommand -Command 'container.list' -Arguments @{ names = @($Pattern) } -TimeoutSeconds 120 -TargetObject $Pattern -Failure ([ref]$problem)
    if ($null -ne $problem) {
        $Failure.Value = $problem
        return
    }
    foreach ($container in @($body.containers)) { [string]$container.name }
}
