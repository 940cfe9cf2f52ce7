# The contract between core and module: every command's REAL response body,
# from the built core, validates against the JSON Schema that `npm run build`
# wrote beside the bundle (dist/schemas/<command>.response.json, generated
# from the core's zod response schemas). A command the core serves without a
# schema, or without a case here, fails the run.
BeforeDiscovery {
    $script:canRun = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore) -and [bool](Get-Command cc -ErrorAction Ignore)
}

Describe 'The response contract of every core command' -Tag E2E -Skip:(-not $canRun) {
    BeforeAll {
        $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
        $script:bundle = Join-Path $repo 'dist' 'windowscontainers-core.cjs'
        $script:schemas = Join-Path $repo 'dist' 'schemas'
        if (-not (Test-Path (Join-Path $schemas 'core.ping.response.json'))) { throw "The response schemas are missing ($schemas). Run: npm run build" }
        $script:busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
        if (-not (Test-Path $busyboxTar)) { throw "The busybox rootfs tarball is missing ($busyboxTar). Run: bash build/setup.sh" }
        $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
        $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-contract-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Path $state
        $env:WINDOWSCONTAINERS_STATE_DIR = $state
        $script:container = "contract-$([guid]::NewGuid().ToString('n').Substring(0, 8))"

        # One command through the one-shot CLI: the same dispatcher and handlers the module's server runs.
        # Returns the raw JSON text of the body, exactly as the core wrote it.
        function script:Invoke-CoreRaw {
            param([string] $Command, [hashtable] $Arguments = @{}, [switch] $HcsStandin)
            $json = $Arguments | ConvertTo-Json -Depth 10 -Compress
            $out = if ($HcsStandin) {
                & node (Join-Path $PSScriptRoot 'helpers' 'hcs-standin-core.mjs') $bundle $Command $json 2>$null
            }
            else {
                & node $bundle $Command --json $json 2>$null
            }
            $document = [System.Text.Json.JsonDocument]::Parse(($out -join "`n"))
            try {
                $root = $document.RootElement
                if (-not $root.GetProperty('success').GetBoolean()) { throw "$Command failed: $($root.GetProperty('error').GetRawText())" }
                $root.GetProperty('body').GetRawText()
            }
            finally { $document.Dispose() }
        }

        function script:Assert-Contract {
            param([string] $Command, [string] $Body)
            $schemaFile = Join-Path $schemas "$Command.response.json"
            $problems = $null
            $valid = Test-Json -Json $Body -SchemaFile $schemaFile -ErrorAction SilentlyContinue -ErrorVariable problems
            $valid | Should -BeTrue -Because "the $Command body must match $schemaFile ($(@($problems | ForEach-Object { $_.Exception.Message }) -join '; '))"
            $script:covered.Add($Command) | Out-Null
        }
        $script:covered = [System.Collections.Generic.HashSet[string]]::new()
    }

    AfterAll {
        if ($script:container) { & node $bundle container.remove --json (@{ name = $script:container; force = $true } | ConvertTo-Json -Compress) *> $null }
        $env:WINDOWSCONTAINERS_STATE_DIR = $script:savedState
        if ($script:state -and (Test-Path $script:state)) { Remove-Item -Recurse -Force -LiteralPath $script:state }
    }

    It 'Should publish a schema for every command the core serves, and nothing else' {
        $commands = @(& node $bundle --list | Where-Object { $_ } | Sort-Object)
        $files = @(Get-ChildItem -Path $schemas -Filter '*.response.json' | ForEach-Object { $_.Name -replace '\.response\.json$' } | Sort-Object)
        $files | Should -Be $commands
    }

    It 'Should refuse a body that breaks the contract (the check can fail)' {
        $body = Invoke-CoreRaw core.ping @{ echo = 'x' }
        $broken = $body -replace '"pid":', '"pid":"not a number","was":'
        Test-Json -Json $broken -SchemaFile (Join-Path $schemas 'core.ping.response.json') -ErrorAction SilentlyContinue | Should -BeFalse
        Test-Json -Json ($body -replace '\}$', ',"extra":1}') -SchemaFile (Join-Path $schemas 'core.ping.response.json') -ErrorAction SilentlyContinue | Should -BeFalse
    }

    It 'Should answer <Command> within its contract' -ForEach @(
        @{ Command = 'core.ping'; Arguments = @{ echo = 'contract' } }
        @{ Command = 'core.sleep'; Arguments = @{ milliseconds = 1 } }
        @{ Command = 'host.info'; Arguments = @{} }
        @{ Command = 'host.processes'; Arguments = @{ pids = @($PID, 1) } }
        @{ Command = 'isolation.compatibility'; Arguments = @{ images = @(@{ reference = 'mcr.microsoft.com/windows/servercore:ltsc2022' }, @{ reference = 'busybox' }, @{ reference = 'UPPER CASE' }); host = @{ build = '10.0.20348.2527' } } }
        @{ Command = 'isolation.compatibility'; Arguments = @{ images = @(@{ reference = 'busybox' }); host = @{ edition = 'Windows Server 2025' } } }
    ) {
        Assert-Contract $Command (Invoke-CoreRaw $Command $Arguments)
    }

    It 'Should answer hcs.systems within its contract (HCS served by the stand-in with a recorded enumeration)' {
        $body = Invoke-CoreRaw hcs.systems @{} -HcsStandin
        ($body | ConvertFrom-Json).systems.Count | Should -BeGreaterThan 0
        Assert-Contract hcs.systems $body
    }

    It 'Should answer the image and container commands within their contracts, on a real runc container' {
        Assert-Contract image.import (Invoke-CoreRaw image.import @{ path = $busyboxTar; name = 'contract-busybox' })
        Assert-Contract image.list (Invoke-CoreRaw image.list @{ names = @('contract-*', 'no-such-image') })
        Assert-Contract container.create (Invoke-CoreRaw container.create @{ name = $container; image = 'contract-busybox'; command = @('sleep', '300'); backend = 'linux' })
        Assert-Contract container.list (Invoke-CoreRaw container.list @{ names = @($container, 'no-such-container') })
        Assert-Contract container.get (Invoke-CoreRaw container.get @{ name = $container })
        $processes = Invoke-CoreRaw container.processes @{ name = $container }
        ($processes | ConvertFrom-Json).processes.Count | Should -BeGreaterThan 0
        Assert-Contract container.processes $processes
        $tested = Invoke-CoreRaw isolation.test @{ names = @($container, 'no-such-container', 'bad name') }
        @(($tested | ConvertFrom-Json).results | Where-Object { $null -ne $_.error }).Count | Should -Be 2
        # The verdict names the rule that decided it, and where the container's own list came from (its procfs).
        $judged = ($tested | ConvertFrom-Json).results | Where-Object { $null -eq $_.error }
        $judged.decidedBy | Should -Be 'host-match'
        $judged.containerView.source | Should -Be 'container-procfs'
        $judged.containerView.independent | Should -BeTrue
        Assert-Contract isolation.test $tested
        $exec = Invoke-CoreRaw container.exec @{ name = $container; command = @('sh', '-c', 'echo out; echo err >&2; exit 3') }
        ($exec | ConvertFrom-Json).exitCode | Should -Be 3
        Assert-Contract container.exec $exec
        Assert-Contract container.stop (Invoke-CoreRaw container.stop @{ name = $container; timeoutSeconds = 1 })
        Assert-Contract container.start (Invoke-CoreRaw container.start @{ name = $container })
        Assert-Contract container.logs (Invoke-CoreRaw container.logs @{ name = $container; tail = 10 })
        $desired = @{ name = $container; image = 'contract-busybox'; command = @('sleep', '300'); backend = 'linux' }
        Assert-Contract container.converge (Invoke-CoreRaw container.converge @{ mode = 'get'; desired = $desired })
        Assert-Contract container.converge (Invoke-CoreRaw container.converge @{ mode = 'test'; desired = $desired + @{ state = 'stopped' } })
        Assert-Contract container.converge (Invoke-CoreRaw container.converge @{ mode = 'set'; desired = $desired })
        $exported = Invoke-CoreRaw container.export @{}
        @(($exported | ConvertFrom-Json).instances.name) | Should -Contain $container
        Assert-Contract container.export $exported
        Assert-Contract container.stop (Invoke-CoreRaw container.stop @{ name = $container; timeoutSeconds = 1 })
        Assert-Contract container.remove (Invoke-CoreRaw container.remove @{ name = $container })
        $script:container = $null
        Assert-Contract image.remove (Invoke-CoreRaw image.remove @{ name = 'contract-busybox' })
    }

    It 'Should have checked every command' {
        $commands = @(& node $bundle --list | Where-Object { $_ })
        @($commands | Where-Object { -not $script:covered.Contains($_) }) | Should -BeNullOrEmpty
    }
}
