function Assert-ImageCompatibility {
    <#
    .SYNOPSIS
    Pre-flight for container creation: refuses a Windows image that cannot run under the requested isolation on this host.
    .DESCRIPTION
    Asks the core (isolation.compatibility, one call, host read by the core)
    whether the image can run here under the requested isolation, before any
    backend is touched. Returns the isolation that will be used, with Default
    resolved for this host and backend (the core says which, and why, on the
    verbose stream).

    - Not allowed: throws ImageIncompatibleWithHost with the reason and the
      suggestion (also as RecommendedAction). Callers pass it to
      $PSCmdlet.ThrowTerminatingError.
    - Unknown for a Windows image (a build not in the catalogue, a digest with
      no build): warns and lets the backend decide.
    - Images that nothing marks as Windows (busybox, private images) pass
      untouched, and so do names that are not registry references at all
      (local image names): the backend validates those itself.
    Returns the requested isolation unchanged when it could not be resolved.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string] $Image,

        [ValidateSet('Process', 'HyperV', 'Default')]
        [string] $Isolation = 'Default',

        [ValidateSet('linux', 'docker', 'hcs')]
        [string] $Backend,

        [string] $ImageBuild
    )

    $entry = @{ reference = $Image }
    if ($ImageBuild) { $entry.imageBuild = $ImageBuild }
    $arguments = @{ images = @($entry); isolations = @($Isolation) }
    if ($Backend) { $arguments.backend = $Backend }

    $body = Invoke-CoreCommand -Command 'isolation.compatibility' -Arguments $arguments -TargetObject $Image
    $result = @($body.results)[0]
    if ($null -eq $result) {
        throw (New-CoreErrorRecord -ErrorId 'CoreProtocolError' -Category InvalidData -TargetObject $Image `
                -Message "The core answered the compatibility check for '$Image' without a result.")
    }
    if ($null -ne $result.error) {
        # Not a registry reference (a local image name such as 'my-image-' can be
        # valid for a backend's own store and still break the reference grammar):
        # nothing here marks it as Windows, so the backend validates it itself.
        Write-Verbose "Pre-flight: '$Image' is not a registry image reference ($($result.error.message)); the Windows compatibility check does not apply and the backend validates the name."
        return $Isolation
    }

    if ($result.allowed -eq $false) {
        $message = "Cannot create a container from '$Image' with $($result.isolation) isolation on this host ($($body.host.name)): $($result.reason)"
        if ($result.suggestion) { $message += " $($result.suggestion)" }
        throw (New-CoreErrorRecord -ErrorId 'ImageIncompatibleWithHost' -Category InvalidArgument -TargetObject $Image `
                -Message $message -RecommendedAction $result.suggestion `
                -Details ([pscustomobject]@{ image = $Image; isolation = $result.isolation; hostBuild = $result.hostBuild; imageBuild = $result.imageBuild; reason = $result.reason; suggestion = $result.suggestion }))
    }
    if ($null -eq $result.allowed) {
        if ($result.windowsImage -eq $true) {
            Write-Warning "Could not check '$Image' against this host before creating it: $($result.reason) The backend will decide."
        }
        else {
            Write-Verbose "Pre-flight: '$Image' is not marked as a Windows image; the Windows compatibility check does not apply."
        }
    }
    else {
        Write-Verbose "Pre-flight: '$Image' can run with $($result.isolation) isolation here: $($result.reason)"
    }
    return [string]$result.isolation
}
