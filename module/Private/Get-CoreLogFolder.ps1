function Get-CoreLogFolder {
    <#
    .SYNOPSIS
    Returns the private folder for the core's logs, creating it 0700 and checking it before use.
    .DESCRIPTION
    Never a shared temp folder: any local user can create a folder there first,
    with links named for likely PIDs, and make the next root command truncate a
    file of the attacker's choosing (runc and containerd keep runtime state in
    a directory they created 0700 for the same reason).

    On Linux the folder is <state dir>/logs: $env:WINDOWSCONTAINERS_STATE_DIR
    when set, /var/lib/windowscontainers for root (the core's own default
    state dir), otherwise $XDG_STATE_HOME (or ~/.local/state)/windowscontainers/logs.
    On Windows it is %LOCALAPPDATA%\WindowsContainers\logs (the user's profile,
    not checked here: there is no Windows host to test it on).

    Before use the folder must be a real directory (not a link), owned by this
    user, with no access for group or others; and its parent must not be
    writable by anyone else (else they could swap the folder). Anything else
    is refused with CoreLogFolderUnsafe and left as it is.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    if ($IsWindows) {
        $folder = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'WindowsContainers' 'logs'
        $null = [System.IO.Directory]::CreateDirectory($folder)
        return $folder
    }

    # The effective uid is the second field of "Uid:" in /proc/self/status (real, effective, saved, fs).
    $uidLine = [System.IO.File]::ReadAllLines('/proc/self/status') | Where-Object { $_ -like 'Uid:*' } | Select-Object -First 1
    $uid = [long](($uidLine -split '\s+')[2])

    $folder = if ($env:WINDOWSCONTAINERS_STATE_DIR) {
        Join-Path ([System.IO.Path]::GetFullPath($env:WINDOWSCONTAINERS_STATE_DIR)) 'logs'
    }
    elseif ($uid -eq 0) {
        '/var/lib/windowscontainers/logs'
    }
    else {
        $stateHome = if ($env:XDG_STATE_HOME) { $env:XDG_STATE_HOME } else { Join-Path $HOME '.local' 'state' }
        Join-Path ([System.IO.Path]::GetFullPath($stateHome)) 'windowscontainers' 'logs'
    }

    $private = [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute'
    $parent = Split-Path -Parent $folder
    # Before anything is created: the state folder must not be another user's link, and no folder
    # above it may belong to another user or be open to others' writes without the sticky bit
    # (either lets that user swap what this one writes into). A refusal leaves nothing behind.
    $why = $null
    $stateItem = Get-Item -LiteralPath $parent -Force -ErrorAction Ignore
    if ($null -ne $stateItem -and $stateItem.LinkType -and $null -ne $stateItem.UnixStat -and
        $stateItem.UnixStat.UserId -ne $uid -and $stateItem.UnixStat.UserId -ne 0) {
        $why = "its parent '$parent' is a link that uid $($stateItem.UnixStat.UserId) made"
    }
    $ancestor = Split-Path -Parent $parent
    while (-not $why -and $ancestor) {
        $above = Get-Item -LiteralPath $ancestor -Force -ErrorAction Ignore
        if ($null -ne $above -and $null -ne $above.UnixStat) {
            if ($above.UnixStat.UserId -ne $uid -and $above.UnixStat.UserId -ne 0) {
                $why = "the folder '$ancestor' above it belongs to uid $($above.UnixStat.UserId), not to this user (uid $uid) or root"
            }
            elseif (($above.UnixStat.Mode -band 0x12) -ne 0 -and -not $above.UnixStat.IsSticky) {
                $why = "the folder '$ancestor' above it is writable by group or others (mode $([Convert]::ToString($above.UnixStat.Mode -band 0xFFF, 8)))"
            }
        }
        $next = Split-Path -Parent $ancestor
        if ($next -eq $ancestor) { break }
        $ancestor = $next
    }
    if ($why) {
        throw (New-CoreErrorRecord -ErrorId 'CoreLogFolderUnsafe' -Category SecurityError -TargetObject $folder `
                -Message "The core's log folder '$folder' is not safe to use: $why. Nothing was created or written." `
                -RecommendedAction "Set `$env:WINDOWSCONTAINERS_STATE_DIR to a folder only you (or root) own, under folders only you (or root) can change.")
    }
    if (-not [System.IO.Directory]::Exists($parent)) {
        # A missing state dir is made private too; its own parents are the system's (e.g. /var/lib).
        $null = [System.IO.Directory]::CreateDirectory($parent, $private)
    }
    if (-not [System.IO.Directory]::Exists($folder) -and -not [System.IO.File]::Exists($folder)) {
        try {
            # mkdir(2) with mode 0700: fails rather than reusing a folder someone created meanwhile.
            $null = [System.IO.Directory]::CreateDirectory($folder, $private)
        }
        catch {
            Write-Verbose "Could not create the core's log folder '$folder': $($_.Exception.Message)"
        }
    }

    $why = $null
    $parentItem = Get-Item -LiteralPath $parent -Force -ErrorAction Ignore
    $item = Get-Item -LiteralPath $folder -Force -ErrorAction Ignore
    if ($null -eq $parentItem -or $null -eq $parentItem.UnixStat) {
        $why = "its parent '$parent' cannot be examined"
    }
    elseif ($parentItem.UnixStat.UserId -ne $uid -and $parentItem.UnixStat.UserId -ne 0) {
        $why = "its parent '$parent' belongs to uid $($parentItem.UnixStat.UserId), not to this user (uid $uid) or root"
    }
    elseif (($parentItem.UnixStat.Mode -band 0x12) -ne 0 -and -not $parentItem.UnixStat.IsSticky) {
        $why = "its parent '$parent' is writable by group or others (mode $([Convert]::ToString($parentItem.UnixStat.Mode -band 0xFFF, 8)))"
    }
    elseif ($null -eq $item) {
        $why = 'it does not exist and could not be created'
    }
    elseif ($item.LinkType -or $item.Attributes.HasFlag([System.IO.FileAttributes]::ReparsePoint)) {
        $why = 'it is a link'
    }
    elseif (-not $item.PSIsContainer) {
        $why = 'it is not a directory'
    }
    elseif ($item.UnixStat.UserId -ne $uid) {
        $why = "it belongs to uid $($item.UnixStat.UserId), not to this user (uid $uid)"
    }
    elseif (($item.UnixStat.Mode -band 0x3F) -ne 0) {
        $why = "group or others have access to it (mode $([Convert]::ToString($item.UnixStat.Mode -band 0xFFF, 8)); it must be 700)"
    }
    if ($why) {
        throw (New-CoreErrorRecord -ErrorId 'CoreLogFolderUnsafe' -Category SecurityError -TargetObject $folder `
                -Message "The core's log folder '$folder' is not safe to use: $why. Nothing was written to it." `
                -RecommendedAction "Remove '$folder' if you did not create it (the module recreates it with mode 700), or set `$env:WINDOWSCONTAINERS_STATE_DIR to a private folder.")
    }
    return $folder
}
