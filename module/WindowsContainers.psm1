# WindowsContainers: PowerShell owns the user surface; every container
# operation is a request to the TypeScript core (see Private/Invoke-CoreCommand.ps1).
Set-StrictMode -Version 3.0

# The protocol version this module speaks; the core announces its own in its
# ready event and the bridge refuses a mismatch.
$script:CoreProtocolVersion = 1
$script:CoreServer = $null
# Pre-flight compatibility passes New-IsolatedContainer may reuse (see Get-PreflightPassKey).
$script:PreflightPasses = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::Ordinal)

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
    'Remove-IsolatedContainer'
) -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete)
    Complete-ContainerName -WordToComplete $wordToComplete
}

# One core process per runspace: when the module goes, its core goes with it.
$ExecutionContext.SessionState.Module.OnRemove = {
    Stop-CoreServer
}
