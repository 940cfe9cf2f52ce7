function Invoke-ContainerConvergence {
    <#
    .SYNOPSIS
    One container.converge request (get, test or set) through the bridge; the answer's body.
    .DESCRIPTION
    Used by the IsolatedContainer DSC resource class and by
    Set-IsolatedContainerState / Test-IsolatedContainerState. A failure is
    thrown as the core's ErrorRecord (its ErrorId is the core's code): class
    methods report failures by throwing, as Invoke-DscResource expects.
    set says what it did on the verbose stream; the core's warning that a
    recreate loses the writable layer reaches the warning stream through the
    bridge.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [ValidateSet('get', 'test', 'set')] [string] $Mode,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Desired,
        [ValidateRange(0, 3600)] [int] $TimeoutSeconds = 10
    )

    $failure = $null
    # set may boot a utility VM (tens of seconds under emulation) and stop a container first.
    $answer = Invoke-CoreCommand -Command 'container.converge' -Arguments @{ mode = $Mode; desired = $Desired; timeoutSeconds = $TimeoutSeconds } `
        -TimeoutSeconds ($(if ($Mode -eq 'set') { 600 + $TimeoutSeconds } else { 120 })) -TargetObject $Desired.name -Failure ([ref]$failure)
    if ($null -ne $failure) { throw $failure }
    if ($Mode -eq 'set') {
        $did = @($answer.actions)
        Write-Verbose ("Container '{0}': {1}." -f $answer.name, $(if ($did.Count -gt 0) { $did -join ', then ' } else { 'already in the desired state, nothing changed' }))
    }
    return $answer
}
