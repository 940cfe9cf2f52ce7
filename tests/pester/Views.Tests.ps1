# Every view in WindowsContainers.Format.ps1xml, rendered at 80 and at 120
# columns (Out-String -Width: no real narrow console here), for live objects
# and for the Deserialized.* objects remoting returns. A table must keep each
# object on one line, every header whole, and every key value whole; its last
# column takes the rest of the line, so it shows more at 120. Long text
# (reasons, suggestions) is cut in a table and whole in the list view.
BeforeAll {
    Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force

    $script:longReason = 'The container reports processes, none of them is on the host, and worker process qemu-wc-vm (PID 4242) is alive and tied to this container by its command line, so it runs in a utility VM with its own kernel.'

    # One set of objects per view, built by the module's own builders from core-shaped records.
    $script:objects = InModuleScope WindowsContainers -Parameters @{ Reason = $script:longReason } {
        param($Reason)
        $proc = { param($n, $cpid, $name) [pscustomobject]@{ containerName = $n; containerPid = $cpid; name = $name; commandLine = "$name 127.0.0.1"; claimedHostPid = $null; hostPid = $null; visibleOnHost = $false; startTime = '2026-01-02T03:04:05.000Z'; workingSetBytes = 2MB; privateBytes = 1MB; pagedBytes = 0; nonPagedBytes = 0; cpuSeconds = 1234.5; sessionId = 1234567 } }
        $result = [pscustomobject]@{
            name = 'build-agent-0042'; backend = 'linux'; configuredIsolation = 'HyperV'; expectedIsolation = 'HyperV'; observedIsolation = 'Inconclusive'; passed = $false
            reason = $Reason; reasons = @($Reason); gaps = @(); snapshotTakenAt = '2026-01-02T03:04:05.000Z'; containerProcesses = @(& $proc 'build-agent-0042' 1 'ping')
            hostMatches = @([pscustomobject]@{ containerPid = 1; name = 'ping'; hostPid = $null; matched = $false; outcome = 'UnclaimedInContainerNamespace'; reason = $Reason })
            worker = [pscustomobject]@{ alive = $true; tied = $true; reason = $Reason; hostProcess = [pscustomobject]@{ processName = 'qemu-wc-build-ag'; workingSet = 1; pagedMemorySize = 0; nonpagedSystemMemorySize = 0; cpuSeconds = 1; sessionId = 1; startTime = '2026-01-02T03:04:05.000Z'; commandLine = 'qemu' }; claim = [pscustomobject]@{ pid = 4194303; name = 'qemu-wc-build-ag'; tieToken = 't' } }
        }
        $test = New-IsolationTestResultObject -Record $result
        @{
            Container           = @(
                New-ContainerObject -Record ([pscustomobject]@{ name = 'build-agent-0042'; id = 'x'; backend = 'docker'; image = 'mcr.microsoft.com/windows/servercore:ltsc2022'; isolation = 'Process'; state = 'running'; command = @('ping', '-t', 'localhost'); createdAt = $null; startedAt = $null; exitCode = $null; hostPid = 4194303; utilityVmId = $null; managed = $true })
                New-ContainerObject -Record ([pscustomobject]@{ name = 'vm'; id = 'y'; backend = 'linux'; image = 'busybox'; isolation = 'HyperV'; state = 'exited'; command = @('sh'); createdAt = $null; startedAt = $null; exitCode = 0; hostPid = $null; utilityVmId = 'u'; managed = $true })
            )
            ContainerImage      = @(New-ContainerImageObject -Record ([pscustomobject]@{ name = 'busybox-1.36-mus'; format = 'docker-archive'; layers = 12; sizeBytes = 1234.5MB; files = 400; defaultCommand = @('sh'); workingDir = $null; env = @(); importedAt = '2026-12-02T05:43:49.000Z'; source = 's'; rootfs = 'r' }))
            # Two the host cannot see, and one it can (this very PowerShell, as the host's Process).
            ContainerProcess    = @(
                & $proc 'build-agent-0042' 1 'ping' | New-ContainerProcessObject
                & $proc 'vm' 7 'sh' | New-ContainerProcessObject
                $self = & $proc 'self-hosted' 1 'pwsh'
                $self.hostPid = $PID; $self.visibleOnHost = $true
                $self.startTime = ([System.DateTimeOffset](Get-Process -Id $PID).StartTime.ToUniversalTime()).AddMilliseconds(-400).ToString('o')
                $self | New-ContainerProcessObject
            )
            IsolationTestResult = @($test)
            HostMatch           = @($test.HostMatches)
            WorkerProcess       = @($test.WorkerProcess)
        }
    }
    $script:objects.ContainerHost = @([pscustomobject]@{
            PSTypeName = 'WindowsContainers.ContainerHost'; ComputerName = 'BUILD-HOST-01'; OperatingSystem = 'Microsoft Windows Server 2022 Datacenter'; Platform = 'win32'; Version = '10.0.20348'
            Build = 20348; Revision = 2340; HostClass = 'Server'; Architecture = 'x64'; DefaultIsolation = 'Process'; CoreVersion = '0.1.0'
            Backends = @(
                [pscustomobject]@{ PSTypeName = 'WindowsContainers.BackendStatus'; Name = 'hcs'; Usable = $true; Isolations = @('Process', 'HyperV'); Reason = $null; Details = $null }
                [pscustomobject]@{ PSTypeName = 'WindowsContainers.BackendStatus'; Name = 'docker'; Usable = $false; Isolations = @(); Reason = $script:longReason; Details = $null }
                [pscustomobject]@{ PSTypeName = 'WindowsContainers.BackendStatus'; Name = 'linux'; Usable = $false; Isolations = @(); Reason = 'Linux only.'; Details = $null }
            )
        })
    $script:objects.BackendStatus = @($script:objects.ContainerHost[0].Backends)
    $script:objects.LogLine = @(
        [pscustomobject]@{ PSTypeName = 'WindowsContainers.LogLine'; ContainerName = 'build-agent-0042'; Backend = 'docker'; Stream = 'stderr'; Timestamp = [datetime]'2026-01-02T03:04:05'; Text = $script:longReason }
        [pscustomobject]@{ PSTypeName = 'WindowsContainers.LogLine'; ContainerName = 'vm'; Backend = 'linux'; Stream = 'console'; Timestamp = $null; Text = 'hello' }
    )
    $script:objects.CommandResult = @(
        [pscustomobject]@{ PSTypeName = 'WindowsContainers.CommandResult'; ContainerName = 'build-agent-0042'; Backend = 'linux'; Command = @('sh', '-c', 'id'); ExitCode = 127; Output = ''; ErrorOutput = "sh: nosuch: not found`n"; Truncated = $false }
        [pscustomobject]@{ PSTypeName = 'WindowsContainers.CommandResult'; ContainerName = 'web'; Backend = 'docker'; Command = @('cat', '/etc/os-release'); ExitCode = 0; Output = "NAME=Busybox`nVERSION=1.36`n$script:longReason`n"; ErrorOutput = ''; Truncated = $false }
    )
    $script:objects.IsolationCompatibility = @(Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2019, contoso/app -HostEdition 'Windows Server 2022')

    # What each table shows: its headers, and per object the values that must be whole on its line.
    $script:tables = @{
        Container              = @{ Headers = 'Name', 'Isolation', 'State', 'Backend', 'HostPid', 'Image'; Keys = { @($_.Name, $_.Isolation, $_.State, $_.Backend, "$($_.HostProcessId)") } }
        ContainerImage         = @{ Headers = 'Name', 'Format', 'Layers', 'Size(MB)', 'ImportedAt', 'DefaultCommand'; Keys = { @($_.Name, $_.Format, "$($_.Layers)", '1,234.5') } }
        ContainerProcess       = @{ Headers = 'NPM(K)', 'PM(M)', 'WS(M)', 'CPU(s)', 'Id', 'SI', 'ProcessName', 'ContainerName'; Keys = { @($_.ProcessName, $_.ContainerName, "$($_.Id)", "$($_.SI)"; if ($null -eq $_.Id) { '1,234.50', '2.00' }) } }
        IsolationTestResult    = @{ Headers = 'Name', 'Expected', 'Observed', 'Passed', 'Reason'; Keys = { @($_.Name, $_.ExpectedIsolation, $_.ObservedIsolation, "$($_.Passed)") }; Long = { $_.Reason } }
        HostMatch              = @{ Headers = 'ContainerPid', 'ProcessName', 'HostPid', 'Matched', 'Outcome'; Keys = { @("$($_.ContainerProcessId)", $_.ContainerProcessName, "$($_.Matched)", $_.Outcome) } }
        WorkerProcess          = @{ Headers = 'Id', 'WorkerName', 'Alive', 'Tied', 'Reason'; Keys = { @("$($_.Id)", $_.WorkerName, "$($_.Alive)", "$($_.Tied)") }; Long = { $_.Reason } }
        LogLine                = @{ Headers = 'Container', 'Stream', 'Text'; Keys = { @($_.ContainerName, $_.Stream) } }
        CommandResult          = @{ Headers = 'Container', 'ExitCode', 'Output'; Keys = { @($_.ContainerName, "$($_.ExitCode)", ($_.Output + $_.ErrorOutput).Substring(0, 10)) } }
        BackendStatus          = @{ Headers = 'Name', 'Usable', 'Isolations', 'Reason'; Keys = { @($_.Name, "$($_.Usable)", ($_.Isolations -join ', ')) }; Long = { $_.Reason } }
        IsolationCompatibility = @{ Headers = 'Isolation', 'Allowed', 'ImageBuild', 'Image'; Keys = { @($_.Isolation, $(if ($null -eq $_.Allowed) { 'Unknown' } else { "$($_.Allowed)" }), $_.Image) }; Group = 'Host: Windows Server 2022 (20348)' }
    }
    # What each list view must show whole.
    $script:lists = @{
        ContainerHost          = { @($_.ComputerName, $_.OperatingSystem, 'hcs: Process, HyperV', 'docker: not usable') }
        BackendStatus          = { @($_.Name, "$($_.Reason)") }
        IsolationCompatibility = { @($_.Image, $_.Reason, $_.Suggestion) }
        IsolationTestResult    = { @($_.Name, $_.Reason) }
        HostMatch              = { @($_.Outcome, $_.Reason) }
        WorkerProcess          = { @($_.WorkerName, $_.Reason) }
        ContainerProcess       = { @($_.ContainerName, $_.ProcessName, $_.CommandLine) }
        Container              = { @($_.Name, $_.Image, ($_.Command -join ' ')) }
        LogLine                = { @($_.ContainerName, $_.Stream, $_.Text) }
        CommandResult          = { @($_.ContainerName, "$($_.ExitCode)", ($_.Command -join ' '), $_.Output.Trim(), $_.ErrorOutput.Trim()) }
    }

    function script:ConvertTo-Deserialized([object[]] $InputObject) {
        foreach ($o in $InputObject) { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 3)) }
    }

    # The rows of a rendered table: every line after a header's dashes, up to the next blank line.
    function script:Get-TableRow([string[]] $Lines) {
        $inRows = $false
        foreach ($line in $Lines) {
            if ($line -match '^[\s-]+$' -and $line -match '--') { $inRows = $true; continue }
            if ($inRows -and $line.Trim() -eq '') { $inRows = $false; continue }
            if ($inRows) { $line }
        }
    }

    # For assertions on hostile text: a failure message must carry no control character
    # either (Pester's NUnit report cannot hold one), so compare and show escaped forms.
    function script:ConvertTo-Escaped([string] $Text) { ConvertTo-Json -InputObject $Text -Compress }
    # The control characters a terminal acts on (C0 but TAB and LF, DEL, C1) in a text, as hex codes.
    function script:Get-ControlCode([string] $Text) { @([regex]::Matches($Text, '[\x00-\x08\x0B-\x1F\x7F-\x9F]') | ForEach-Object { '{0:X2}' -f [int]$_.Value[0] }) }

    # Text without whitespace: a list view wraps a long value onto indented lines, anywhere.
    function script:Get-Squeezed([string] $Text) { $Text -replace '\s', '' }
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'Table views at <Width> columns' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
    It 'Should fit <Type> in <Width> columns, one line per object, headers and key values whole (<Shape>)' -ForEach @(
        foreach ($type in 'Container', 'ContainerImage', 'ContainerProcess', 'IsolationTestResult', 'HostMatch', 'WorkerProcess', 'BackendStatus', 'IsolationCompatibility', 'LogLine', 'CommandResult') {
            @{ Type = $type; Shape = 'live' }
            @{ Type = $type; Shape = 'deserialized' }
        }
    ) {
        $items = @($script:objects[$Type])
        if ($Shape -eq 'deserialized') { $items = @(ConvertTo-Deserialized $items) }
        $items[0].PSTypeNames[0] | Should -BeLike "*WindowsContainers.$Type"
        $spec = $script:tables[$Type]
        $lines = @(($items | Format-Table | Out-String -Width $Width) -split '\r?\n')
        foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual $Width -Because "no line is wider than the console: '$line'" }
        $header = $lines | Where-Object { $_ -match "^\s*$([regex]::Escape($spec.Headers[0]))\s" } | Select-Object -First 1
        $header | Should -Not -BeNullOrEmpty -Because "the header starts with $($spec.Headers[0])"
        @($header.Trim() -split '\s+') | Should -Be $spec.Headers
        if ($spec.Group) { ($lines -join "`n") | Should -Match ([regex]::Escape($spec.Group)) }
        $rows = @(Get-TableRow $lines)
        $rows.Count | Should -Be $items.Count -Because 'each object is one line (nothing wraps)'
        for ($i = 0; $i -lt $items.Count; $i++) {
            foreach ($key in @($items[$i] | ForEach-Object $spec.Keys)) {
                if ("$key" -ne '') { $rows[$i] | Should -Match ([regex]::Escape("$key")) -Because "'$key' is a key value of row $i" }
            }
        }
    }

    It 'Should give the last column the rest of the line: more of a long reason at 120 than at 80 (<Type>)' -ForEach @(
        @{ Type = 'IsolationTestResult' }, @{ Type = 'WorkerProcess' }, @{ Type = 'BackendStatus' }
    ) {
        $item = @($script:objects[$Type] | Where-Object { (& $script:tables[$Type].Long) -eq $script:longReason })[0]
        $narrow = @(Get-TableRow (($item | Format-Table | Out-String -Width 80) -split '\r?\n'))[0]
        $wide = @(Get-TableRow (($item | Format-Table | Out-String -Width 120) -split '\r?\n'))[0]
        $wide.TrimEnd().Length | Should -BeGreaterThan ($narrow.TrimEnd().Length + 30)
        $wide | Should -Match ([regex]::Escape($script:longReason.Substring(0, 60)))
    }
}

Describe 'List views at <Width> columns' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
    It 'Should show <Type> whole in its list view (<Shape>)' -ForEach @(
        foreach ($type in 'ContainerHost', 'BackendStatus', 'IsolationCompatibility', 'IsolationTestResult', 'HostMatch', 'WorkerProcess', 'ContainerProcess', 'Container', 'LogLine', 'CommandResult') {
            @{ Type = $type; Shape = 'live' }
            @{ Type = $type; Shape = 'deserialized' }
        }
    ) {
        $items = @($script:objects[$Type])
        if ($Shape -eq 'deserialized') { $items = @(ConvertTo-Deserialized $items) }
        $text = $items | Format-List | Out-String -Width $Width
        foreach ($line in $text -split '\r?\n') { $line.TrimEnd().Length | Should -BeLessOrEqual $Width }
        $squeezed = Get-Squeezed $text
        foreach ($item in $items) {
            foreach ($value in @($item | ForEach-Object $script:lists[$Type])) {
                if ("$value" -ne '') { $squeezed | Should -BeLike "*$(Get-Squeezed ([WildcardPattern]::Escape("$value")))*" -Because "'$value' is whole in the list" }
            }
        }
    }

    It 'Should show the host''s usable backends on one line of the ContainerHost view' {
        $line = (($script:objects.ContainerHost | Out-String -Width $Width) -split '\r?\n') | Where-Object { $_ -match '^Backends\s*:' }
        $line | Should -Match 'hcs: Process, HyperV; docker: not usable; linux: not usable$'
    }
}

# What a container wrote is untrusted: a terminal acts on the control sequences
# in it. The objects keep the text exactly; the views show every control
# character as a visible stand-in, so nothing reaches the console that a
# terminal would act on (see the comment at the top of the Format.ps1xml).
Describe 'Container text in the views' {
    BeforeAll {
        $e = [char]0x1B; $bel = [char]0x07
        # OSC 52 (clipboard write), OSC 0 (window title), CSI 2J (clear screen), a CR that writes
        # over the line, NUL, backspace, DEL, the one-character CSI (C1 U+009B) and a right-to-left override.
        $script:hostile = "a${e}]52;c;SGVsbG8=${bel}b${e}]0;pwned${bel}c${e}[2Jd`rsafe`0e`bf`tg$([char]0x7F)h$([char]0x9B)31mi$([char]0x202E)j"
        $script:shown = "a$([char]0x241B)]52;c;SGVsbG8=$([char]0x2407)b$([char]0x241B)]0;pwned$([char]0x2407)c$([char]0x241B)[2Jd$([char]0x240D)safe$([char]0x2400)e$([char]0x2408)f`tg$([char]0x2421)h\u009B31mi\u202Ej"
        $script:textObjects = @{
            LogLine       = [pscustomobject]@{ PSTypeName = 'WindowsContainers.LogLine'; ContainerName = 'web'; Backend = 'linux'; Stream = 'stdout'; Timestamp = $null; Text = "$hostile`r" }
            CommandResult = [pscustomobject]@{ PSTypeName = 'WindowsContainers.CommandResult'; ContainerName = 'web'; Backend = 'linux'; Command = @('sh', '-c', 'x'); ExitCode = 0; Output = "$hostile`r`nsecond`r`n"; ErrorOutput = "err${e}[1;1H`n"; Truncated = $false }
        }
    }

    It 'Should show <Type> in <Format> (<Shape>) with no control character but TAB and LF, each one visible' -ForEach @(
        foreach ($type in 'LogLine', 'CommandResult') {
            foreach ($format in 'Format-Table', 'Format-List') {
                @{ Type = $type; Format = $format; Shape = 'live' }
                @{ Type = $type; Format = $format; Shape = 'deserialized' }
            }
        }
    ) {
        $item = $script:textObjects[$Type]
        if ($Shape -eq 'deserialized') { $item = ConvertTo-Deserialized $item }
        $text = $item | & $Format | Out-String -Width 200
        Get-ControlCode $text | Should -BeNullOrEmpty -Because 'no character a terminal acts on is shown'
        $text.Contains([char]0x202E) | Should -BeFalse -Because 'a right-to-left override is shown as \u202E'
        $text.Contains($shown) | Should -BeTrue -Because "each control character is shown where it was, TAB kept: $shown"
        # A CR that ends a line (CRLF, or at the end) is a line end, not a visible CR.
        $text | Should -Not -Match "j$([char]0x240D)"
    }

    It 'Should keep the lines of a command''s output apart in its list view, and join them with '' | '' in its table' {
        $list = $script:textObjects.CommandResult | Format-List | Out-String -Width 200
        Get-ControlCode $list | Should -BeNullOrEmpty
        ($list -match "(?m)^Output\s+: $([regex]::Escape($shown))\n\s+second\n") | Should -BeTrue -Because 'the second line of Output is on a line of its own'
        ($list -match "(?m)^ErrorOutput\s+: err$([char]0x241B)\[1;1H$") | Should -BeTrue -Because 'ErrorOutput is shown too'
        $table = $script:textObjects.CommandResult | Format-Table | Out-String -Width 200
        Get-ControlCode $table | Should -BeNullOrEmpty
        $table.Contains("$shown | second") | Should -BeTrue -Because 'the table joins the lines with | '
    }

    It 'Should leave the text in the object exactly as the container wrote it' {
        ConvertTo-Escaped $script:textObjects.LogLine.Text | Should -BeExactly (ConvertTo-Escaped "$hostile`r")
        $script:textObjects.LogLine.Text.Contains([char]0x1B) | Should -BeTrue
        ConvertTo-Escaped (ConvertTo-Deserialized $script:textObjects.CommandResult).Output | Should -BeExactly (ConvertTo-Escaped "$hostile`r`nsecond`r`n")
    }

    It 'Should show the text as the module''s own ConvertTo-VisibleControlText does (core messages go through that)' {
        $fromView = (($script:textObjects.LogLine | Format-List | Out-String -Width 400) -split '\r?\n' | Where-Object { $_ -match '^Text\s+: ' }) -replace '^Text\s+: '
        $fromHelper = InModuleScope WindowsContainers -Parameters @{ Text = $script:textObjects.LogLine.Text } { param($Text) ConvertTo-VisibleControlText $Text }
        ConvertTo-Escaped $fromHelper | Should -BeExactly (ConvertTo-Escaped $shown)
        ConvertTo-Escaped $fromView.TrimEnd() | Should -BeExactly (ConvertTo-Escaped $fromHelper)
    }

    It 'Should show nothing of the control sequences when PowerShell''s own PlainText rendering would have left them' {
        # The reason for the views: PlainText removes colours and links only.
        $saved = $PSStyle.OutputRendering
        try {
            $PSStyle.OutputRendering = 'PlainText'
            $plain = [pscustomobject]@{ Text = $script:hostile } | Format-Table | Out-String -Width 200
            $plain.Contains("$([char]0x1B)[2J") | Should -BeTrue -Because 'PowerShell leaves CSI 2J to the terminal'
            Get-ControlCode ($script:textObjects.LogLine | Format-Table | Out-String -Width 200) | Should -BeNullOrEmpty
        }
        finally {
            $PSStyle.OutputRendering = $saved
        }
    }
}

# A container names its own processes (comm, argv): Get-ContainerProcess and
# the verdict's evidence show those names, and reasons quote them.
Describe 'Process names and command lines from a container in the views' {
    BeforeAll {
        $e = [char]0x1B; $bel = [char]0x07
        $name = "x${e}]0;t${bel}"
        $commandLine = "sleep ${e}]52;c;SGVsbG8=${bel} ${e}[2J`rok"
        $script:commandLine = $commandLine
        $script:shownName = "x$([char]0x241B)]0;t$([char]0x2407)"
        $script:shownCommandLine = "sleep $([char]0x241B)]52;c;SGVsbG8=$([char]0x2407) $([char]0x241B)[2J$([char]0x240D)ok"
        $script:processObjects = InModuleScope WindowsContainers -Parameters @{ Name = $name; CommandLine = $commandLine } {
            param($Name, $CommandLine)
            $record = [pscustomobject]@{ containerName = 'web'; containerPid = 7; name = $Name; commandLine = $CommandLine; claimedHostPid = $null; hostPid = $null; visibleOnHost = $false; startTime = '2026-01-02T03:04:05.000Z'; workingSetBytes = 1MB; privateBytes = 1MB; pagedBytes = 0; nonPagedBytes = 0; cpuSeconds = 1; sessionId = 1 }
            $reason = "The container's process '$Name' (PID 7) is not on the host."
            $test = New-IsolationTestResultObject -Record ([pscustomobject]@{
                    name = 'web'; backend = 'linux'; configuredIsolation = 'HyperV'; expectedIsolation = 'HyperV'; observedIsolation = 'Inconclusive'; passed = $false
                    reason = $reason; reasons = @($reason); gaps = @(); snapshotTakenAt = '2026-01-02T03:04:05.000Z'; containerProcesses = @($record)
                    hostMatches = @([pscustomobject]@{ containerPid = 7; name = $Name; hostPid = $null; matched = $false; outcome = 'NotOnHost'; reason = $reason })
                    worker = [pscustomobject]@{ alive = $true; tied = $false; reason = "Worker '$Name' is running, but it is a look-alike."; hostProcess = [pscustomobject]@{ processName = $Name; workingSet = 1; pagedMemorySize = 0; nonpagedSystemMemorySize = 0; cpuSeconds = 1; sessionId = 1; startTime = '2026-01-02T03:04:05.000Z'; commandLine = $CommandLine }; claim = [pscustomobject]@{ pid = 4242; name = $Name; tieToken = 't' } }
                })
            @{
                ContainerProcess    = $record | New-ContainerProcessObject
                IsolationTestResult = $test
                HostMatch           = @($test.HostMatches)[0]
                WorkerProcess       = $test.WorkerProcess
            }
        }
    }

    It 'Should show <Type> in <Format> (<Shape>) with no control character, the process name visible' -ForEach @(
        foreach ($type in 'ContainerProcess', 'IsolationTestResult', 'HostMatch', 'WorkerProcess') {
            foreach ($format in 'Format-Table', 'Format-List') {
                @{ Type = $type; Format = $format; Shape = 'live' }
                @{ Type = $type; Format = $format; Shape = 'deserialized' }
            }
        }
    ) {
        $item = $script:processObjects[$Type]
        if ($Shape -eq 'deserialized') { $item = ConvertTo-Deserialized $item }
        $text = $item | & $Format | Out-String -Width 250
        Get-ControlCode $text | Should -BeNullOrEmpty -Because 'no character a terminal acts on is shown'
        $text.Contains($shownName) | Should -BeTrue -Because "the name is shown as $shownName"
    }

    It 'Should show a process''s command line whole and visible in the list views of <Type>' -ForEach @(@{ Type = 'ContainerProcess' }, @{ Type = 'WorkerProcess' }) {
        $text = $script:processObjects[$Type] | Format-List | Out-String -Width 250
        ($text -match "CommandLine\s+: $([regex]::Escape($shownCommandLine))") | Should -BeTrue -Because "the command line is shown as $shownCommandLine"
        ConvertTo-Escaped $script:processObjects[$Type].CommandLine | Should -BeExactly (ConvertTo-Escaped $commandLine) -Because 'the object keeps it exactly'
    }
}

# An image's config (Cmd, Env, WorkingDir) and tags come from the archive it was
# imported from; a container's command and image come from that config or its
# creator; the verdict's gaps come from the core's evidence. All untrusted.
Describe 'Image and container config text in the views' {
    BeforeAll {
        $e = [char]0x1B; $bel = [char]0x07
        $script:configText = "a${e}]52;c;cHduZWQ=${bel}b${e}]0;t${bel}c${e}[2Jd"
        $script:configShown = "a$([char]0x241B)]52;c;cHduZWQ=$([char]0x2407)b$([char]0x241B)]0;t$([char]0x2407)c$([char]0x241B)[2Jd"
        $script:configObjects = InModuleScope WindowsContainers -Parameters @{ T = $script:configText } {
            param($T)
            $result = New-IsolationTestResultObject -Record ([pscustomobject]@{
                    name = 'web'; backend = 'linux'; configuredIsolation = 'HyperV'; expectedIsolation = 'HyperV'; observedIsolation = 'Inconclusive'; passed = $false
                    reason = 'r'; reasons = @('r'); gaps = @("gap $T"); snapshotTakenAt = '2026-01-02T03:04:05.000Z'; containerProcesses = @(); hostMatches = @(); worker = $null
                })
            @{
                ContainerImage      = New-ContainerImageObject -Record ([pscustomobject]@{ name = "evil$T"; format = 'docker-archive'; layers = 1; sizeBytes = 1MB; files = 1; defaultCommand = @('sh', '-c', $T); workingDir = "/w$T"; env = @("A=$T", 'PATH=/bin'); importedAt = '2026-12-02T05:43:49.000Z'; source = "/tmp/$T.tar"; rootfs = 'r' })
                Container           = New-ContainerObject -Record ([pscustomobject]@{ name = 'x'; id = 'x'; backend = 'linux'; image = "img$T"; isolation = 'Process'; state = 'running'; command = @('sh', '-c', $T); createdAt = $null; startedAt = $null; exitCode = $null; hostPid = 1; utilityVmId = $null; managed = $true })
                ContainerState      = [pscustomobject]@{ PSTypeName = 'WindowsContainers.ContainerState'; Name = 'x'; Ensure = 'Present'; State = 'Running'; Isolation = 'Process'; Image = "img$T"; Command = @('sh', '-c', $T); Backend = 'linux'; Id = 'x'; CreatedAt = $null; DifferingProperties = @(); Actions = @(); WritableLayerLost = $false }
                IsolationTestResult = $result
            }
        }
    }

    It 'Should show <Type> through <Format> (<Shape>) with no control character, the config text visible' -ForEach @(
        foreach ($type in 'ContainerImage', 'Container', 'ContainerState', 'IsolationTestResult') {
            foreach ($format in 'Format-Table', 'Format-List', 'Out-String') {
                @{ Type = $type; Format = $format; Shape = 'live' }
                @{ Type = $type; Format = $format; Shape = 'deserialized' }
            }
        }
    ) {
        $item = $script:configObjects[$Type]
        if ($Shape -eq 'deserialized') { $item = ConvertTo-Deserialized $item }
        $text = if ($Format -eq 'Out-String') { $item | Out-String -Width 300 } else { $item | & $Format | Out-String -Width 300 }
        Get-ControlCode $text | Should -BeNullOrEmpty -Because 'no character a terminal acts on is shown'
        # The verdict's table shows the reason, not the gaps; its list view shows them.
        if ($Type -ne 'IsolationTestResult' -or $Format -eq 'Format-List') {
            $text.Contains($script:configShown) | Should -BeTrue -Because "the text is shown as $(ConvertTo-Escaped $script:configShown)"
        }
    }

    It 'Should show every config field of an image in its list view: <Field>' -ForEach @(
        @{ Field = 'Name'; Shown = { "evil$script:configShown" } }
        @{ Field = 'DefaultCommand'; Shown = { "sh -c $script:configShown" } }
        @{ Field = 'WorkingDirectory'; Shown = { "/w$script:configShown" } }
        @{ Field = 'Environment'; Shown = { "A=$script:configShown" } }
        @{ Field = 'Source'; Shown = { "/tmp/$script:configShown.tar" } }
    ) {
        $text = $script:configObjects.ContainerImage | Format-List | Out-String -Width 300
        ($text -match "(?m)^$Field\s+: $([regex]::Escape((& $Shown)))") | Should -BeTrue -Because "$Field is shown visibly"
        # One variable a line.
        ($text -match "(?m)^Environment\s+: .*\n\s+PATH=/bin") | Should -BeTrue
    }

    It 'Should leave the image''s config exactly as the archive had it' {
        ConvertTo-Escaped ($script:configObjects.ContainerImage.DefaultCommand[2]) | Should -BeExactly (ConvertTo-Escaped $script:configText)
        ConvertTo-Escaped ($script:configObjects.ContainerImage | Select-Object -ExpandProperty Environment)[0] | Should -BeExactly (ConvertTo-Escaped "A=$script:configText")
    }
}

# Out-Default formats the first object of a stream with its type's view; an
# object of another type later in that stream is listed out of band, by its
# DefaultDisplayPropertySet (Types.ps1xml), not by its view.
Describe 'Untrusted text of an object that is not the first in a stream' {
    BeforeAll {
        $e = [char]0x1B; $bel = [char]0x07
        $script:streamText = "A${e}]52;c;cHduZWQ=${bel}B${e}[2J"
        $script:streamShown = "A$([char]0x241B)]52;c;cHduZWQ=$([char]0x2407)B$([char]0x241B)[2J"
        $t = $script:streamText
        $script:streamObjects = InModuleScope WindowsContainers -Parameters @{ T = $t } {
            param($T)
            $record = [pscustomobject]@{ containerName = 'web'; containerPid = 7; name = "p$T"; commandLine = 'x'; claimedHostPid = $null; hostPid = $null; visibleOnHost = $false; startTime = '2026-01-02T03:04:05.000Z'; workingSetBytes = 1; privateBytes = 1; pagedBytes = 0; nonPagedBytes = 0; cpuSeconds = 1; sessionId = 1 }
            $test = New-IsolationTestResultObject -Record ([pscustomobject]@{
                    name = 'web'; backend = 'linux'; configuredIsolation = 'HyperV'; expectedIsolation = 'HyperV'; observedIsolation = 'Inconclusive'; passed = $false
                    reason = "r$T"; reasons = @("r$T"); gaps = @(); snapshotTakenAt = '2026-01-02T03:04:05.000Z'; containerProcesses = @($record)
                    hostMatches = @([pscustomobject]@{ containerPid = 7; name = "p$T"; hostPid = $null; matched = $false; outcome = 'NotOnHost'; reason = "r$T" })
                    worker = [pscustomobject]@{ alive = $true; tied = $false; reason = "r$T"; hostProcess = $null; claim = [pscustomobject]@{ pid = 4242; name = "p$T"; tieToken = 't' } }
                })
            @{
                Container           = New-ContainerObject -Record ([pscustomobject]@{ name = 'x'; id = 'x'; backend = 'linux'; image = "i$T"; isolation = 'Process'; state = 'running'; command = @('sh', '-c', $T); createdAt = $null; startedAt = $null; exitCode = $null; hostPid = 1; utilityVmId = $null; managed = $true })
                ContainerImage      = New-ContainerImageObject -Record ([pscustomobject]@{ name = "n$T"; format = 'docker-archive'; layers = 1; sizeBytes = 1; files = 1; defaultCommand = @($T); workingDir = $null; env = @(); importedAt = $null; source = 's'; rootfs = 'r' })
                ContainerProcess    = $record | New-ContainerProcessObject
                IsolationTestResult = $test
                HostMatch           = @($test.HostMatches)[0]
                WorkerProcess       = $test.WorkerProcess
                LogLine             = [pscustomobject]@{ PSTypeName = 'WindowsContainers.LogLine'; ContainerName = 'web'; Backend = 'linux'; Stream = 'stdout'; Timestamp = $null; Text = $T }
                CommandResult       = [pscustomobject]@{ PSTypeName = 'WindowsContainers.CommandResult'; ContainerName = 'web'; Backend = 'linux'; Command = @('sh'); ExitCode = 0; Output = "o$T"; ErrorOutput = "e$T"; Truncated = $false }
            }
        }
        # Something of another type first: a table (a BackendStatus) and a list (a ContainerHost).
        $script:firsts = @{
            Table = [pscustomobject]@{ PSTypeName = 'WindowsContainers.BackendStatus'; Name = 'linux'; Usable = $true; Isolations = @('Process'); Reason = $null; Details = $null }
            List  = $script:objects.ContainerHost[0]
        }
    }

    It 'Should show <Type> after a <First> of another type (<Shape>) with no control character, the text visible' -ForEach @(
        foreach ($type in 'Container', 'ContainerImage', 'ContainerProcess', 'IsolationTestResult', 'HostMatch', 'WorkerProcess', 'LogLine', 'CommandResult') {
            foreach ($first in 'Table', 'List') {
                @{ Type = $type; First = $first; Shape = 'live' }
                @{ Type = $type; First = $first; Shape = 'deserialized' }
            }
        }
    ) {
        $item = $script:streamObjects[$Type]
        if ($Shape -eq 'deserialized') { $item = ConvertTo-Deserialized $item }
        $text = & { $script:firsts[$First]; $item } | Out-String -Width 300
        Get-ControlCode $text | Should -BeNullOrEmpty -Because 'no character a terminal acts on is shown'
        $text.Contains($script:streamShown) | Should -BeTrue -Because "the text is shown as $(ConvertTo-Escaped $script:streamShown)"
    }

    It 'Should keep the raw text on the object for a pipeline' {
        ConvertTo-Escaped ($script:streamObjects.LogLine | Select-Object -ExpandProperty Text) | Should -BeExactly (ConvertTo-Escaped $script:streamText)
        ConvertTo-Escaped $script:streamObjects.CommandResult.Output | Should -BeExactly (ConvertTo-Escaped "o$script:streamText")
        ConvertTo-Escaped $script:streamObjects.ContainerProcess.ProcessName | Should -BeExactly (ConvertTo-Escaped "p$script:streamText")
    }

    It 'Should map the text in Types.ps1xml as ConvertTo-VisibleControlText does' {
        $hostile = "a$([char]0x1B)]0;t$([char]0x07)b`rc`0d$([char]0x7F)e$([char]0x9B)f$([char]0x202E)g`th`r"
        $item = [pscustomobject]@{ PSTypeName = 'WindowsContainers.LogLine'; ContainerName = 'web'; Backend = 'linux'; Stream = 'stdout'; Timestamp = $null; Text = $hostile }
        $fromHelper = InModuleScope WindowsContainers -Parameters @{ Text = $hostile } { param($Text) ConvertTo-VisibleControlText $Text }
        ConvertTo-Escaped $item.DisplayText | Should -BeExactly (ConvertTo-Escaped $fromHelper)
    }

    It 'Should use one and the same mapping in every script block of Format.ps1xml and Types.ps1xml' {
        $moduleDirectory = Join-Path $PSScriptRoot '..' '..' 'module'
        $copies = foreach ($file in 'WindowsContainers.Format.ps1xml', 'WindowsContainers.Types.ps1xml') {
            $text = [System.Net.WebUtility]::HtmlDecode((Get-Content -Raw -LiteralPath (Join-Path $moduleDirectory $file)))
            # From the character class to the end of the replacement script block.
            [regex]::Matches($text, "-replace '\\r\(\?=\\n\|\$\)'\) -replace '\[[^']*\]', \{ [^\r\n]*?\} \}\)") | ForEach-Object Value
        }
        @($copies).Count | Should -BeGreaterThan 30
        @($copies | Sort-Object -Unique).Count | Should -Be 1 -Because 'every copy is the same expression'
        $helper = Get-Content -Raw -LiteralPath (Join-Path $moduleDirectory 'Private' 'ConvertTo-VisibleControlText.ps1')
        $helper | Should -Match ([regex]::Escape("-replace '[\x00-\x08\x0B-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]'"))
        @($copies)[0] | Should -Match ([regex]::Escape("-replace '[\x00-\x08\x0B-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]'"))
    }
}
