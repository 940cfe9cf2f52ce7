# What a container writes, as Get-ContainerLog and Invoke-ContainerCommand
# show it, on the linux backend (real runc and QEMU utility-VM containers, a
# private state directory). A container is untrusted: the objects keep its
# text and the names of its processes exactly, and the default views (what
# reaches the console) show every control character visibly, so a terminal
# acts on none of it: OSC 52 (clipboard write), OSC 0 (window title), CSI 2J
# (clear screen), a CR that writes over a line, NUL. Also: an empty argument
# is an argument like any other on both exec paths (runc exec, the guest
# agent's base64 words).
BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $script:busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
    if (-not (Test-Path $busyboxTar)) { throw "The busybox rootfs tarball is missing ($busyboxTar). Run: bash build/setup.sh" }
    $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
    $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-output-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $state
    $env:WINDOWSCONTAINERS_STATE_DIR = $state
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    $null = Import-ContainerImage -Path $busyboxTar -Name busybox

    # The hostile line, as printf's format (sh -c 'printf "$1"' - <format>) and as the characters it writes.
    $script:format = 'a\033]52;c;SGVsbG8=\007b\033]0;pwned\007c\033[2Jd\rsafe\000e\tf\n'
    $e = [char]0x1B; $bel = [char]0x07
    $script:written = "a${e}]52;c;SGVsbG8=${bel}b${e}]0;pwned${bel}c${e}[2Jd`rsafe`0e`tf"
    # What the views show instead: ESC U+241B, BEL U+2407, CR U+240D, NUL U+2400; TAB kept.
    $script:shown = "a$([char]0x241B)]52;c;SGVsbG8=$([char]0x2407)b$([char]0x241B)]0;pwned$([char]0x2407)c$([char]0x241B)[2Jd$([char]0x240D)safe$([char]0x2400)e`tf"
    # Assertions on hostile text compare and show escaped forms: a failure message must carry
    # no control character either (Pester's NUnit report cannot hold one).
    function script:ConvertTo-Escaped([string] $Text) { ConvertTo-Json -InputObject $Text -Compress }
    # The characters a terminal acts on (C0 but TAB and LF, DEL, C1) in a text, as hex codes.
    function script:Get-ControlCode([string] $Text) { @([regex]::Matches($Text, '[\x00-\x08\x0B-\x1F\x7F-\x9F]') | ForEach-Object { '{0:X2}' -f [int]$_.Value[0] }) }

    function script:Assert-ShownSafely([object[]] $InputObject, [string] $Shown) {
        foreach ($format in 'Format-Table', 'Format-List') {
            $text = $InputObject | & $format | Out-String -Width 200
            Get-ControlCode $text | Should -BeNullOrEmpty -Because "$format shows no character a terminal acts on"
            $text.Contains($Shown) | Should -BeTrue -Because "$format shows each control character where it was: $Shown"
        }
        # What the console gets by default (Out-Default formats with the same view).
        Get-ControlCode ($InputObject | Out-String -Width 200) | Should -BeNullOrEmpty
    }
}

AfterAll {
    Get-ChildItem -Path (Join-Path $state 'containers') -Directory -ErrorAction Ignore | Where-Object Name -NotLike '.*' |
        ForEach-Object { Remove-IsolatedContainer -Name $_.Name -Force -Confirm:$false -ErrorAction Ignore -WarningAction Ignore }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
    $env:WINDOWSCONTAINERS_STATE_DIR = $savedState
    Remove-Item -LiteralPath $state -Recurse -Force -ErrorAction Ignore
}

Describe 'Control sequences and empty arguments in a process-isolated container (runc)' -Tag E2E {
    BeforeAll {
        $script:name = "out-proc-$PID"
        $null = New-IsolatedContainer -Name $name -Image busybox -Isolation Process -Command sh, -c, 'printf "$1"; printf "second\r\n"; exec sleep 3600', '-', $format
    }

    It 'Should keep the log line exactly as written and show it in the views with every control character visible' {
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        do { $lines = @(Get-ContainerLog -Name $name); Start-Sleep -Milliseconds 200 } until ($lines.Count -ge 2 -or [datetime]::UtcNow -gt $deadline)
        $lines.Count | Should -Be 2
        ConvertTo-Escaped $lines[0].Text | Should -BeExactly (ConvertTo-Escaped $written)
        ConvertTo-Escaped ($lines | Select-Object -ExpandProperty Text)[1] | Should -BeExactly (ConvertTo-Escaped "second`r") -Because 'the object keeps the CR of a CRLF line end'
        Assert-ShownSafely -InputObject $lines -Shown $shown
        # A CR that ends a line is a line end in the view, not a visible CR.
        (($lines[1] | Out-String -Width 200) -match "second\s*$") | Should -BeTrue -Because 'a CR that ends a line is not shown'
    }

    It 'Should keep a command''s output exactly as written and show it in the views with every control character visible' {
        $result = Invoke-ContainerCommand -Name $name -Command sh, -c, 'printf "$1"; printf "\033[1;1Hoops\n" >&2', '-', $format
        ConvertTo-Escaped $result.Output | Should -BeExactly (ConvertTo-Escaped "$written`n")
        ConvertTo-Escaped $result.ErrorOutput | Should -BeExactly (ConvertTo-Escaped "$([char]0x1B)[1;1Hoops`n")
        Assert-ShownSafely -InputObject $result -Shown $shown
        (($result | Format-List | Out-String -Width 200) -match "ErrorOutput\s+: $([char]0x241B)\[1;1Hoops") | Should -BeTrue -Because 'ErrorOutput is shown too'
    }

    It 'Should pass an empty argument, and a literal -, as arguments like any other' {
        (Invoke-ContainerCommand -Name $name -Command printf, '[%s]', a, '', '-', b, '').Output | Should -BeExactly '[a][][-][b][]'
        (Invoke-ContainerCommand -Name $name -Command sh, -c, 'echo $#', '-', '', '').Output | Should -BeExactly "2`n"
    }

    It 'Should show a process the container named with a control sequence, in its process list and the verdict''s evidence, visibly' {
        # comm is the name of the file executed: a link named x ESC ]0;t BEL to sleep.
        $null = Invoke-ContainerCommand -Name $name -Command sh, -c, 'n=$(printf "x\033]0;t\007"); ln -sf /bin/sleep "/tmp/$n"; ( exec -a sleep "/tmp/$n" 1234 ) >/dev/null 2>&1 &'
        $hostileName = "x$([char]0x1B)]0;t$([char]0x07)"
        $deadline = [datetime]::UtcNow.AddSeconds(20)
        do { $processes = @(Get-ContainerProcess -Name $name); Start-Sleep -Milliseconds 200 } until ($processes.ProcessName -contains $hostileName -or [datetime]::UtcNow -gt $deadline)
        ($processes.ProcessName -contains $hostileName) | Should -BeTrue -Because 'the object keeps the name exactly'
        $shownName = "x$([char]0x241B)]0;t$([char]0x2407)"
        Assert-ShownSafely -InputObject $processes -Shown $shownName
        $verdict = Test-ContainerIsolation -Name $name
        Assert-ShownSafely -InputObject $verdict.HostMatches -Shown $shownName
        Get-ControlCode ($verdict | Format-List | Out-String -Width 200) | Should -BeNullOrEmpty
    }

    It 'Should refuse an empty program name before anything runs, even with -WhatIf' {
        { Invoke-ContainerCommand -Name $name -Command '', a -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,Invoke-ContainerCommand'
        { Invoke-ContainerCommand -Name $name -Command '', a -WhatIf } | Should -Throw -ErrorId 'InvalidArgument,Invoke-ContainerCommand'
    }
}

Describe 'Control sequences and empty arguments in a Hyper-V-isolated container (QEMU utility VM)' -Tag E2E {
    BeforeAll {
        $script:vmName = "out-vm-$PID"
        $null = New-IsolatedContainer -Name $vmName -Image busybox -Isolation HyperV -Command sh, -c, 'printf "$1"; echo vm-out-marker; exec sleep 3600', '-', $format
    }

    It 'Should keep a command''s output exactly as written (through the guest agent) and show it with every control character visible' {
        $result = Invoke-ContainerCommand -Name $vmName -Command sh, -c, 'printf "$1"', '-', $format
        ConvertTo-Escaped $result.Output | Should -BeExactly (ConvertTo-Escaped "$written`n")
        Assert-ShownSafely -InputObject $result -Shown $shown
    }

    It 'Should pass an empty argument, and a literal -, through the guest agent as arguments like any other' {
        (Invoke-ContainerCommand -Name $vmName -Command printf, '[%s]', a, '', '-', b, '').Output | Should -BeExactly '[a][][-][b][]'
        (Invoke-ContainerCommand -Name $vmName -Command sh, -c, 'echo $#', '-', '', '-', '').Output | Should -BeExactly "3`n"
    }

    It 'Should show the serial console''s lines with no control character a terminal acts on' {
        $deadline = [datetime]::UtcNow.AddSeconds(60)
        do { $lines = @(Get-ContainerLog -Name $vmName); Start-Sleep -Milliseconds 300 } until ($lines.Text -contains 'vm-out-marker' -or [datetime]::UtcNow -gt $deadline)
        ($lines.Text -contains 'vm-out-marker') | Should -BeTrue -Because 'the workload wrote it to the console'
        # The console is a terminal: the core drops its CSI sequences and CRs (kernel and tty noise); the rest is kept.
        $hostile = @($lines | Where-Object { $_.Text.Contains("$([char]0x1B)]52;") })
        $hostile.Count | Should -Be 1
        ConvertTo-Escaped $hostile[0].Text | Should -BeExactly (ConvertTo-Escaped "a$([char]0x1B)]52;c;SGVsbG8=$([char]0x07)b$([char]0x1B)]0;pwned$([char]0x07)cdsafe$([char]0)e`tf")
        Assert-ShownSafely -InputObject $lines -Shown "a$([char]0x241B)]52;c;SGVsbG8=$([char]0x2407)b$([char]0x241B)]0;pwned$([char]0x2407)cdsafe$([char]0x2400)e`tf"
    }
}

# Out-Default formats the first object of a stream with its type's view; a
# later object of another type is listed by its DefaultDisplayPropertySet.
# The default output of a script that creates a container and then reads it.
Describe 'Container text after an object of another type in the same output stream (runc)' -Tag E2E {
    BeforeAll {
        $script:mixName = "mix-$PID"
        # Its one log line: its last argument, A OSC 52 (clipboard write) B; and a process named x OSC 0 (window title).
        $script:mixLine = "A$([char]0x1B)]52;c;cHduZWQ=$([char]0x07)B"
        $script:mixCommand = @('sh', '-c', 'printf "%s\n" "$1"; n=$(printf "x\033]0;t\007"); ln -sf /bin/sleep "/tmp/$n"; exec -a sleep "/tmp/$n" 100', '-', $mixLine)
        $script:mixShown = "A$([char]0x241B)]52;c;cHduZWQ=$([char]0x2407)B"
        function script:Wait-MixLog {
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while (-not @(Get-ContainerLog -Name $mixName).Count -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        }
    }

    AfterAll {
        Remove-IsolatedContainer -Name $mixName -Force -Confirm:$false -ErrorAction Ignore -WarningAction Ignore
    }

    It 'Should show the log line visibly when the new container came first: New-IsolatedContainer; Get-ContainerLog' {
        $text = & {
            New-IsolatedContainer -Name $mixName -Image busybox -Isolation Process -Command $mixCommand
            Wait-MixLog
            Get-ContainerLog -Name $mixName
        } | Out-String -Width 200
        Get-ControlCode $text | Should -BeNullOrEmpty -Because 'no character a terminal acts on is shown'
        $text.Contains($mixShown) | Should -BeTrue -Because "the log line is shown as $(ConvertTo-Escaped $mixShown)"
        ConvertTo-Escaped (Get-ContainerLog -Name $mixName | Select-Object -ExpandProperty Text) | Should -BeExactly (ConvertTo-Escaped $mixLine) -Because 'the object keeps the bytes'
    }

    It 'Should show a command''s output, the process names and the verdict''s reasons visibly after the container' {
        $text = & {
            Get-IsolatedContainer -Name $mixName
            Invoke-ContainerCommand -Name $mixName -Command sh, -c, 'printf "o\033[2J"; printf "e\033]0;t\007" >&2'
            Get-ContainerProcess -Name $mixName
            Test-ContainerIsolation -Name $mixName
        } | Out-String -Width 300
        Get-ControlCode $text | Should -BeNullOrEmpty -Because 'no character a terminal acts on is shown'
        $text.Contains("o$([char]0x241B)[2J") | Should -BeTrue -Because 'the output is shown visibly'
        $text.Contains("e$([char]0x241B)]0;t$([char]0x2407)") | Should -BeTrue -Because 'the error output is shown visibly'
        $text.Contains("x$([char]0x241B)]0;t$([char]0x2407)") | Should -BeTrue -Because 'the process name is shown visibly'
    }

    It 'Should show the container''s command visibly in its list view' {
        $text = Get-IsolatedContainer -Name $mixName | Format-List | Out-String -Width 300
        Get-ControlCode $text | Should -BeNullOrEmpty
        $text.Contains("A$([char]0x241B)]52;c;cHduZWQ=") | Should -BeTrue -Because 'the command is shown visibly'
    }

    It 'Should print no control character a terminal acts on from a script run with -File (Out-Default to stdout)' {
        $scriptPath = Join-Path $state "mix-$PID.ps1"
        # PlainText: PowerShell's own colours (table headers) are escape sequences too; it leaves the rest to the terminal.
        Set-Content -LiteralPath $scriptPath -Value @"
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$(Join-Path $repo 'WindowsContainers.psd1')'
Get-IsolatedContainer -Name $mixName
Get-ContainerLog -Name $mixName
"@
        # The host this test runs in: pwsh itself, or dotnet running pwsh.dll beside $PSHOME (the repo's dotnet tool).
        [string[]] $hostArgs = if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
        $stdout = & ([Environment]::ProcessPath) @hostArgs -NoProfile -NonInteractive -File $scriptPath 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because (ConvertTo-Escaped $stdout)
        Get-ControlCode $stdout | Should -BeNullOrEmpty -Because 'no character a terminal acts on reaches stdout'
        $stdout.Contains($mixShown) | Should -BeTrue -Because "the log line is shown as $(ConvertTo-Escaped $mixShown)"
    }
}

# An image's config comes from the archive it was imported from.
Describe 'Image config text from a docker save archive in the views' -Tag E2E {
    BeforeAll {
        $script:archiveDirectory = Join-Path $state "evil-archive-$PID"
        $null = New-Item -ItemType Directory -Path (Join-Path $archiveDirectory 'layer') -Force
        Copy-Item -LiteralPath $busyboxTar -Destination (Join-Path $archiveDirectory 'layer' 'layer.tar')
        # Cmd and Env with OSC 52, OSC 0 and CSI 2J (JSON escapes: the file itself is plain text).
        Set-Content -LiteralPath (Join-Path $archiveDirectory 'config.json') -Value '{"config":{"Cmd":["sh","-c","\u001b]52;c;cHduZWQ=\u0007 \u001b]0;t\u0007 \u001b[2J"],"Env":["PATH=/bin","X=\u001b]52;c;cHduZWQ=\u0007"],"WorkingDir":"/\u001b[2J"}}'
        Set-Content -LiteralPath (Join-Path $archiveDirectory 'manifest.json') -Value '[{"Config":"config.json","RepoTags":["evil:1"],"Layers":["layer/layer.tar"]}]'
        & tar -C $archiveDirectory -cf (Join-Path $archiveDirectory 'evil.tar') manifest.json config.json layer/layer.tar
        if ($LASTEXITCODE -ne 0) { throw 'tar could not build the docker save archive' }
        $null = Import-ContainerImage -Path (Join-Path $archiveDirectory 'evil.tar') -Name evil
        $script:clip = "$([char]0x241B)]52;c;cHduZWQ=$([char]0x2407)"
    }

    AfterAll {
        Remove-ContainerImage -Name evil -ErrorAction Ignore
        Remove-Item -LiteralPath $archiveDirectory -Recurse -Force -ErrorAction Ignore
    }

    It 'Should keep the config exactly and show it with every control character visible: <View>' -ForEach @(
        @{ View = 'default'; Render = { Get-ContainerImage -Name evil | Out-String -Width 300 } }
        @{ View = 'list'; Render = { Get-ContainerImage -Name evil | Format-List | Out-String -Width 300 } }
        @{ View = 'after a log line'; Render = { & { [pscustomobject]@{ PSTypeName = 'WindowsContainers.LogLine'; ContainerName = 'c'; Stream = 'stdout'; Text = 't' }; Get-ContainerImage -Name evil } | Out-String -Width 300 } }
    ) {
        $image = Get-ContainerImage -Name evil
        ConvertTo-Escaped $image.DefaultCommand[2] | Should -BeExactly (ConvertTo-Escaped "$([char]0x1B)]52;c;cHduZWQ=$([char]0x07) $([char]0x1B)]0;t$([char]0x07) $([char]0x1B)[2J")
        $text = & $Render
        Get-ControlCode $text | Should -BeNullOrEmpty -Because 'no character a terminal acts on is shown'
        $text.Contains("sh -c $clip") | Should -BeTrue -Because 'the default command is shown visibly'
        if ($View -eq 'list') {
            $text.Contains("X=$clip") | Should -BeTrue -Because 'the environment is shown visibly'
            $text.Contains("/$([char]0x241B)[2J") | Should -BeTrue -Because 'the working directory is shown visibly'
        }
    }
}
