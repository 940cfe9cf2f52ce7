# A private OpenSSH server for PowerShell remoting tests: one sshd per
# stand-in host, on a free port of 127.0.0.1 only, with a host key, a user key
# and a configuration generated into a 0700 folder the test owns, and a
# 'powershell' subsystem that runs the pinned pwsh (pwsh -sshs). Each sshd
# gives its sessions their own environment (SetEnv): the module path and the
# WINDOWSCONTAINERS_STATE_DIR of that "host". Nothing of the machine's own
# ssh set-up (port 22, /etc/ssh keys, ~/.ssh) is used or changed.
#
# Needs: /usr/sbin/sshd, ssh-keygen and ssh (build/setup.d/40-openssh.sh), root.

function Get-FreeLoopbackPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port } finally { $listener.Stop() }
}

function Get-TcpListener([int] $Port) {
    # Every listening socket on this port, from the kernel's tables: address and family.
    foreach ($table in @{ '/proc/net/tcp' = 'IPv4'; '/proc/net/tcp6' = 'IPv6' }.GetEnumerator()) {
        if (-not (Test-Path $table.Key)) { continue }
        foreach ($line in Get-Content -LiteralPath $table.Key | Select-Object -Skip 1) {
            $fields = $line.Trim() -split '\s+'
            if ($fields.Count -lt 4 -or $fields[3] -ne '0A') { continue }   # 0A = LISTEN
            $address, $hexPort = $fields[1].Split(':')
            if ([Convert]::ToInt32($hexPort, 16) -ne $Port) { continue }
            $text = if ($table.Value -eq 'IPv4') {
                # Little-endian hex: 0100007F is 127.0.0.1.
                ([System.Net.IPAddress]::new([Convert]::ToUInt32($address, 16))).ToString()
            }
            else { $address }
            [pscustomobject]@{ Family = $table.Value; Address = $text; Port = $Port }
        }
    }
}

function Start-PrivateSshd {
    param(
        [Parameter(Mandatory)] [string] $Folder,        # a 0700 folder of the test's own
        [Parameter(Mandatory)] [string] $Name,          # the stand-in host's name, a subfolder
        [hashtable] $Environment = @{},                 # SetEnv for every session of this host
        [int] $ReadySeconds = 30
    )
    $sshd = '/usr/sbin/sshd'
    foreach ($tool in $sshd, (Get-Command ssh-keygen -CommandType Application -ErrorAction Ignore).Source, (Get-Command ssh -CommandType Application -ErrorAction Ignore).Source) {
        if (-not $tool -or -not (Test-Path $tool)) { throw 'OpenSSH is not installed (sshd, ssh-keygen, ssh). Run: bash build/setup.sh (it installs openssh-server).' }
    }
    $dir = Join-Path $Folder $Name
    $null = New-Item -ItemType Directory -Path $dir
    [System.IO.File]::SetUnixFileMode($dir, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    $hostKey = Join-Path $dir 'host_ed25519'
    $userKey = Join-Path $dir 'user_ed25519'
    & ssh-keygen -q -t ed25519 -N '' -C "wc-test-host-$Name" -f $hostKey
    & ssh-keygen -q -t ed25519 -N '' -C "wc-test-user-$Name" -f $userKey
    if (-not (Test-Path $hostKey) -or -not (Test-Path $userKey)) { throw 'ssh-keygen did not write the test keys.' }
    $authorized = Join-Path $dir 'authorized_keys'
    Copy-Item -LiteralPath "$userKey.pub" -Destination $authorized
    # sshd's privilege separation directory (Debian's service creates it at boot; a bare machine may lack it).
    if (-not (Test-Path /run/sshd)) { $null = New-Item -ItemType Directory -Path /run/sshd; & chmod 755 /run/sshd }

    $pwsh = Join-Path $PSHOME 'pwsh'
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add("ListenAddress 127.0.0.1")
    $lines.Add("HostKey $hostKey")
    $lines.Add("PidFile $(Join-Path $dir 'sshd.pid')")
    $lines.Add("AuthorizedKeysFile $authorized")
    $lines.Add('AuthenticationMethods publickey')
    $lines.Add('PubkeyAuthentication yes')
    $lines.Add('PasswordAuthentication no')
    $lines.Add('KbdInteractiveAuthentication no')
    $lines.Add('PermitRootLogin prohibit-password')
    $lines.Add("AllowUsers $([Environment]::UserName)")
    $lines.Add('UsePAM no')
    # The keys sit in the test's own 0700 folder, but that folder is under the
    # world-writable temp folder, which StrictModes would refuse.
    $lines.Add('StrictModes no')
    $lines.Add('AllowTcpForwarding no')
    $lines.Add('X11Forwarding no')
    $lines.Add('PermitTTY no')
    $lines.Add('MaxStartups 20')
    $lines.Add("Subsystem powershell $pwsh -sshs -NoLogo -NoProfile")
    if ($Environment.Count) {
        $pairs = foreach ($key in $Environment.Keys) {
            if ("$($Environment[$key])" -match '[\s"]') { throw "SetEnv value for $key has a space or quote: keep test paths plain." }
            "$key=$($Environment[$key])"
        }
        $lines.Add("SetEnv $($pairs -join ' ')")
    }
    $config = Join-Path $dir 'sshd_config'

    # A port is free when asked but may be taken before sshd binds it: try a few.
    for ($attempt = 1; ; $attempt++) {
        $port = Get-FreeLoopbackPort
        Set-Content -LiteralPath $config -Value (@("Port $port") + $lines)
        & $sshd -t -f $config
        if ($LASTEXITCODE -ne 0) { throw "sshd refused the generated configuration ($config)." }
        $log = Join-Path $dir 'sshd.log'
        $process = Start-Process -FilePath $sshd -ArgumentList '-D', '-e', '-f', $config -RedirectStandardError $log -RedirectStandardOutput (Join-Path $dir 'sshd.out') -PassThru
        $deadline = [datetime]::UtcNow.AddSeconds($ReadySeconds)
        $listening = $false
        while (-not $process.HasExited -and [datetime]::UtcNow -lt $deadline) {
            if (Get-TcpListener -Port $port) { $listening = $true; break }
            Start-Sleep -Milliseconds 100
        }
        if ($listening) { break }
        if (-not $process.HasExited) { $process.Kill(); $process.WaitForExit() }
        if ($attempt -ge 3) { throw "The private sshd did not listen on 127.0.0.1:$port within $ReadySeconds s: $(Get-Content -Raw -LiteralPath $log -ErrorAction Ignore)" }
    }

    # The client trusts exactly this host key for this port, and uses only this user key.
    $knownHosts = Join-Path $dir 'known_hosts'
    $hostPublic = (Get-Content -Raw -LiteralPath "$hostKey.pub").Trim().Split(' ')
    Set-Content -LiteralPath $knownHosts -Value "[localhost]:$port,[127.0.0.1]:$port $($hostPublic[0]) $($hostPublic[1])"
    [pscustomobject]@{
        Name       = $Name
        Port       = $port
        Process    = $process
        ProcessId  = $process.Id
        Folder     = $dir
        KeyFile    = $userKey
        KnownHosts = $knownHosts
        LogPath    = $log
    }
}

function Get-PrivateSshOption($Sshd) {
    # ssh_config options for PowerShell's SSH transport (Invoke-Command/New-PSSession -Options).
    @{
        UserKnownHostsFile    = $Sshd.KnownHosts
        GlobalKnownHostsFile  = '/dev/null'
        StrictHostKeyChecking = 'yes'
        IdentitiesOnly        = 'yes'
        BatchMode             = 'yes'
        ConnectTimeout        = '30'
    }
}

function New-PrivateSshSession($Sshd, [string] $HostName = 'localhost') {
    # Two stand-in hosts on one machine are told apart by the name they are reached by
    # (localhost, 127.0.0.1): that is the PSComputerName on their results.
    New-PSSession -HostName $HostName -Port $Sshd.Port -UserName ([Environment]::UserName) -KeyFilePath $Sshd.KeyFile `
        -Options (Get-PrivateSshOption $Sshd) -Name "wc-$($Sshd.Name)" -ErrorAction Stop
}

function Get-ChildProcessId([int] $ParentId) {
    foreach ($dir in Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$') {
        try { $stat = [System.IO.File]::ReadAllText("/proc/$($dir.Name)/stat") } catch { continue }
        $fields = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
        if ([int]$fields[1] -eq $ParentId) { [int]$dir.Name }
    }
}

function Stop-PrivateSshd($Sshd) {
    # Only the sshd this test started, by its process id. Its per-connection
    # children end when their sessions are removed; they are given a few
    # seconds to, so that this sshd (not the machine's init, which does not
    # reap promptly here) collects them.
    if ($Sshd.Process -and -not $Sshd.Process.HasExited) {
        $deadline = [datetime]::UtcNow.AddSeconds(10)
        while (@(Get-ChildProcessId -ParentId $Sshd.Process.Id).Count -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $Sshd.Process.Kill()
        $null = $Sshd.Process.WaitForExit(15000)
    }
}
