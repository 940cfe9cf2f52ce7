# Helpers for the security suite: a throwaway unprivileged user (useradd,
# removed again by Remove-SecurityTestUser) plays the local attacker; its
# commands run through runuser, never a shell string built from input.

function New-SecurityTestUser {
    $name = 'wcsec' + (Get-Random -Minimum 100000 -Maximum 999999)
    & useradd --no-create-home --shell /usr/sbin/nologin --home-dir /nonexistent $name
    if ($LASTEXITCODE -ne 0) { throw "useradd $name failed ($LASTEXITCODE)" }
    $uid = [long](& id -u $name)
    [pscustomobject]@{ Name = $name; Uid = $uid }
}

function Remove-SecurityTestUser($User) {
    if ($null -eq $User) { return }
    & userdel $User.Name 2>$null
}

function Invoke-AsSecurityTestUser($User, [string[]] $Command) {
    & runuser -u $User.Name -- @Command
    if ($LASTEXITCODE -ne 0) { throw "As $($User.Name): $($Command -join ' ') failed ($LASTEXITCODE)" }
}

function Get-FileFingerprint([string] $Path) {
    $item = Get-Item -LiteralPath $Path -Force
    "$($item.Length)/$($item.LastWriteTimeUtc.Ticks)/$((Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash)/$($item.UnixStat.Mode)"
}
