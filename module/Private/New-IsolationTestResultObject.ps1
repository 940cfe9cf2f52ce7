function New-IsolationTestResultObject {
    <#
    .SYNOPSIS
    Builds a WindowsContainers.IsolationTestResult from one result of the core's isolation.test.
    #>
    [CmdletBinding()]
    [OutputType('WindowsContainers.IsolationTestResult')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [object] $Record
    )

    process {
        # Both are in every answer of this core; a record without them (an older core's) gives $null, not an error under strict mode.
        $has = if ($Record -is [System.Collections.IDictionary]) { { param($Key) $Record.Contains($Key) } } else { { param($Key) $null -ne $Record.PSObject.Properties[$Key] } }
        $decidedBy = if (& $has 'decidedBy') { [string]$Record.decidedBy } else { $null }
        $view = $null
        if ((& $has 'containerView') -and $null -ne $Record.containerView) {
            $view = [pscustomobject]@{
                Source      = [string]$Record.containerView.source
                Independent = [bool]$Record.containerView.independent
                Note        = if ($null -ne $Record.containerView.note) { [string]$Record.containerView.note } else { $null }
            }
        }
        $worker = $null
        if ($null -ne $Record.worker) {
            $claim = $Record.worker.claim
            # What Get-Process -Id shows for the worker, read from the same host snapshot the verdict used.
            $seen = if ([bool]$Record.worker.alive) { $Record.worker.hostProcess } else { $null }
            $worker = [pscustomobject]@{
                PSTypeName  = 'WindowsContainers.WorkerProcess'
                Id          = if ([bool]$Record.worker.alive) { [int]$claim.pid } else { $null }
                # Get-Process and Wait-Process bind -Name first: $null makes them refuse
                # this object rather than reach every host process called vmwp or qemu.
                Name        = $null
                ClaimedPid  = [int]$claim.pid
                WorkerName  = [string]$claim.name
                ProcessName = if ($null -ne $seen) { [string]$seen.processName } else { $null }
                Alive       = [bool]$Record.worker.alive
                Tied        = [bool]$Record.worker.tied
                TieToken    = [string]$claim.tieToken
                Reason      = [string]$Record.worker.reason
                WS          = if ($null -ne $seen) { [long]$seen.workingSet } else { $null }
                PM          = if ($null -ne $seen) { [long]$seen.pagedMemorySize } else { $null }
                NPM         = if ($null -ne $seen) { [long]$seen.nonpagedSystemMemorySize } else { $null }
                CPU         = if ($null -ne $seen) { [double]$seen.cpuSeconds } else { $null }
                SI          = if ($null -ne $seen) { [int]$seen.sessionId } else { $null }
                StartTime   = if ($null -ne $seen) { ConvertTo-ContainerDate $seen.startTime } else { $null }
                CommandLine = if ($null -ne $seen) { [string]$seen.commandLine } else { $null }
            }
        }
        [pscustomobject]@{
            PSTypeName         = 'WindowsContainers.IsolationTestResult'
            Name               = [string]$Record.name
            ExpectedIsolation  = [string]$Record.expectedIsolation
            ObservedIsolation  = [string]$Record.observedIsolation
            Passed             = [bool]$Record.passed
            # The rule that decided ObservedIsolation (worker-identity, start-time, host-match, …), for scripts and tests.
            DecidedBy          = $decidedBy
            # Where the container's own process list came from (container-procfs, host-cgroup, guest-agent, …) and whether it is independent of the host's view.
            ContainerView      = $view
            Reason             = [string]$Record.reason
            ContainerProcesses = @($Record.containerProcesses | Where-Object { $null -ne $_ } | New-ContainerProcessObject)
            HostMatches        = @($Record.hostMatches | Where-Object { $null -ne $_ } | ForEach-Object {
                    [pscustomobject]@{
                        PSTypeName         = 'WindowsContainers.HostMatch'
                        ContainerProcessId = [int]$_.containerPid
                        ContainerProcessName = [string]$_.name
                        HostProcessId      = if ($null -ne $_.hostPid) { [int]$_.hostPid } else { $null }
                        Matched            = [bool]$_.matched
                        Outcome            = [string]$_.outcome
                        Reason             = [string]$_.reason
                    }
                })
            WorkerProcess      = $worker
            ConfiguredIsolation = [string]$Record.configuredIsolation
            Backend            = [string]$Record.backend
            Reasons            = [string[]]@($Record.reasons)
            Gaps               = [string[]]@($Record.gaps)
            SnapshotTakenAt    = ConvertTo-ContainerDate $Record.snapshotTakenAt
        }
    }
}
