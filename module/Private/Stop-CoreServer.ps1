function Stop-CoreServer {
    <#
    .SYNOPSIS
    Stops this runspace's core server: closes its input (the core exits by itself), then kills it if it lingers.
    #>
    [CmdletBinding()]
    param(
        [int] $GraceMilliseconds = 2000
    )

    $server = $script:CoreServer
    $script:CoreServer = $null
    if ($null -eq $server) { return }

    $process = $server.Process
    try {
        if (-not $process.HasExited) {
            try { $server.Input.Close() } catch { Write-Debug "Closing the core's input failed: $_" }
            if (-not $process.WaitForExit($GraceMilliseconds)) {
                # The core alone, not its process tree: utility VMs it launched
                # are its children and must outlive it, as containers outlive
                # the session that made them.
                $process.Kill($false)
                $null = $process.WaitForExit(5000)
            }
        }
    }
    catch {
        Write-Debug "Stopping the core failed: $_"
    }
    finally {
        try { $null = $server.LogCopy.Wait(1000) } catch { Write-Debug "Log copy ended with: $_" }
        $server.LogStream.Dispose()
        $process.Dispose()
        if ($null -eq $server.PendingRead -or $server.PendingRead.IsCompleted) {
            Remove-Item -LiteralPath $server.LogPath -ErrorAction Ignore
        }
    }
}
