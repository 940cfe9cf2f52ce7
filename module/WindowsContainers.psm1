# WindowsContainers: PowerShell owns the user surface; every container
# operation is a request to the TypeScript core (see Private/Invoke-CoreCommand.ps1).
using namespace System.Text.Json.Serialization

Set-StrictMode -Version 3.0

# Typed bodies for the core's large answers. The bridge fills these with
# System.Text.Json (Invoke-CoreCommand -BodyType, ConvertFrom-CoreBody): about
# three times cheaper than ConvertFrom-Json building a PSCustomObject per
# record, and stricter, because a member the core leaves out, adds or sends
# with another JSON type is refused. Names are the core's camelCase names in
# PascalCase, and follow Get-Process where a column corresponds.

# One host process as the core's snapshot sees it (ts-core/src/processes/processRecord.ts).
class WindowsContainersHostProcess {
    [JsonRequired()] [int] $Id
    [JsonRequired()] [string] $ProcessName
    [JsonRequired()] [Nullable[int]] $ParentProcessId
    [JsonRequired()] [int] $SessionId
    [JsonRequired()] [long] $NonpagedSystemMemorySize
    [JsonRequired()] [long] $PagedMemorySize
    [JsonRequired()] [long] $PrivateMemorySize
    [JsonRequired()] [long] $WorkingSet
    [JsonRequired()] [double] $CpuSeconds
    [JsonRequired()] [datetimeoffset] $StartTime
    [JsonRequired()] [string] $CommandLine
    [JsonRequired()] [string] $UserName
    [JsonRequired()] [int[]] $NamespacePids
    [JsonRequired()] [string] $PidNamespace
}

# The answer to host.processes: one snapshot of the host's process table.
class WindowsContainersHostSnapshot {
    [JsonRequired()] [datetimeoffset] $TakenAt
    [JsonRequired()] [WindowsContainersHostProcess[]] $Processes
    [JsonRequired()] [int[]] $Unreadable
}

# The class-based DSC resource (PSDesiredStateConfiguration's Invoke-DscResource
# and DSC v3's Microsoft.DSC/PowerShell adapter call Get, Test and Set on an
# instance whose configurable properties are set). Classes must be in the root
# module to be exported. No logic here: each method is one container.converge
# request through the bridge, the same command the DSC v3 resource
# (WindowsContainers.IsolatedContainer.dsc.resource.json) and
# Set-IsolatedContainerState send. Recreating a container (when Image,
# Isolation, Command or Backend differ) loses its writable layer.
[DscResource()]
class IsolatedContainer {
    [DscProperty(Key)] [string] $Name
    [DscProperty()] [string] $Image
    [DscProperty()] [ValidateSet('Process', 'HyperV', 'Default')] [string] $Isolation
    [DscProperty()] [string[]] $Command
    [DscProperty()] [ValidateSet('linux', 'docker')] [string] $Backend
    [DscProperty()] [ValidateSet('Present', 'Absent')] [string] $Ensure = 'Present'
    [DscProperty()] [ValidateSet('Running', 'Stopped')] [string] $State = 'Running'
    # Read-only: what the container is.
    [DscProperty(NotConfigurable)] [string] $Id
    [DscProperty(NotConfigurable)] [string] $CreatedAt
    [DscProperty(NotConfigurable)] [string[]] $DifferingProperties
    [DscProperty(NotConfigurable)] [string[]] $Actions
    [DscProperty(NotConfigurable)] [bool] $WritableLayerLost

    [IsolatedContainer] Get() {
        # test, not get: the same read, plus which properties differ; neither changes anything.
        return [IsolatedContainer]::FromState($this.Converge('test'))
    }

    [bool] Test() {
        return [bool]$this.Converge('test')._inDesiredState
    }

    [void] Set() {
        $null = $this.Converge('set')
    }

    hidden [object] Converge([string] $Mode) {
        return Invoke-ContainerConvergence -Mode $Mode -Desired (ConvertTo-ContainerInstance -Name $this.Name -Image $this.Image -Isolation $this.Isolation `
                    -Command $this.Command -Backend $this.Backend -Ensure $this.Ensure -State $this.State)
    }

    hidden static [IsolatedContainer] FromState([object] $Answer) {
        # Properties the core leaves out (an absent container has no image) stay empty.
        $read = { param($property) $found = $Answer.PSObject.Properties[$property]; if ($found) { $found.Value } }
        $result = [IsolatedContainer]::new()
        $result.Name = $Answer.name
        $result.Ensure = if ($Answer._exist) { 'Present' } else { 'Absent' }
        $result.Image = & $read 'image'
        # ValidateSet refuses an empty value: set only what the core reported.
        if (& $read 'isolation') { $result.Isolation = & $read 'isolation' }
        $result.Command = @(& $read 'command')
        if (& $read 'backend') { $result.Backend = & $read 'backend' }
        $result.State = if ((& $read 'state') -eq 'running') { 'Running' } else { 'Stopped' }
        $result.Id = & $read 'id'
        # ConvertFrom-Json reads ISO 8601 as a DateTime: back to ISO 8601, in UTC.
        $created = & $read 'createdAt'
        $result.CreatedAt = if ($created -is [datetime]) { $created.ToUniversalTime().ToString('o') } else { $created }
        # The core's property names, as this class spells them (_exist is Ensure).
        $result.DifferingProperties = @(& $read 'differingProperties' | Where-Object { $_ } | ForEach-Object { if ($_ -eq '_exist') { 'Ensure' } else { $_.Substring(0, 1).ToUpperInvariant() + $_.Substring(1) } })
        $result.Actions = @(& $read 'actions' | Where-Object { $_ })
        $result.WritableLayerLost = [bool](& $read 'writableLayerLost')
        return $result
    }
}

# How the bridge reads typed bodies; built once, because System.Text.Json
# caches what it learns about a type per options instance.
$script:CoreJsonOptions = [System.Text.Json.JsonSerializerOptions]::new()
$script:CoreJsonOptions.PropertyNamingPolicy = [System.Text.Json.JsonNamingPolicy]::CamelCase
$script:CoreJsonOptions.UnmappedMemberHandling = [JsonUnmappedMemberHandling]::Disallow
$script:CoreJsonOptions.MakeReadOnly($true)

# The protocol version this module speaks; the core announces its own in its
# ready event and the bridge refuses a mismatch.
$script:CoreProtocolVersion = 1
$script:CoreServer = $null
# How far a host process's start time as .NET reads it may fall outside the
# window the core's start time allows (see Get-ConfirmedHostProcess): clock
# reads, not identity.
$script:HostStartTimeSlackMs = 50

foreach ($folder in 'Private', 'Public') {
    foreach ($file in Get-ChildItem -Path (Join-Path $PSScriptRoot $folder) -Filter '*.ps1' -File) {
        . $file.FullName
    }
}

# Container names complete from the core, for every command that takes -Name
# of a container. Registered here, once: the script block runs in the
# module's scope, where the private Complete-ContainerName lives.
Register-ArgumentCompleter -ParameterName Name -CommandName @(
    'Get-IsolatedContainer'
    'Get-ContainerProcess'
    'Test-ContainerIsolation'
    'Stop-IsolatedContainer'
    'Start-IsolatedContainer'
    'Restart-IsolatedContainer'
    'Get-ContainerLog'
    'Invoke-ContainerCommand'
    'Remove-IsolatedContainer'
    'Set-IsolatedContainerState'
    'Test-IsolatedContainerState'
) -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete)
    Complete-ContainerName -WordToComplete $wordToComplete
}

# Image names complete from the linux backend's store.
Register-ArgumentCompleter -ParameterName Image -CommandName 'New-IsolatedContainer', 'Set-IsolatedContainerState', 'Test-IsolatedContainerState' -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete)
    Complete-ImageName -WordToComplete $wordToComplete
}
Register-ArgumentCompleter -ParameterName Name -CommandName 'Get-ContainerImage', 'Remove-ContainerImage' -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete)
    Complete-ImageName -WordToComplete $wordToComplete
}
Register-ArgumentCompleter -ParameterName HostEdition -CommandName 'Test-IsolationCompatibility' -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete)
    Complete-HostEdition -WordToComplete $wordToComplete
}

# Pester operators: Should -BeIsolated and Should -BeCompatibleWith. When Pester
# (5 or later) is already loaded they are registered now. When it is not, a
# command-lookup hook waits for Pester: the first lookup of Should, Describe or
# Invoke-Pester after Pester is loaded registers them and removes the hook.
# Nothing here may fail the import.
$script:ShouldOperatorHook = $null
try {
    if (-not (Register-IsolationShouldOperator)) {
        $script:ShouldOperatorHook = New-PesterLookupHook -OnMatch {
            param($commandName, $lookup)
            if ($commandName -notmatch '(^|\\)(Should|Describe|Invoke-Pester)$') { return }
            if (Register-IsolationShouldOperator) {
                $ExecutionContext.InvokeCommand.PostCommandLookupAction = [System.Delegate]::Remove($ExecutionContext.InvokeCommand.PostCommandLookupAction, $script:ShouldOperatorHook)
                $script:ShouldOperatorHook = $null
            }
        }
        $ExecutionContext.InvokeCommand.PostCommandLookupAction = [System.Delegate]::Combine($ExecutionContext.InvokeCommand.PostCommandLookupAction, $script:ShouldOperatorHook)
    }
}
catch {
    Write-Warning "Should -BeIsolated and Should -BeCompatibleWith are not available in this session: $($_.Exception.Message)"
}

# One core process per runspace: when the module goes, its core goes with it,
# and so does a lookup hook still waiting for Pester.
$ExecutionContext.SessionState.Module.OnRemove = {
    if ($null -ne $script:ShouldOperatorHook) {
        $ExecutionContext.InvokeCommand.PostCommandLookupAction = [System.Delegate]::Remove($ExecutionContext.InvokeCommand.PostCommandLookupAction, $script:ShouldOperatorHook)
        $script:ShouldOperatorHook = $null
    }
    Stop-CoreServer
}
