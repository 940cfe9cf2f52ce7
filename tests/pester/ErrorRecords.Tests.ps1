# The bridge's failure contract and the one table of error categories.
BeforeAll {
    $script:repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    Import-Module (Join-Path $repo 'WindowsContainers.psd1') -Force
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'Invoke-CoreCommand -Failure' {
    It 'Should hand back a core error as a record that was never thrown, and return nothing' {
        InModuleScope WindowsContainers {
            $failure = $null
            $Error.Clear()
            $body = Invoke-CoreCommand -Command 'image.remove' -Arguments @{ name = 'no-such-image' } -TargetObject 'no-such-image' -Failure ([ref]$failure)
            $body | Should -BeNullOrEmpty
            $failure | Should -BeOfType [System.Management.Automation.ErrorRecord]
            $failure.FullyQualifiedErrorId | Should -Be 'ImageNotFound'
            $failure.InvocationInfo | Should -BeNullOrEmpty
            $failure.TargetObject | Should -Be 'no-such-image'
            $failure.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failure.Exception | Should -BeOfType [System.Management.Automation.ItemNotFoundException]
            $Error.Count | Should -Be 0 -Because 'nothing was thrown on the way'
        }
    }

    It 'Should hand back the bridge''s own failure (a timeout) the same way' {
        InModuleScope WindowsContainers {
            $failure = $null
            $null = Invoke-CoreCommand -Command 'core.sleep' -Arguments @{ milliseconds = 5000 } -TimeoutSeconds 1 -Failure ([ref]$failure)
            $failure.FullyQualifiedErrorId | Should -Be 'CoreTimeout'
            $failure.Exception | Should -BeOfType [System.TimeoutException]
            $failure.ErrorDetails.RecommendedAction | Should -Match 'again'
        }
    }

    It 'Should still throw without -Failure (callers that want a throw)' {
        InModuleScope WindowsContainers {
            { Invoke-CoreCommand -Command 'image.remove' -Arguments @{ name = 'no-such-image' } } | Should -Throw -ErrorId 'ImageNotFound'
        }
    }
}

Describe 'New-CoreErrorRecord' {
    It 'Should take the category the core sends over the table''s' {
        InModuleScope WindowsContainers {
            $record = New-CoreErrorRecord -CoreError ([pscustomobject]@{ code = 'ContainerNotFound'; message = 'm'; category = 'InvalidData' })
            $record.CategoryInfo.Category | Should -Be 'InvalidData'
            $record.Exception | Should -BeOfType [System.IO.InvalidDataException]
        }
    }

    It 'Should use the table when the core sends no category (a per-item error of an older core)' {
        InModuleScope WindowsContainers {
            $record = New-CoreErrorRecord -CoreError ([pscustomobject]@{ code = 'ContainerRunning'; message = 'm' }) -TargetObject 'web'
            $record.CategoryInfo.Category | Should -Be 'ResourceExists'
            $record.TargetObject | Should -Be 'web'
            $record.ErrorDetails.RecommendedAction | Should -Match 'Stop-IsolatedContainer'
        }
    }

    It 'Should prefer the core''s own suggestion as RecommendedAction' {
        InModuleScope WindowsContainers {
            $record = New-CoreErrorRecord -CoreError ([pscustomobject]@{ code = 'ImageIncompatibleWithHost'; message = 'm'; details = [pscustomobject]@{ suggestion = 'Use -Isolation HyperV.' } })
            $record.ErrorDetails.RecommendedAction | Should -Be 'Use -Isolation HyperV.'
            $record.Exception.Data['CoreDetails'].suggestion | Should -Be 'Use -Isolation HyperV.'
        }
    }

    It 'Should show the control characters of a message and suggestion visibly (they can quote what a container wrote)' {
        InModuleScope WindowsContainers {
            $e = [char]0x1B
            $record = New-CoreErrorRecord -CoreError ([pscustomobject]@{ code = 'RuntimeFailed'; message = "runc said: ${e}]52;c;SGVsbG8=$([char]7)${e}[2J`rdone`r`nnext line"; details = [pscustomobject]@{ suggestion = "Try ${e}[1;1H again." } })
            # Compared as JSON: a failure message with a raw control character would break Pester's NUnit report.
            ConvertTo-Json -Compress $record.Exception.Message | Should -BeExactly (ConvertTo-Json -Compress "runc said: $([char]0x241B)]52;c;SGVsbG8=$([char]0x2407)$([char]0x241B)[2J$([char]0x240D)done`nnext line")
            ConvertTo-Json -Compress $record.ErrorDetails.Message | Should -BeExactly (ConvertTo-Json -Compress $record.Exception.Message)
            ConvertTo-Json -Compress $record.ErrorDetails.RecommendedAction | Should -BeExactly (ConvertTo-Json -Compress "Try $([char]0x241B)[1;1H again.")
            @([regex]::Matches(($record | Out-String -Width 200), '[\x00-\x08\x0B-\x1F\x7F-\x9F]')).Count | Should -Be 0
        }
    }
}

Describe 'The error category table' {
    BeforeDiscovery {
        # Every code and its class, read from the core's own list.
        $source = Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot '..' '..' 'ts-core' 'src' 'protocol' 'errors.ts')
        $classes = @{}
        foreach ($m in [regex]::Matches($source, "(?m)^\s+(\w+): \{ exitCode: \d+, psCategory: '(\w+)' \}")) { $classes[$m.Groups[1].Value] = $m.Groups[2].Value }
        $codesBlock = $source.Substring($source.IndexOf('export const errorCodes'))
        $script:codes = foreach ($m in [regex]::Matches($codesBlock.Substring(0, $codesBlock.IndexOf('} as const')), "(?m)^\s+(\w+): '(\w+)',")) {
            @{ Code = $m.Groups[1].Value; Category = $classes[$m.Groups[2].Value] }
        }
    }

    It 'Should know at least the core''s codes' {
        @($codes).Count | Should -BeGreaterThan 30
    }

    It 'Should map <Code> to <Category>, as the core does' -ForEach $codes {
        InModuleScope WindowsContainers -Parameters @{ Code = $Code } { param($Code) (Get-CoreErrorKind -ErrorId $Code).Category.ToString() } | Should -Be $Category
    }
}
