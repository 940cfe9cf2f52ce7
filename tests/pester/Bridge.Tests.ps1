# Bodies for -BodyType tests, shaped after core.sleep's answer ({ slept }).
class BridgeTestSleepBody {
    [System.Text.Json.Serialization.JsonRequired()] [int] $Slept
}
class BridgeTestSleepBodyWithMore {
    [System.Text.Json.Serialization.JsonRequired()] [int] $Slept
    [System.Text.Json.Serialization.JsonRequired()] [string] $WokenBy
}

BeforeAll {
    Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force

    function Get-CorePid {
        InModuleScope WindowsContainers { if ($script:CoreServer) { $script:CoreServer.Process.Id } }
    }
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'The core bridge (Invoke-CoreCommand)' {
    BeforeEach {
        InModuleScope WindowsContainers { Stop-CoreServer }
    }

    Context 'When the module is imported' {
        It 'Should not start a core until the first command' {
            Get-CorePid | Should -BeNullOrEmpty
        }
    }

    Context 'When commands run one after another' {
        It 'Should start one core lazily and reuse it' {
            $first = InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }
            $second = InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping -Arguments @{ echo = 'héllo ✓' } }
            $first.pid | Should -BeGreaterThan 0
            $second.pid | Should -Be $first.pid
            $second.echo | Should -Be 'héllo ✓'
            Get-CorePid | Should -Be $first.pid
        }
    }

    Context 'When the core was killed between two calls' {
        It 'Should start a new core for the next call' {
            $before = (InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }).pid
            Stop-Process -Id $before -Force
            InModuleScope WindowsContainers { $script:CoreServer.Process.WaitForExit(5000) } | Should -BeTrue
            $after = (InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }).pid
            $after | Should -Not -Be $before
            Get-Process -Id $after | Should -Not -BeNullOrEmpty
        }
    }

    Context 'When the core is killed while a call is in flight' {
        It 'Should fail that call with CoreExited, without waiting for its timeout, and serve the next one' {
            $corePid = (InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }).pid
            # The kill waits for an event, not a clock: the core's own verbose
            # event 'Sleeping …' says the call is in flight. With the verbose
            # stream merged into the pipeline, each record reaches the next
            # command while the bridge still waits for the answer.
            $killed = [ref]$false
            {
                InModuleScope WindowsContainers -Parameters @{ CorePid = $corePid; Killed = $killed } {
                    param($CorePid, $Killed)
                    Invoke-CoreCommand -Command core.sleep -Arguments @{ milliseconds = 30000 } -TimeoutSeconds 60 -Verbose 4>&1 |
                        ForEach-Object {
                            if ($_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Sleeping *') {
                                Stop-Process -Id $CorePid -Force
                                $Killed.Value = $true
                            }
                        }
                }
            } | Should -Throw -ErrorId 'CoreExited' -Because 'a 60 s timeout would have said CoreTimeout, a finished sleep would have answered'
            $killed.Value | Should -BeTrue
            (InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }).pid | Should -Not -Be $corePid
        }
    }

    Context 'When the core does not answer in time' {
        It 'Should fail with CoreTimeout, stop that core, and start a fresh one next time' {
            $corePid = (InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }).pid
            # No stopwatch: had the bridge waited the sleep out, the call would have answered instead of failing.
            { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.sleep -Arguments @{ milliseconds = 600000 } -TimeoutSeconds 1 } } |
                Should -Throw -ErrorId 'CoreTimeout'
            Get-CorePid | Should -BeNullOrEmpty
            Get-Process -Id $corePid -ErrorAction Ignore | Should -BeNullOrEmpty
            (InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }).pid | Should -Not -Be $corePid
        }
    }

    Context 'When the core refuses a request' {
        It 'Should use the core''s error code as the ErrorId and map the category' {
            $record = $null
            try { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.nope } } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'UnknownCommand*'
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.Exception.Message | Should -Match "Unknown command 'core.nope'"
        }

        It 'Should carry the core''s details and keep serving' {
            $record = $null
            try { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.sleep -Arguments @{ milliseconds = 'soon' } } } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'InvalidArgument*'
            $record.Exception.Data['CoreDetails'].issues[0].path | Should -Be 'milliseconds'
            (InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }).protocolVersion | Should -Be 1
        }
    }

    Context 'When the core sends events before its answer' {
        It 'Should write verbose events to the verbose stream' {
            $verbose = InModuleScope WindowsContainers {
                Invoke-CoreCommand -Command core.sleep -Arguments @{ milliseconds = 1 } -Verbose 4>&1
            } | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $verbose.Message | Should -Contain 'Sleeping 1 ms.'
        }
    }

    Context 'When a command''s body is read into a type (-BodyType)' {
        It 'Should return an instance of that type, filled from the answer' {
            $body = InModuleScope WindowsContainers -Parameters @{ T = [BridgeTestSleepBody] } {
                param($T)
                Invoke-CoreCommand -Command core.sleep -Arguments @{ milliseconds = 3 } -BodyType $T
            }
            $body.GetType().Name | Should -Be 'BridgeTestSleepBody'
            $body.Slept | Should -Be 3
        }

        It 'Should still write the events that come before the answer' {
            $output = InModuleScope WindowsContainers -Parameters @{ T = [BridgeTestSleepBody] } {
                param($T)
                Invoke-CoreCommand -Command core.sleep -Arguments @{ milliseconds = 2 } -BodyType $T -Verbose 4>&1
            }
            @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain 'Sleeping 2 ms.'
            @($output | Where-Object { $_ -is [BridgeTestSleepBody] }).Slept | Should -Be 2
        }

        It 'Should refuse a member the type does not know with CoreProtocolError, and keep the core' {
            $corePid = (InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }).pid
            $record = $null
            try {
                InModuleScope WindowsContainers -Parameters @{ T = [BridgeTestSleepBody] } {
                    param($T)
                    Invoke-CoreCommand -Command core.ping -BodyType $T
                }
            }
            catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'CoreProtocolError*'
            $record.CategoryInfo.Category | Should -Be 'InvalidData'
            $record.Exception.Message | Should -Match "'core\.ping'.*BridgeTestSleepBody.*'protocolVersion'"
            # The answer was whole and in step: the same core serves the next call.
            (InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }).pid | Should -Be $corePid
        }

        It 'Should refuse an answer that lacks a member the type requires' {
            { InModuleScope WindowsContainers -Parameters @{ T = [BridgeTestSleepBodyWithMore] } {
                    param($T)
                    Invoke-CoreCommand -Command core.sleep -Arguments @{ milliseconds = 1 } -BodyType $T
                } } | Should -Throw -ErrorId 'CoreProtocolError' -ExpectedMessage '*missing required properties*wokenBy*'
        }

        It 'Should refuse a value of another JSON type' {
            { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping -BodyType ([int]) } } |
                Should -Throw -ErrorId 'CoreProtocolError' -ExpectedMessage '*System.Int32*'
        }

        It 'Should turn an error answer into the core''s ErrorId as usual' {
            { InModuleScope WindowsContainers -Parameters @{ T = [BridgeTestSleepBody] } {
                    param($T)
                    Invoke-CoreCommand -Command core.sleep -Arguments @{ milliseconds = -1 } -BodyType $T
                } } | Should -Throw -ErrorId 'InvalidArgument'
        }

        It 'Should skip an answer to another request and return its own' {
            $body = InModuleScope WindowsContainers -Parameters @{ T = [BridgeTestSleepBody] } {
                param($T)
                $null = Invoke-CoreCommand -Command core.ping
                # An answer nobody waits for any more, as after Ctrl+C: it arrives first.
                $script:CoreServer.Input.WriteLine('{"id":424242,"command":"core.sleep","arguments":{"milliseconds":7},"protocolVersion":1}')
                $script:CoreServer.Input.Flush()
                Invoke-CoreCommand -Command core.sleep -Arguments @{ milliseconds = 4 } -BodyType $T
            }
            $body.Slept | Should -Be 4
        }
    }

    Context 'When the core cannot be started' {
        AfterEach {
            Remove-Item Env:WINDOWSCONTAINERS_NODE, Env:WINDOWSCONTAINERS_CORE -ErrorAction Ignore
        }

        It 'Should say which node it tried when node cannot run' {
            $env:WINDOWSCONTAINERS_NODE = Join-Path $TestDrive 'no-node-here'
            { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping } } | Should -Throw -ErrorId 'NodeNotFound' -ExpectedMessage '*no-node-here*'
        }

        It 'Should say how to build the core when the bundle is missing' {
            $env:WINDOWSCONTAINERS_CORE = Join-Path $TestDrive 'missing.cjs'
            $record = $null
            try { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping } } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeLike 'CoreNotBuilt*'
            $record.ErrorDetails.RecommendedAction | Should -Match 'npm run build'
        }

        It 'Should refuse a program that does not announce itself as a core, and leave no process' {
            $env:WINDOWSCONTAINERS_CORE = Join-Path $PSScriptRoot 'fixtures' 'fake-core-garbage.cjs'
            { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping } } | Should -Throw -ErrorId 'CoreStartFailed'
            Get-CorePid | Should -BeNullOrEmpty
            Get-Process -Name node -ErrorAction Ignore |
                Where-Object { $_.CommandLine -like '*fake-core-garbage*' } | Should -BeNullOrEmpty
        }

        It 'Should refuse a core that speaks another protocol version' {
            $env:WINDOWSCONTAINERS_CORE = Join-Path $PSScriptRoot 'fixtures' 'fake-core-protocol99.cjs'
            { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping } } | Should -Throw -ErrorId 'UnsupportedProtocolVersion'
        }
    }

    Context 'When a core starts and old logs lie in the log folder' {
        BeforeAll {
            $logFolder = InModuleScope WindowsContainers { Get-CoreLogFolder }
            # PIDs above any pid_max and Windows' range: no process has them.
            $tag = Get-Random -Minimum 10000 -Maximum 99999
            $oldGone = Join-Path $logFolder "core-90000$tag.log"
            $newGone = Join-Path $logFolder "core-91000$tag.log"
            $oldAlive = Join-Path $logFolder "core-$PID.log"
            $notOurs = Join-Path $logFolder "core-notes-$tag.log"
            foreach ($file in $oldGone, $newGone, $oldAlive, $notOurs) { Set-Content -LiteralPath $file -Value 'log' }
            foreach ($file in $oldGone, $oldAlive, $notOurs) { (Get-Item -LiteralPath $file).LastWriteTimeUtc = [datetime]::UtcNow.AddDays(-2) }
            InModuleScope WindowsContainers { Stop-CoreServer }
            $null = InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }
        }

        AfterAll {
            Remove-Item -LiteralPath $oldGone, $newGone, $oldAlive, $notOurs -ErrorAction Ignore
        }

        It 'Should delete the log of a core that is gone and a day old' {
            Test-Path -LiteralPath $oldGone | Should -BeFalse
        }

        It 'Should keep a recent log, the log of a running process, and files that are not core logs' {
            Test-Path -LiteralPath $newGone | Should -BeTrue
            Test-Path -LiteralPath $oldAlive | Should -BeTrue
            Test-Path -LiteralPath $notOurs | Should -BeTrue
        }

        It 'Should have what a running core logged on disk, without a flush' {
            $env:WINDOWSCONTAINERS_CORE = Join-Path $PSScriptRoot 'fixtures' 'fake-core-logs.cjs'
            try {
                $server = InModuleScope WindowsContainers { Stop-CoreServer; Start-CoreServer }
                # The copy from the core's stderr is asynchronous: give it a moment, never a flush.
                $text = ''
                foreach ($attempt in 1..40) {
                    $stream = [System.IO.FileStream]::new($server.LogPath, 'Open', 'Read', 'ReadWrite')
                    try { $text = [System.IO.StreamReader]::new($stream).ReadToEnd() } finally { $stream.Dispose() }
                    if ($text) { break }
                    Start-Sleep -Milliseconds 50
                }
                $text | Should -Match 'fake core: started and logging'
            }
            finally {
                InModuleScope WindowsContainers { Stop-CoreServer }
                Remove-Item Env:WINDOWSCONTAINERS_CORE -ErrorAction Ignore
            }
        }
    }

    Context 'When the module is removed' {
        It 'Should stop its core' {
            $corePid = (InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping }).pid
            Remove-Module WindowsContainers -Force
            $deadline = [datetime]::UtcNow.AddSeconds(5)
            while ((Get-Process -Id $corePid -ErrorAction Ignore) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Get-Process -Id $corePid -ErrorAction Ignore | Should -BeNullOrEmpty
            Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force
        }
    }
}
