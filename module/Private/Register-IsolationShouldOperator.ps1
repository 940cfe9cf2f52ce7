function Register-IsolationShouldOperator {
    <#
    .SYNOPSIS
    Registers Should -BeIsolated and Should -BeCompatibleWith with the loaded Pester (5 or later), once.
    .DESCRIPTION
    Returns $true when both operators are registered (now or before) and
    $false when no Pester 5+ is loaded or Pester refused an operator (with a
    warning). It never throws: importing the module must not fail because of
    Pester.

    Pester keeps the operators for as long as it stays loaded, so what it
    holds is a small dispatcher, not this module's own function: it calls
    the operator in the WindowsContainers module that is imported at the
    time Should runs. After Import-Module -Force (a new module instance) the
    operators therefore use the new instance, and registering again finds
    Pester's entry identical and is a no-op (Pester's Add-ShouldOperator
    ignores an exact duplicate).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param()

    $pester = Get-Module -Name Pester | Where-Object { $_.Version.Major -ge 5 } | Sort-Object Version -Descending | Select-Object -First 1
    if ($null -eq $pester) { return $false }
    $addOperator = $pester.ExportedCommands['Add-ShouldOperator']
    if ($null -eq $addOperator) { return $false }

    $operators = [ordered]@{
        BeIsolated       = 'Test-BeIsolatedAssertion'
        BeCompatibleWith = 'Test-BeCompatibleWithAssertion'
    }
    $dispatcherScope = New-Module -Name WindowsContainers.ShouldOperators -ScriptBlock { Set-StrictMode -Version 3.0 }
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    foreach ($operator in $operators.GetEnumerator()) {
        $function = Get-Command -Name $operator.Value -CommandType Function
        # Pester builds Should's dynamic parameters from the Test script block's
        # own parameters, so the dispatcher declares the operator's parameters.
        $parameters = foreach ($parameter in $function.Parameters.Values) {
            if ($parameter.Name -in $common) { continue }
            if ($parameter.SwitchParameter) { "[switch] `$$($parameter.Name)" } else { "`$$($parameter.Name)" }
        }
        # The dispatcher is bound to a small dynamic module of its own, not to
        # this module instance (which Import-Module -Force replaces) and not
        # to nothing (Pester 6 refuses unbound script blocks: they would run
        # in Pester's own scope). It looks the module up when it is called.
        $dispatcher = $dispatcherScope.NewBoundScriptBlock([scriptblock]::Create(@"
param($($parameters -join ', '))
# Should -$($operator.Key), registered by the WindowsContainers module: runs $($operator.Value) in the module imported now.
`$module = @(Get-Module -Name WindowsContainers) | Select-Object -Last 1
if (`$null -eq `$module) {
    return [pscustomobject]@{ Succeeded = `$false; FailureMessage = 'Should -$($operator.Key) needs the WindowsContainers module, which is no longer imported. Run: Import-Module WindowsContainers' }
}
& `$module { param(`$Bound) $($operator.Value) @Bound } `$PSBoundParameters
"@))
        try {
            & $addOperator -Name $operator.Key -Test $dispatcher -ErrorAction Stop
        }
        catch {
            Write-Warning "Pester $($pester.Version) did not register Should -$($operator.Key): $($_.Exception.Message) Start a new PowerShell session and import WindowsContainers again to use it."
            return $false
        }
    }
    $true
}
