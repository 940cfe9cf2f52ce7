function Confirm-ContainerAction {
    <#
    .SYNOPSIS
    ShouldProcess for a public command, failing closed: $true to go on, $false when declined (or -WhatIf).
    .DESCRIPTION
    In a host that cannot ask (pwsh -NonInteractive with -Confirm, or
    $ConfirmPreference lower than the command's impact), ShouldProcess
    throws. Caught and ignored, that exception would only end an `if`, and the
    next statement would change state anyway. Here it ends the calling
    command with a terminating ConfirmationFailed record that says what was
    not done, raised through the caller's own $PSCmdlet so its
    FullyQualifiedErrorId and InvocationInfo name the public command.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        # The public command's $PSCmdlet.
        [Parameter(Mandatory)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        # What ShouldProcess names as the target (a container or image name, a path).
        [Parameter(Mandatory)]
        [string] $Target,

        # What ShouldProcess names as the action ('Stop container').
        [Parameter(Mandatory)]
        [string] $Action,

        # What did not happen when confirmation could not be asked ("container 'web' was not stopped").
        [Parameter(Mandatory)]
        [string] $NotDone
    )

    try {
        return $Cmdlet.ShouldProcess($Target, $Action)
    }
    catch {
        $Cmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'ConfirmationFailed' -TargetObject $Target `
                    -Message "Could not ask for confirmation, so $($NotDone): $($_.Exception.GetBaseException().Message)"))
    }
}
