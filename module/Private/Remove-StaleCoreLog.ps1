function Remove-StaleCoreLog {
    <#
    .SYNOPSIS
    Deletes the logs of cores that are gone and were last written more than MaximumAge ago.
    .DESCRIPTION
    Each core copies its stderr to core-<pid>.log in the log folder, and a
    session that ends without removing the module (closing PowerShell, the end
    of a pwsh -File run) leaves that file behind. Start-CoreServer calls this
    so the folder does not grow without bound: a log is removed only when no
    process with its PID runs and it is older than MaximumAge, which leaves a
    recent log to read and never touches a running core's.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)]
        [string] $Folder,

        [timespan] $MaximumAge = [timespan]::FromDays(1)
    )

    $cutoff = [datetime]::UtcNow - $MaximumAge
    foreach ($file in Get-ChildItem -LiteralPath $Folder -Filter 'core-*.log' -File -ErrorAction Ignore) {
        if ($file.Name -notmatch '^core-(\d{1,10})\.log$') { continue }
        if ($file.LastWriteTimeUtc -gt $cutoff) { continue }
        $processId = [long]$Matches[1]
        if ($processId -le [int]::MaxValue -and $null -ne (Get-Process -Id ([int]$processId) -ErrorAction Ignore)) { continue }
        if ($PSCmdlet.ShouldProcess($file.FullName, 'Remove the log of a core that has exited')) {
            Remove-Item -LiteralPath $file.FullName -ErrorAction Ignore
        }
    }
}
