# The desired-state front ends on real containers of the linux backend, in a
# private state directory:
# - the DSC v3 command resource: the manifest is read and each operation is
#   run exactly as it declares it (its executable found on PATH, as DSC finds
#   it, with its args; the instance as one line of JSON on stdin when it says
#   input: stdin); stdout must validate against the manifest's embedded
#   instance schema, stderr must be JSON lines, the exit code one the manifest
#   documents. dsc itself is not installable here.
# - the class-based resource IsolatedContainer: an instance is made and its
#   Get/Test/Set called directly, which is what Invoke-DscResource does for a
#   class resource (PSDesiredStateConfiguration is not installable here).
# get and test must not change anything: the core's container list is
# compared before and after.
BeforeDiscovery {
    $script:canRun = $IsLinux -and ((id -u) -eq '0') -and [bool](Get-Command runc -ErrorAction Ignore)
}

Describe 'Desired state of containers (DSC v3 manifest and class resource)' -Tag E2E -Skip:(-not $canRun) {
    BeforeAll {
        $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
        $script:bundle = Join-Path $repo 'dist' 'windowscontainers-core.cjs'
        $script:manifestPath = Join-Path $repo 'WindowsContainers.IsolatedContainer.dsc.resource.json'
        if (-not (Test-Path $manifestPath)) { throw "The DSC manifest is missing ($manifestPath). Run: npm run build" }
        $script:manifest = Get-Content -Raw -LiteralPath $manifestPath | ConvertFrom-Json -AsHashtable
        $script:instanceSchema = $manifest.schema.embedded | ConvertTo-Json -Depth 32
        $busyboxTar = Join-Path $repo '.tools' 'images' 'busybox-rootfs.tar'
        if (-not (Test-Path $busyboxTar)) { throw "The busybox rootfs tarball is missing ($busyboxTar). Run: bash build/setup.sh" }

        $script:savedState = $env:WINDOWSCONTAINERS_STATE_DIR
        $script:savedPath = $env:PATH
        $script:state = Join-Path ([System.IO.Path]::GetTempPath()) "wc-dsc-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Path $state
        $env:WINDOWSCONTAINERS_STATE_DIR = $state
        # DSC finds manifests on PATH, and the executable a manifest names the same way: the module's folder on PATH.
        $env:PATH = "$repo$([System.IO.Path]::PathSeparator)$env:PATH"
        & node $bundle image.import --json (@{ path = $busyboxTar; name = 'busybox' } | ConvertTo-Json -Compress) *> $null
        if ($LASTEXITCODE -ne 0) { throw 'Could not import the busybox image.' }

        # One manifest operation, run exactly as the manifest declares it.
        function script:Invoke-ManifestOperation {
            param([string] $Operation, [System.Collections.IDictionary] $Instance, [string] $RawInput)
            $declared = $manifest[$Operation]
            $declared | Should -Not -BeNullOrEmpty -Because "the manifest declares $Operation"
            $executable = (Get-Command $declared.executable -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
            $info = [System.Diagnostics.ProcessStartInfo]::new($executable)
            foreach ($argument in @($declared.args)) {
                $argument | Should -BeOfType [string]
                $info.ArgumentList.Add($argument)
            }
            $info.RedirectStandardInput = $true
            $info.RedirectStandardOutput = $true
            $info.RedirectStandardError = $true
            $info.UseShellExecute = $false
            $process = [System.Diagnostics.Process]::Start($info)
            try {
                $stdout = $process.StandardOutput.ReadToEndAsync()
                $stderr = $process.StandardError.ReadToEndAsync()
                if ($declared['input'] -eq 'stdin') {
                    $text = if ($PSBoundParameters.ContainsKey('RawInput')) { $RawInput } else { $Instance | ConvertTo-Json -Compress -Depth 10 }
                    $process.StandardInput.Write($text)
                }
                $process.StandardInput.Close()
                if (-not $process.WaitForExit(600000)) { throw "$Operation did not finish within 10 minutes" }
                $process.WaitForExit()
                $result = [pscustomobject]@{
                    ExitCode = $process.ExitCode
                    Lines    = @($stdout.Result -split "`n" | Where-Object { $_ })
                    Messages = @($stderr.Result -split "`n" | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json -AsHashtable })
                }
            }
            finally { $process.Dispose() }
            $manifest.exitCodes.Keys | Should -Contain ([string]$result.ExitCode) -Because 'every exit code is documented in the manifest'
            foreach ($line in $result.Lines) {
                $problems = $null
                Test-Json -Json $line -Schema $instanceSchema -ErrorAction SilentlyContinue -ErrorVariable problems |
                    Should -BeTrue -Because "$Operation's output must match the embedded schema ($line; $(@($problems | ForEach-Object { $_.Exception.Message }) -join '; '))"
            }
            foreach ($message in $result.Messages) {
                @($message.Keys) | Should -HaveCount 1
                @($message.Keys)[0] | Should -BeIn @('error', 'warn', 'info', 'debug', 'trace')
            }
            $result
        }

        # What exists, as the core sees it: compared before and after get and test.
        function script:Get-World {
            & node $bundle container.list --json '{"names":["*"],"all":true}' 2>$null | ConvertFrom-Json | ForEach-Object { $_.body.containers | ConvertTo-Json -Depth 10 -Compress }
        }

        function script:Get-Container([string] $Name) {
            $answer = & node $bundle container.get --json (@{ name = $Name } | ConvertTo-Json -Compress) 2>$null | ConvertFrom-Json
            if ($answer.success) { $answer.body }
        }

        $script:v3 = "dscv3-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        $script:cls = "dsccls-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
    }

    AfterAll {
        foreach ($name in @($script:v3, $script:cls)) {
            & node $bundle container.remove --json (@{ name = $name; force = $true } | ConvertTo-Json -Compress) *> $null
        }
        Remove-Module WindowsContainers -Force -ErrorAction Ignore
        $env:PATH = $script:savedPath
        $env:WINDOWSCONTAINERS_STATE_DIR = $script:savedState
        if ($script:state -and (Test-Path $script:state)) { Remove-Item -Recurse -Force -LiteralPath $script:state }
    }

    Context 'The DSC v3 manifest' {
        It 'Should declare every operation with stdin input, the package version and an embedded schema with _exist and _inDesiredState' {
            $manifest['$schema'] | Should -BeLike 'https://aka.ms/dsc/schemas/v3/*'
            $manifest.type | Should -Be 'WindowsContainers/IsolatedContainer'
            $manifest.version | Should -Be (Get-Content -Raw (Join-Path $repo 'package.json') | ConvertFrom-Json).version
            foreach ($operation in 'get', 'set', 'test', 'delete') { $manifest[$operation].input | Should -Be 'stdin' }
            $manifest.export.executable | Should -Be $manifest.get.executable
            $manifest.set.handlesExist | Should -BeTrue
            $manifest.test.return | Should -Be 'state'
            $manifest.exitCodes.Keys | Should -Contain '0'
            $manifest.exitCodes.Keys | Should -Contain '2'
            $schema = $manifest.schema.embedded
            $schema.required | Should -Be @('name')
            $schema.additionalProperties | Should -BeFalse
            $schema.properties._exist.type | Should -Be 'boolean'
            $schema.properties._inDesiredState.readOnly | Should -BeTrue
        }

        It 'Should get and test an absent container without creating it' {
            $before = Get-World
            $got = Invoke-ManifestOperation get @{ name = $v3; image = 'busybox'; backend = 'linux' }
            $got.ExitCode | Should -Be 0
            $got.Lines | Should -HaveCount 1
            $state = $got.Lines[0] | ConvertFrom-Json
            $state._exist | Should -BeFalse
            $state._inDesiredState | Should -BeNullOrEmpty
            $tested = Invoke-ManifestOperation test @{ name = $v3; image = 'busybox'; backend = 'linux' }
            ($tested.Lines[0] | ConvertFrom-Json)._inDesiredState | Should -BeFalse
            ($tested.Lines[0] | ConvertFrom-Json).differingProperties | Should -Be @('_exist')
            Get-World | Should -Be $before
        }

        It 'Should create with set, report it in the desired state, and change nothing on a second set' {
            $desired = @{ name = $v3; image = 'busybox'; command = @('sleep', '600'); backend = 'linux'; isolation = 'Process'; state = 'running' }
            $set = Invoke-ManifestOperation set $desired
            $set.ExitCode | Should -Be 0
            $created = $set.Lines[0] | ConvertFrom-Json
            $created.actions | Should -Be @('created')
            $created.state | Should -Be 'running'
            $created._inDesiredState | Should -BeNullOrEmpty
            (Get-Container $v3).state | Should -Be 'running'
            ((Invoke-ManifestOperation test $desired).Lines[0] | ConvertFrom-Json)._inDesiredState | Should -BeTrue
            $again = (Invoke-ManifestOperation set $desired).Lines[0] | ConvertFrom-Json
            @($again.actions) | Should -HaveCount 0
            $again.id | Should -Be $created.id
            $again.createdAt | Should -Be $created.createdAt
        }

        It 'Should refuse an unreachable desired state with the pre-flight reason and change nothing' {
            $before = Get-Container $v3
            $incompatible = Invoke-ManifestOperation set @{ name = $v3; image = 'mcr.microsoft.com/windows/servercore:ltsc2022'; isolation = 'Process'; backend = 'linux' }
            $incompatible.ExitCode | Should -Be 2
            $incompatible.Lines | Should -HaveCount 0
            $incompatible.Messages[-1].error | Should -Match 'ltsc2022'
            $noCreate = Invoke-ManifestOperation set @{ name = $v3; image = 'busybox'; backend = 'hcs' }
            $noCreate.ExitCode | Should -Be 2
            $noCreate.Messages[-1].error | Should -Match 'does not create'
            $missing = Invoke-ManifestOperation set @{ name = $v3; image = 'no-such-image'; backend = 'linux' }
            $missing.ExitCode | Should -Be 3
            $after = Get-Container $v3
            $after.id | Should -Be $before.id
            $after.createdAt | Should -Be $before.createdAt
            $after.state | Should -Be 'running'
        }

        It 'Should reject a malformed document with the schema message and the documented exit code' {
            $misspelt = Invoke-ManifestOperation set -RawInput (@{ name = $v3; imgae = 'busybox' } | ConvertTo-Json -Compress)
            $misspelt.ExitCode | Should -Be 2
            $misspelt.Lines | Should -HaveCount 0
            $misspelt.Messages[-1].error | Should -Match 'not a valid WindowsContainers/IsolatedContainer instance[\s\S]*imgae'
            $manifest.exitCodes['2'] | Should -Match 'not a valid instance'
            # The embedded schema refuses it too: the same rule, generated from the same zod schema.
            Test-Json -Json '{"name":"x","imgae":"busybox"}' -Schema $instanceSchema -ErrorAction SilentlyContinue | Should -BeFalse
            $notJson = Invoke-ManifestOperation test -RawInput '{"name":'
            $notJson.ExitCode | Should -Be 2
            $notJson.Messages[-1].error | Should -Match 'not valid JSON'
        }

        It 'Should converge a stopped container back to running' {
            $before = Get-Container $v3
            & runc --root (Join-Path $state 'runc') kill $v3 KILL 2>$null
            if ($LASTEXITCODE -ne 0) { & node $bundle container.stop --json (@{ name = $v3; timeoutSeconds = 0 } | ConvertTo-Json -Compress) *> $null }
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while ((Get-Container $v3).state -eq 'running' -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            (Get-Container $v3).state | Should -Not -Be 'running'
            $desired = @{ name = $v3; image = 'busybox'; command = @('sleep', '600'); backend = 'linux'; state = 'running' }
            $tested = (Invoke-ManifestOperation test $desired).Lines[0] | ConvertFrom-Json
            $tested._inDesiredState | Should -BeFalse
            $tested.differingProperties | Should -Be @('state')
            $set = (Invoke-ManifestOperation set $desired).Lines[0] | ConvertFrom-Json
            $set.state | Should -Be 'running'
            # The linux backend starts a stopped container again (Backend.start): same container, writable layer kept.
            $set.actions | Should -Be @('started')
            $set.id | Should -Be $before.id
            $set.writableLayerLost | Should -Not -BeTrue
            (Get-Container $v3).state | Should -Be 'running'
        }

        It 'Should recreate a container whose isolation differs, and say the writable layer is lost' {
            $desired = @{ name = $v3; image = 'busybox'; command = @('sleep', '600'); backend = 'linux'; isolation = 'HyperV' }
            $set = Invoke-ManifestOperation set $desired
            $set.ExitCode | Should -Be 0
            $state = $set.Lines[0] | ConvertFrom-Json
            $state.actions | Should -Be @('recreated')
            $state.differingProperties | Should -Be @('isolation')
            $state.writableLayerLost | Should -BeTrue
            $state.isolation | Should -Be 'HyperV'
            @($set.Messages | Where-Object { $_['warn'] -match 'lost' }) | Should -Not -BeNullOrEmpty
            (Get-Container $v3).isolation | Should -Be 'HyperV'
        }

        It 'Should export the managed containers as instances, one JSON line each' {
            $exported = Invoke-ManifestOperation export
            $exported.ExitCode | Should -Be 0
            @($exported.Lines | ForEach-Object { ($_ | ConvertFrom-Json).name }) | Should -Contain $v3
        }

        It 'Should delete the container and print nothing' {
            $deleted = Invoke-ManifestOperation delete @{ name = $v3 }
            $deleted.ExitCode | Should -Be 0
            $deleted.Lines | Should -HaveCount 0
            Get-Container $v3 | Should -BeNullOrEmpty
            ((Invoke-ManifestOperation get @{ name = $v3 }).Lines[0] | ConvertFrom-Json)._exist | Should -BeFalse
        }
    }

    Context 'The class resource IsolatedContainer (Get/Test/Set as Invoke-DscResource calls them)' {
        BeforeAll {
            $module = Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force -PassThru
            # What `using module` gives a script: the class from the module's own scope.
            $script:resourceType = & $module { [IsolatedContainer] }
            function script:New-Resource([hashtable] $Property) {
                $resource = $resourceType::new()
                foreach ($key in $Property.Keys) { $resource.$key = $Property[$key] }
                $resource
            }
        }

        It 'Should be exported as a DSC resource' {
            (Get-Module WindowsContainers).ExportedDscResources | Should -Contain 'IsolatedContainer'
            (Import-PowerShellDataFile (Join-Path $repo 'WindowsContainers.psd1')).DscResourcesToExport | Should -Be @('IsolatedContainer')
        }

        It 'Should converge from absent, be idempotent, converge from stopped and from the wrong isolation' {
            $desired = @{ Name = $cls; Image = 'busybox'; Command = @('sleep', '600'); Backend = 'linux'; Isolation = 'Process'; Ensure = 'Present'; State = 'Running' }
            $resource = New-Resource $desired

            # Absent: Get and Test change nothing.
            $world = Get-World
            $got = $resource.Get()
            $got.Ensure | Should -Be 'Absent'
            $got.DifferingProperties | Should -Be @('Ensure')
            $resource.Test() | Should -BeFalse
            Get-World | Should -Be $world

            $resource.Set()
            $resource.Test() | Should -BeTrue
            $first = $resource.Get()
            $first.Ensure | Should -Be 'Present'
            $first.State | Should -Be 'Running'
            $first.Isolation | Should -Be 'Process'
            $first.Id | Should -Not -BeNullOrEmpty

            # Idempotence: a second Set changes nothing (same id, same creation time).
            $resource.Set()
            $second = $resource.Get()
            $second.Id | Should -Be $first.Id
            $second.CreatedAt | Should -Be $first.CreatedAt

            # Stopped: Test says so, Get and Test change nothing, Set brings it back.
            Stop-IsolatedContainer -Name $cls -TimeoutSeconds 0 -ErrorAction Stop
            $world = Get-World
            $resource.Test() | Should -BeFalse
            $resource.Get().DifferingProperties | Should -Be @('State')
            Get-World | Should -Be $world
            $resource.Set()
            $resource.Test() | Should -BeTrue
            (Get-IsolatedContainer -Name $cls).State | Should -Be 'running'

            # Wrong isolation: recreated with the desired one, and said so.
            $wrong = $desired.Clone()
            $wrong.Isolation = 'HyperV'
            $hyperV = New-Resource $wrong
            $hyperV.Test() | Should -BeFalse
            $hyperV.Get().DifferingProperties | Should -Be @('Isolation')
            $hyperV.Set()
            $hyperV.Test() | Should -BeTrue
            $recreated = $hyperV.Get()
            $recreated.Isolation | Should -Be 'HyperV'
            $recreated.CreatedAt | Should -Not -Be $second.CreatedAt
            $hyperV.Set()
            $hyperV.Get().CreatedAt | Should -Be $recreated.CreatedAt

            # Absent again.
            $gone = New-Resource @{ Name = $cls; Ensure = 'Absent' }
            $gone.Test() | Should -BeFalse
            $gone.Set()
            $gone.Test() | Should -BeTrue
            Get-IsolatedContainer -Name $cls -ErrorAction Ignore | Should -BeNullOrEmpty
        }

        It 'Should fail Set with the pre-flight reason and change nothing when the desired state cannot be reached' {
            $world = Get-World
            $resource = New-Resource @{ Name = $cls; Image = 'mcr.microsoft.com/windows/servercore:ltsc2022'; Isolation = 'Process'; Backend = 'linux' }
            { $resource.Set() } | Should -Throw -ExpectedMessage '*ltsc2022*'
            Get-World | Should -Be $world
        }
    }

    Context 'Set-IsolatedContainerState and Test-IsolatedContainerState (run-books)' {
        BeforeAll {
            Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
            $script:book = "dscbook-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        }

        AfterAll {
            & node $bundle container.remove --json (@{ name = $script:book; force = $true } | ConvertTo-Json -Compress) *> $null
        }

        It 'Should change nothing with -WhatIf, converge once, and do nothing the second time' {
            Test-IsolatedContainerState -Name $book -Image busybox | Should -BeFalse
            (Test-IsolatedContainerState -Name $book -Image busybox -Detailed).DifferingProperties | Should -Be @('Ensure')
            $world = Get-World
            Set-IsolatedContainerState -Name $book -Image busybox -Command sleep, 600 -Backend linux -WhatIf
            Get-World | Should -Be $world
            $first = Set-IsolatedContainerState -Name $book -Image busybox -Command sleep, 600 -Backend linux -PassThru -ErrorAction Stop
            $first.PSTypeNames[0] | Should -Be 'WindowsContainers.ContainerState'
            $first.Actions | Should -Be @('created')
            Test-IsolatedContainerState -Name $book -Image busybox -Command sleep, 600 | Should -BeTrue
            $second = Set-IsolatedContainerState -Name $book -Image busybox -Command sleep, 600 -Backend linux -PassThru -ErrorAction Stop
            @($second.Actions) | Should -HaveCount 0
            $second.Id | Should -Be $first.Id
            $second.CreatedAt | Should -Be $first.CreatedAt
        }

        It 'Should fail with the pre-flight ErrorId and change nothing when the desired state cannot be reached' {
            $before = Get-Container $book
            { Set-IsolatedContainerState -Name $book -Image mcr.microsoft.com/windows/servercore:ltsc2022 -Isolation Process -ErrorAction Stop } |
                Should -Throw -ErrorId 'ImageIncompatibleWithHost,Set-IsolatedContainerState'
            (Get-Container $book).createdAt | Should -Be $before.createdAt
        }

        It 'Should remove it with -Ensure Absent and warn when it recreates' {
            $warnings = $null
            $recreated = Set-IsolatedContainerState -Name $book -Image busybox -Command sleep, 601 -PassThru -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
            $recreated.Actions | Should -Be @('recreated')
            $recreated.WritableLayerLost | Should -BeTrue
            "$warnings" | Should -Match 'writable layer|is lost'
            Set-IsolatedContainerState -Name $book -Ensure Absent -ErrorAction Stop
            Test-IsolatedContainerState -Name $book -Ensure Absent | Should -BeTrue
        }
    }
}
