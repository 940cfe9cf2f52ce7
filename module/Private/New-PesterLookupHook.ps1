function New-PesterLookupHook {
    <#
    .SYNOPSIS
    Builds the command-lookup handler that registers the Should operators once Pester is loaded.
    .DESCRIPTION
    The engine calls a PostCommandLookupAction on every command lookup, so
    the name test is a compiled expression (a few ordinal string comparisons)
    and the script block -OnMatch runs only for names that end in Should,
    Describe or Invoke-Pester. A script block called on every lookup would
    cost every command call in the session a script invocation while the
    module waits for Pester.
    #>
    [CmdletBinding()]
    [OutputType([System.EventHandler[System.Management.Automation.CommandLookupEventArgs]])]
    param(
        # Called as (commandName, CommandLookupEventArgs) for a matching name.
        [Parameter(Mandatory)]
        [scriptblock] $OnMatch
    )

    $expression = [System.Linq.Expressions.Expression]
    $handlerType = [System.EventHandler[System.Management.Automation.CommandLookupEventArgs]]
    $sender = $expression::Parameter([object], 'sender')
    $lookup = $expression::Parameter([System.Management.Automation.CommandLookupEventArgs], 'lookup')
    $commandName = $expression::Property($lookup, 'CommandName')
    $endsWith = [string].GetMethod('EndsWith', [type[]]@([string], [System.StringComparison]))
    $test = $null
    foreach ($suffix in 'Should', 'Describe', 'Invoke-Pester') {
        $call = $expression::Call($commandName, $endsWith, $expression::Constant($suffix), $expression::Constant([System.StringComparison]::OrdinalIgnoreCase))
        $test = if ($null -eq $test) { $call } else { $expression::OrElse($test, $call) }
    }
    $test = $expression::AndAlso($expression::NotEqual($commandName, $expression::Constant($null, [string])), $test)
    $callback = $expression::Constant(($OnMatch -as $handlerType), $handlerType)
    $body = $expression::IfThen($test, $expression::Invoke($callback, $sender, $lookup))
    $expression::Lambda($handlerType, $body, [System.Linq.Expressions.ParameterExpression[]]@($sender, $lookup)).Compile()
}
