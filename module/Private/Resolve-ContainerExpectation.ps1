function Resolve-ContainerExpectation {
    <#
    .SYNOPSIS
    The isolation one container must have: an exact entry, else agreeing wildcard entries, else -Isolation, else as created.
    .DESCRIPTION
    Returns @{ Expected = 'Process' | 'HyperV' | description; Problem = '' or why it cannot be said }.
    Two wildcard entries that match the container and disagree are a problem,
    never a silent pick.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)]
        [string] $Name,

        # The isolation the container was created with ('' when unknown).
        [AllowEmptyString()]
        [string] $Configured,

        # Pattern -> 'Process' | 'HyperV' (Resolve-IsolationExpectation).
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [System.Collections.IDictionary] $Expectation,

        [AllowEmptyString()]
        [string] $Isolation
    )

    $isPattern = { param($key) [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($key) }
    foreach ($key in $Expectation.Keys) {
        if (-not (& $isPattern $key) -and $key -eq $Name) { return @{ Expected = $Expectation[$key]; Problem = '' } }
    }
    $hits = @($Expectation.Keys | Where-Object { (& $isPattern $_) -and $Name -like $_ })
    $values = @($hits | ForEach-Object { $Expectation[$_] } | Sort-Object -Unique)
    if ($values.Count -gt 1) {
        $said = ($hits | ForEach-Object { "'$_' expects $($Expectation[$_])" }) -join ', '
        return @{ Expected = ($values -join ' or '); Problem = "the expectations disagree about it ($said). Add an exact entry for '$Name'." }
    }
    if ($values.Count -eq 1) { return @{ Expected = $values[0]; Problem = '' } }
    if ($Isolation) { return @{ Expected = $Isolation; Problem = '' } }
    if ($Configured) { return @{ Expected = $Configured; Problem = '' } }
    @{ Expected = 'its configured isolation'; Problem = 'it reports no configured isolation; give one with -Isolation or -Expectation.' }
}
