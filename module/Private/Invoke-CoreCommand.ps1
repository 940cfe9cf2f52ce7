function Invoke-CoreCommand {
    <#
    .SYNOPSIS
    The one bridge to the TypeScript core: sends a request, returns the response body.
    .DESCRIPTION
    Keeps one core server per runspace, started on first use and restarted
    when it has died. Requests and responses are newline-delimited JSON;
    events that precede a response (progress, verbose, warning) are written
    to the matching PowerShell streams. A core error becomes a terminating
    ErrorRecord whose ErrorId is the core's stable error code. A call that
    outlives -TimeoutSeconds stops the core (it cannot be trusted to answer
    in order any more) and fails with CoreTimeout; the next call starts a
    fresh core.
    With -BodyType, a successful answer is read straight into that .NET type
    (see ConvertFrom-CoreBody): for large answers such as the host process
    snapshot, cheaper than ConvertFrom-Json and checked against the type.

    With -Failure, a failure is not thrown: its ErrorRecord (never thrown,
    so it carries no InvocationInfo yet) is stored in the [ref] and nothing
    is returned. Public commands use this form and hand the record to
    $PSCmdlet.WriteError or ThrowTerminatingError themselves: a record
    thrown here would land in the caller's -ErrorVariable a second time,
    and its InvocationInfo would name this private function.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [ValidatePattern('^[a-z]+(\.[a-zA-Z]+)+$')]
        [string] $Command,

        [System.Collections.IDictionary] $Arguments = @{},

        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 60,

        [object] $TargetObject,

        # The type of a successful answer's body; without it, the body is a PSCustomObject from ConvertFrom-Json.
        [type] $BodyType,

        # Receives the ErrorRecord of a failure instead of a throw (see the description).
        [ref] $Failure
    )

    if ($null -ne $Failure) { $Failure.Value = $null }
    # The request itself (kept at this indentation so its history stays readable).
    try {

    $server = $script:CoreServer
    if ($null -eq $server -or $server.Process.HasExited) {
        if ($null -ne $server) {
            Write-Verbose "The core (pid $($server.Process.Id)) has exited; starting a new one."
            Stop-CoreServer
        }
        $server = Start-CoreServer
    }

    $id = $server.NextId
    $server.NextId++
    $request = [ordered]@{
        id              = $id
        command         = $Command
        arguments       = $Arguments
        protocolVersion = $script:CoreProtocolVersion
    }
    $json = ConvertTo-Json -InputObject $request -Depth 32 -Compress
    try {
        $server.Input.WriteLine($json)
        $server.Input.Flush()
    }
    catch {
        $tail = Get-CoreLogTail -Server $server
        Stop-CoreServer
        throw (New-CoreErrorRecord -ErrorId 'CoreExited' -Category ResourceUnavailable -TargetObject $TargetObject `
                -Message "The core stopped before it could take '$Command'; the next command starts a new one.$tail")
    }

    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    $progressShown = $false
    try {
        while ($true) {
            $read = Read-CoreLine -Server $server -Deadline $deadline
            if ($read.Status -eq 'TimedOut') {
                Stop-CoreServer
                throw (New-CoreErrorRecord -ErrorId 'CoreTimeout' -Category OperationTimeout -TargetObject $TargetObject `
                        -Message "The core did not answer '$Command' within $TimeoutSeconds s. It was stopped; the next command starts a new one.")
            }
            if ($read.Status -eq 'Closed') {
                $tail = Get-CoreLogTail -Server $server
                $exitCode = if ($server.Process.WaitForExit(2000)) { $server.Process.ExitCode } else { 'unknown' }
                Stop-CoreServer
                throw (New-CoreErrorRecord -ErrorId 'CoreExited' -Category ResourceUnavailable -TargetObject $TargetObject `
                        -Message "The core exited (exit code $exitCode) while it was running '$Command'. The next command starts a new one.$tail")
            }

            if ($null -ne $BodyType) {
                $typed = ConvertFrom-CoreBody -Text $read.Text -RequestId $id -BodyType $BodyType -Command $Command -TargetObject $TargetObject
                if ($null -ne $typed) {
                    # The comma keeps an array body whole.
                    return , $typed
                }
            }

            try {
                $message = ConvertFrom-Json -InputObject $read.Text -Depth 64
            }
            catch {
                Stop-CoreServer
                throw (New-CoreErrorRecord -ErrorId 'CoreProtocolError' -Category InvalidData -TargetObject $TargetObject `
                        -Message "The core answered '$Command' with a line that is not JSON: $($read.Text)")
            }

            if ($message.type -eq 'event') {
                if ($message.PSObject.Properties['requestId'] -and $message.requestId -ne $id) { continue }
                switch ($message.event) {
                    # What the core says reaches the console: no control character in it acts on the terminal.
                    'progress' {
                        $progress = @{ Id = 1; Activity = ConvertTo-VisibleControlText $message.body.activity; Status = ConvertTo-VisibleControlText $message.body.status }
                        if ($message.body.PSObject.Properties['percent']) { $progress.PercentComplete = [int]$message.body.percent }
                        Write-Progress @progress
                        $progressShown = $true
                    }
                    'verbose' { Write-Verbose (ConvertTo-VisibleControlText $message.body.message) }
                    'warning' { Write-Warning (ConvertTo-VisibleControlText $message.body.message) }
                }
                continue
            }
            # A response to an earlier request that was abandoned (Ctrl+C) is stale: skip it.
            # An error with id null (the core could not read the request's id: RequestTooLarge,
            # a line that is not JSON) answers the request this call is waiting for.
            $unaddressedError = $null -eq $message.id -and $message.PSObject.Properties['success'] -and -not $message.success
            if ($message.type -ne 'response' -or ($message.id -ne $id -and -not $unaddressedError)) { continue }

            if ($message.success) {
                return $message.body
            }
            # The core's answer that this request failed: the common, expected
            # failure (ContainerNotFound...), never thrown when -Failure is given.
            $problem = New-CoreErrorRecord -CoreError $message.error -TargetObject $TargetObject
            if ($null -ne $Failure) {
                $Failure.Value = $problem
                return
            }
            throw $problem
        }
    }
    finally {
        if ($progressShown) { Write-Progress -Id 1 -Activity 'WindowsContainers' -Completed }
    }
    }
    catch {
        # The bridge's own failures (no core, a timeout, a broken answer).
        if ($null -eq $Failure) { throw }
        # Rebuilt, so the caller gets a record that was never thrown.
        $thrown = $_
        $rebuilt = @{
            ErrorId      = ($thrown.FullyQualifiedErrorId -split ',')[0]
            Message      = $thrown.Exception.Message
            Category     = $thrown.CategoryInfo.Category
            TargetObject = if ($null -ne $TargetObject) { $TargetObject } else { $thrown.TargetObject }
            Details      = $thrown.Exception.Data['CoreDetails']
        }
        if ($null -ne $thrown.ErrorDetails -and $thrown.ErrorDetails.RecommendedAction) { $rebuilt.RecommendedAction = $thrown.ErrorDetails.RecommendedAction }
        $Failure.Value = New-CoreErrorRecord @rebuilt
    }
}
