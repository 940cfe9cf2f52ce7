function Start-CoreServer {
    <#
    .SYNOPSIS
    Starts this runspace's core server (node <bundle> serve) and waits for its ready event.
    .DESCRIPTION
    The core's stderr (its log) is copied to a file in the private log folder
    (Get-CoreLogFolder: 0700, owned by this user, never a shared temp folder)
    by a .NET stream copy, so it can never fill a pipe and stall the core; the
    bridge quotes its tail when the core dies. The file is created with
    O_CREAT|O_EXCL (FileMode.CreateNew) and mode 0600, so it is never opened
    through a link nor readable by others. Stop-CoreServer deletes the
    log of a core it stops; a log left by a session that ended without
    stopping its core is deleted a day later (Remove-StaleCoreLog).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [int] $ReadyTimeoutSeconds = 60
    )

    # NodeNotFound / NodeTooOld, each saying how to fix it, come from here.
    $node = (Get-NodeRuntime).Path
    $bundle = Get-CoreBundlePath
    if (-not (Test-Path -LiteralPath $bundle -PathType Leaf)) {
        # A checkout builds its bundle; an installed package always carries one, so there it means a damaged install.
        $fromCheckout = Test-Path -LiteralPath (Join-Path $ExecutionContext.SessionState.Module.ModuleBase 'package.json')
        $action = if ($fromCheckout) { 'Build it with: npm run build (or bash build/setup.sh) in the module''s folder.' }
        else { 'Reinstall the module: Install-PSResource -Name WindowsContainers -Reinstall.' }
        throw (New-CoreErrorRecord -ErrorId 'CoreNotBuilt' -Category NotInstalled -TargetObject $bundle `
                -Message "The core bundle '$bundle' does not exist. $action" -RecommendedAction $action)
    }

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($node)
    # The core lives as long as the runspace and allocates little at a time:
    # V8's young generation (16 MB semi-spaces by default) only adds resident
    # memory here. 2 MB keeps the core under 100 MB after work on 100
    # containers (bench/scale.ps1), at the price of more, shorter scavenges.
    $startInfo.ArgumentList.Add('--max-semi-space-size=2')
    $startInfo.ArgumentList.Add($bundle)
    $startInfo.ArgumentList.Add('serve')
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $utf8 = [System.Text.UTF8Encoding]::new($false)
    $startInfo.StandardInputEncoding = $utf8
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8

    $logFolder = Get-CoreLogFolder
    Remove-StaleCoreLog -Folder $logFolder -WhatIf:$false -Confirm:$false

    try {
        $process = [System.Diagnostics.Process]::Start($startInfo)
    }
    catch {
        throw (New-CoreErrorRecord -ErrorId 'CoreStartFailed' -Category NotInstalled -TargetObject $node `
                -Message "Could not start the core with '$node': $($_.Exception.Message)")
    }

    $logPath = Join-Path $logFolder "core-$($process.Id).log"
    # A log left by an earlier process with this PID: delete it (a link is
    # deleted, never followed), then create the file anew.
    if ([System.IO.File]::Exists($logPath) -or (Get-Item -LiteralPath $logPath -Force -ErrorAction Ignore)) {
        Remove-Item -LiteralPath $logPath -Force -ErrorAction Ignore
    }
    $logOptions = [System.IO.FileStreamOptions]@{
        Mode    = [System.IO.FileMode]::CreateNew
        Access  = [System.IO.FileAccess]::Write
        Share   = [System.IO.FileShare]::ReadWrite
        # Unbuffered (buffer size 0/1): what the core wrote is on disk even if
        # this session ends without closing the stream.
        BufferSize = 1
    }
    if (-not $IsWindows) { $logOptions.UnixCreateMode = [System.IO.UnixFileMode]'UserRead, UserWrite' }
    try {
        $logStream = [System.IO.FileStream]::new($logPath, $logOptions)
    }
    catch {
        $process.Kill()
        throw (New-CoreErrorRecord -ErrorId 'CoreLogFolderUnsafe' -Category SecurityError -TargetObject $logPath `
                -Message "Could not create the core's log '$logPath' as a new file: $($_.Exception.Message) The core was stopped." `
                -RecommendedAction "Look at what is in '$logFolder' (it should hold only core-<pid>.log files of this user).")
    }
    $logCopy = $process.StandardError.BaseStream.CopyToAsync($logStream)

    $server = [pscustomobject]@{
        Process     = $process
        Input       = $process.StandardInput
        Output      = $process.StandardOutput
        LogPath     = $logPath
        LogStream   = $logStream
        LogCopy     = $logCopy
        PendingRead = $null
        NextId      = 1
        CoreVersion = $null
    }
    $script:CoreServer = $server

    $line = Read-CoreLine -Server $server -Deadline ([datetime]::UtcNow.AddSeconds($ReadyTimeoutSeconds))
    $ready = $null
    if ($line.Status -eq 'Line') {
        try { $ready = $line.Text | ConvertFrom-Json -Depth 8 } catch { $ready = $null }
    }
    $isReady = $null -ne $ready -and $ready.PSObject.Properties['event'] -and $ready.event -eq 'ready'
    if (-not $isReady) {
        $tail = Get-CoreLogTail -Server $server
        Stop-CoreServer
        $what = if ($line.Status -eq 'TimedOut') { "did not announce itself within $ReadyTimeoutSeconds s" } else { 'did not start properly' }
        throw (New-CoreErrorRecord -ErrorId 'CoreStartFailed' -Category ResourceUnavailable -TargetObject $bundle `
                -Message "The core ($bundle) $what.$tail")
    }
    if ($ready.body.protocolVersion -ne $script:CoreProtocolVersion) {
        Stop-CoreServer
        throw (New-CoreErrorRecord -ErrorId 'UnsupportedProtocolVersion' -Category InvalidOperation -TargetObject $bundle `
                -Message "The core speaks protocol $($ready.body.protocolVersion); this module speaks $($script:CoreProtocolVersion)." `
                -RecommendedAction 'Rebuild the core (npm run build) from the same checkout as the module.')
    }
    $server.CoreVersion = $ready.body.version
    Write-Verbose "WindowsContainers core $($ready.body.version) started (pid $($process.Id))."
    return $server
}
