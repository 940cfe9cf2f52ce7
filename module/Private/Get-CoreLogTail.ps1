function Get-CoreLogTail {
    <#
    .SYNOPSIS
    The last lines the core wrote to its log (stderr), formatted to append to an error message.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [pscustomobject] $Server,

        [int] $Lines = 15
    )

    try {
        $Server.LogStream.Flush()
        $stream = [System.IO.FileStream]::new($Server.LogPath, 'Open', 'Read', 'ReadWrite')
        try {
            $text = [System.IO.StreamReader]::new($stream).ReadToEnd()
        }
        finally {
            $stream.Dispose()
        }
    }
    catch {
        return ''
    }
    $tail = @($text -split "`r?`n" | Where-Object { $_ } | Select-Object -Last $Lines)
    if ($tail.Count -eq 0) { return '' }
    return " The core's last log lines:`n  " + ($tail -join "`n  ")
}
