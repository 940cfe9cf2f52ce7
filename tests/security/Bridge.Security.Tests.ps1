# Issue case 3 (module side): a request the core refuses before it can read
# its id (RequestTooLarge, id null) is the answer to the pending request; the
# module must not wait for its timeout. -TimeoutSeconds is the guard: the old
# bridge failed this with CoreTimeout after it.

BeforeAll {
    Import-Module "$PSScriptRoot/../../WindowsContainers.psd1" -Force
}

AfterAll {
    InModuleScope WindowsContainers { Stop-CoreServer }
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'The bridge and answers without a request id' {
    Context 'When a request is larger than the core takes' {
        It 'Should fail with RequestTooLarge, not CoreTimeout, and keep the core serving' {
            { InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping -Arguments @{ pad = 'x' * 1100000 } -TimeoutSeconds 60 } } |
                Should -Throw -ErrorId 'RequestTooLarge'
            $corePid = InModuleScope WindowsContainers { $script:CoreServer.Process.Id }
            $answer = InModuleScope WindowsContainers { Invoke-CoreCommand -Command core.ping -Arguments @{ echo = 'after' } }
            $answer.echo | Should -Be 'after'
            InModuleScope WindowsContainers { $script:CoreServer.Process.Id } | Should -Be $corePid
        }
    }
}
