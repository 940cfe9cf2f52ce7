function Complete-HostEdition {
    <#
    .SYNOPSIS
    Tab completion of -HostEdition: the Windows editions the compatibility catalogue knows, quoted.
    .DESCRIPTION
    The names are those the core's edition parser accepts (a Pester test
    asks the core about every one of them, so the two stay in step).
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.CompletionResult])]
    param(
        [string] $WordToComplete = ''
    )

    $editions = @(
        'Windows Server 2025', 'Windows Server 2022', 'Windows Server 2019', 'Windows Server 2016'
        'Windows 11 25H2', 'Windows 11 24H2', 'Windows 11 23H2', 'Windows 11 22H2', 'Windows 11 21H2'
        'Windows 10 22H2', 'Windows 10 21H2', 'Windows 10 21H1', 'Windows 10 20H2', 'Windows 10 2004', 'Windows 10 1909', 'Windows 10 1903', 'Windows 10 1809'
    )
    $typed = $WordToComplete.Trim("'", '"')
    foreach ($edition in $editions) {
        if ($edition -notlike "$([System.Management.Automation.WildcardPattern]::Escape($typed))*") { continue }
        [System.Management.Automation.CompletionResult]::new("'$edition'", $edition, 'ParameterValue', $edition)
    }
}
