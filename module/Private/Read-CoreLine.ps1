function Read-CoreLine {
    <#
    .SYNOPSIS
    Reads one line from the core's stdout, waiting at most until the deadline.
    .DESCRIPTION
    Waits in short slices so that Ctrl+C stops the pipeline promptly. A read
    that is still pending when the deadline passes (or the pipeline stops) is
    kept on the server object and reused by the next read: a StreamReader
    allows only one outstanding read.
    Returns Status 'Line' (with Text), 'Closed' (the core's stdout ended) or 'TimedOut'.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [pscustomobject] $Server,

        [Parameter(Mandatory)]
        [datetime] $Deadline
    )

    if ($null -eq $Server.PendingRead) {
        $Server.PendingRead = $Server.Output.ReadLineAsync()
    }
    $task = $Server.PendingRead
    while (-not $task.IsCompleted) {
        $remaining = ($Deadline - [datetime]::UtcNow).TotalMilliseconds
        if ($remaining -le 0) {
            return [pscustomobject]@{ Status = 'TimedOut'; Text = $null }
        }
        $null = $task.Wait([int][math]::Min($remaining, 200))
    }
    $Server.PendingRead = $null
    if ($task.IsFaulted -or $null -eq $task.Result) {
        return [pscustomobject]@{ Status = 'Closed'; Text = $null }
    }
    return [pscustomobject]@{ Status = 'Line'; Text = $task.Result }
}
