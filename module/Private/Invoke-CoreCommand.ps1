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
        [type] $BodyType
    )

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
                    'progress' {
                        $progress = @{ Id = 1; Activity = $message.body.activity; Status = $message.body.status }
                        if ($message.body.PSObject.Properties['percent']) { $progress.PercentComplete = [int]$message.body.percent }
                        Write-Progress @progress
                        $progressShown = $true
                    }
                    'verbose' { Write-Verbose $message.body.message }
                    'warning' { Write-Warning $message.body.message }
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
            $coreError = $message.error
            $details = if ($coreError.PSObject.Properties['details']) { $coreError.details } else { $null }
            $category = [System.Management.Automation.ErrorCategory]::NotSpecified
            $null = [System.Enum]::TryParse([System.Management.Automation.ErrorCategory], [string]$coreError.category, [ref]$category)
            throw (New-CoreErrorRecord -ErrorId $coreError.code -Category $category -Message $coreError.message `
                    -TargetObject $TargetObject -Details $details)
        }
    }
    finally {
        if ($progressShown) { Write-Progress -Id 1 -Activity 'WindowsContainers' -Completed }
    }
}
