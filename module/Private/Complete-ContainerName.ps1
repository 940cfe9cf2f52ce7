function Complete-ContainerName {
    <#
    .SYNOPSIS
    Tab completion of container names: asks the core quickly, and stays silent when it cannot answer.
    .DESCRIPTION
    ArgumentCompleter script blocks are not bound to the module, so the
    public commands call this through the module (& $module { ... }).
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.CompletionResult])]
    param(
        [string] $WordToComplete = ''
    )

    try {
        $pattern = ($WordToComplete.Trim("'", '"') -replace '([\[\]`])', '`$1') + '*'
        $body = Invoke-CoreCommand -Command 'container.list' -Arguments @{ names = @($pattern) } -TimeoutSeconds 5 -ErrorAction Stop
        foreach ($container in @($body.containers)) {
            $text = [string]$container.name
            [System.Management.Automation.CompletionResult]::new($text, $text, 'ParameterValue', "$text ($($container.isolation), $($container.state), $($container.backend))")
        }
    }
    catch {
        # Completion must never print an error at the prompt.
        $null = $_
    }
}
