# What an installed module needs first: a Node.js to run its core. The lookup
# ($env:WINDOWSCONTAINERS_NODE, then node on PATH) and its two errors, each one
# message that says how to fix it, with a stable id.
BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
    $script:realNode = (Get-Command node -CommandType Application | Select-Object -First 1).Source

    function script:New-FakeNode([string] $Name, [string] $Answer) {
        # A program that answers --version like some node (or not at all like one).
        $path = Join-Path $TestDrive $Name
        Set-Content -LiteralPath $path -Value "#!/bin/sh`necho '$Answer'" -NoNewline:$false
        if ($IsLinux -or $IsMacOS) { & chmod 755 $path }
        $path
    }
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'Get-NodeRuntime' -Tag 'Linux' {
    BeforeEach {
        $script:savedNode = $env:WINDOWSCONTAINERS_NODE
        $script:savedPath = $env:PATH
        InModuleScope WindowsContainers { Stop-CoreServer; Remove-Variable -Name NodeRuntimeCache -Scope Script -ErrorAction Ignore }
    }
    AfterEach {
        $env:WINDOWSCONTAINERS_NODE = $savedNode
        $env:PATH = $savedPath
        InModuleScope WindowsContainers { Stop-CoreServer; Remove-Variable -Name NodeRuntimeCache -Scope Script -ErrorAction Ignore }
    }

    It 'Should keep its answer under the caller''s -WhatIf (the cache write is the module''s own, not the command''s action)' {
        InModuleScope WindowsContainers {
            $WhatIfPreference = $true
            $null = Get-NodeRuntime
            (Get-Variable -Name NodeRuntimeCache -Scope Script -ValueOnly -ErrorAction Ignore) | Should -Not -BeNullOrEmpty
        }
    }

    Context 'When WINDOWSCONTAINERS_NODE names a node' {
        It 'Should use it, with its version' {
            $env:WINDOWSCONTAINERS_NODE = $realNode
            $env:PATH = Join-Path $TestDrive 'empty'
            $runtime = InModuleScope WindowsContainers { Get-NodeRuntime }
            $runtime.Path | Should -Be $realNode
            $runtime.Version | Should -BeGreaterOrEqual ([version]'20.11')
        }
    }

    Context 'When node comes from PATH' {
        It 'Should find it there when the variable is not set' {
            $env:WINDOWSCONTAINERS_NODE = $null
            $env:PATH = Split-Path $realNode
            (InModuleScope WindowsContainers { Get-NodeRuntime }).Path | Should -Be $realNode
        }

        It 'Should start a core with it' {
            $env:WINDOWSCONTAINERS_NODE = $null
            (Get-ContainerHost).CoreVersion | Should -Not -BeNullOrEmpty
        }
    }

    Context 'When there is no node at all' {
        It 'Should throw NodeNotFound from a public command, saying how to fix it in the message itself' {
            $env:WINDOWSCONTAINERS_NODE = $null
            $env:PATH = Join-Path $TestDrive 'empty'
            $record = $null
            try { Get-ContainerHost } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'NodeNotFound*'
            $record.CategoryInfo.Category | Should -Be 'NotInstalled'
            $record.Exception.Message | Should -BeLike '*no node on PATH*'
            $record.Exception.Message | Should -BeLike '*Install Node.js 20*WINDOWSCONTAINERS_NODE*'
            $record.ErrorDetails.RecommendedAction | Should -BeLike '*Install Node.js*'
        }

        It 'Should name the variable when it points at nothing' {
            $env:WINDOWSCONTAINERS_NODE = Join-Path $TestDrive 'nowhere' 'node'
            { Get-ContainerHost } | Should -Throw -ErrorId 'NodeNotFound*' -ExpectedMessage "*WINDOWSCONTAINERS_NODE is '*nowhere*node'*"
        }
    }

    Context 'When the node is too old or is not a node' {
        It 'Should throw NodeTooOld with the version it found and the fix' {
            $env:WINDOWSCONTAINERS_NODE = New-FakeNode 'node18' 'v18.19.0'
            $record = $null
            try { Get-ContainerHost } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'NodeTooOld*'
            $record.Exception.Message | Should -BeLike '*18.19.0*too old*20.11 or later*WINDOWSCONTAINERS_NODE*'
        }

        It 'Should accept exactly the minimum version' {
            $env:WINDOWSCONTAINERS_NODE = New-FakeNode 'node2011' 'v20.11.0'
            (InModuleScope WindowsContainers { Get-NodeRuntime }).Version | Should -Be ([version]'20.11.0')
        }

        It 'Should throw NodeNotFound for a program that does not answer like node' {
            $env:WINDOWSCONTAINERS_NODE = New-FakeNode 'notnode' 'hello'
            { Get-ContainerHost } | Should -Throw -ErrorId 'NodeNotFound*' -ExpectedMessage '*did not answer --version as Node.js does*'
        }
    }

    Context 'When the module states its minimum' {
        It 'Should match package.json engines.node' {
            $engines = (Get-Content -Raw (Join-Path $repo 'package.json') | ConvertFrom-Json).engines.node
            $source = Get-Content -Raw (Join-Path $repo 'module' 'Private' 'Get-NodeRuntime.ps1')
            $source -match "\`$minimum = \[version\]'(\d+)\.(\d+)\.\d+'" | Should -BeTrue
            $engines | Should -Be ">=$($Matches[1]).$($Matches[2])"
        }
    }
}
