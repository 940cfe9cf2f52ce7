function Test-BeCompatibleWithAssertion {
    <#
    .SYNOPSIS
    The Pester operator Should -BeCompatibleWith: asserts that an image can run on a host under an isolation.
    .DESCRIPTION
    Follows Pester's operator contract (Add-ShouldOperator): $ActualValue, its
    own parameters and -Negate in, an object with Succeeded and
    FailureMessage out. The actual value is an image reference, or any object
    with an Image property (a WindowsContainers.Container). The answer comes
    from Test-IsolationCompatibility; an unknown answer (a build the module's
    catalogue does not know) fails the assertion both ways, with the reason.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        # What Should received: an image reference or an object with an Image property.
        [AllowNull()]
        [object] $ActualValue,

        # Process, HyperV or Default (the host's default isolation); Default when omitted.
        [ValidateSet('Process', 'HyperV', 'Default')]
        [string] $Isolation = 'Default',

        # The host to check against, as a build or version; this machine when omitted.
        [string] $HostBuild,

        # The host to check against, as an edition name such as 'Windows Server 2022'.
        [string] $HostEdition,

        # The image's build when its reference does not name a release.
        [string] $ImageBuild,

        # Set by Should -Not.
        [switch] $Negate,

        # Should's -Because, quoted in the message.
        [string] $Because,

        # Passed by Pester to every operator; not used.
        [object] $CallerSessionState
    )

    $because = if ($Because) { " because $($Because.Trim() -replace '^because\s+'),"} else { '' }
    $not = if ($Negate) { 'not ' } else { '' }
    $under = if ($Isolation -eq 'Default') { "the host's default isolation" } else { "$Isolation isolation" }

    $image = if ($ActualValue -is [string]) { $ActualValue }
    elseif ($null -ne $ActualValue -and $ActualValue.PSObject.Properties['Image']) { [string]$ActualValue.Image }
    if ([string]::IsNullOrWhiteSpace($image)) {
        $got = if ($null -eq $ActualValue) { '$null' } else { "[$($ActualValue.GetType().FullName)] '$ActualValue'" }
        return [pscustomobject]@{ Succeeded = $false; FailureMessage = "Expected an image reference (or an object with an Image property) ${not}to be compatible with $under,$because but got $got." }
    }

    $check = @{ Image = $image; Isolation = $Isolation; ErrorAction = 'Stop' }
    foreach ($key in 'HostBuild', 'HostEdition', 'ImageBuild') {
        if ($PSBoundParameters.ContainsKey($key) -and $PSBoundParameters[$key]) { $check[$key] = $PSBoundParameters[$key] }
    }
    try {
        $answer = Test-IsolationCompatibility @check | Select-Object -First 1
    }
    catch {
        return [pscustomobject]@{ Succeeded = $false; FailureMessage = "Expected image '$image' ${not}to be compatible with $under,$because but its compatibility could not be checked: $($_.Exception.Message)" }
    }

    $onHost = if ($answer.Host) { " on $($answer.Host)" } else { '' }
    if ($null -eq $answer.Allowed) {
        return [pscustomobject]@{ Succeeded = $false; FailureMessage = "Expected image '$image' ${not}to be compatible with $($answer.Isolation) isolation$onHost,$because but the answer is unknown: $($answer.Reason)$(if ($answer.Suggestion) { " $($answer.Suggestion)" })" }
    }
    $allowed = [bool]$answer.Allowed
    if ($allowed -ne [bool]$Negate) { return [pscustomobject]@{ Succeeded = $true; FailureMessage = $null } }

    $but = if ($allowed) { 'but it is' } else { 'but it is not' }
    $suggestion = if (-not $allowed -and $answer.Suggestion) { " $($answer.Suggestion)" } else { '' }
    [pscustomobject]@{
        Succeeded      = $false
        FailureMessage = "Expected image '$image' ${not}to be compatible with $($answer.Isolation) isolation$onHost,$because $($but): $($answer.Reason)$suggestion"
    }
}
