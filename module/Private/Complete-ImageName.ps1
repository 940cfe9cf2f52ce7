function Complete-ImageName {
    <#
    .SYNOPSIS
    Tab completion of image names from the linux backend's store: asks the core quickly, and stays silent when it cannot answer.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.CompletionResult])]
    param(
        [string] $WordToComplete = ''
    )

    $pattern = ($WordToComplete.Trim("'", '"') -replace '([\[\]`*?])', '`$1') + '*'
    $failure = $null
    $body = Invoke-CoreCommand -Command 'image.list' -Arguments @{ names = @($pattern) } -TimeoutSeconds 5 -Failure ([ref]$failure)
    # Completion must never print an error at the prompt.
    if ($null -ne $failure) { return }
    foreach ($image in @($body.images)) {
        $text = [string]$image.name
        [System.Management.Automation.CompletionResult]::new($text, $text, 'ParameterValue', "$text ($($image.format))")
    }
}
