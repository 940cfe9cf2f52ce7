function Get-CanonicalParameterValue {
    <#
    .SYNOPSIS
    The value(s) of an enum-like parameter in the canonical case of its ValidateSet.
    .DESCRIPTION
    ValidateSet lets 'process' through for 'Process' (PowerShell compares
    case-insensitively), but the core compares exactly. Every command passes
    its enum values (-Isolation, -Backend, ...) through this one rule before
    they reach the core, so 'process', 'LINUX' and 'hyperv' mean what they
    mean to PowerShell. The set is read from the parameter's own
    ValidateSet, so there is no second list to keep in step.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [System.Management.Automation.CommandInfo] $Command,

        [Parameter(Mandatory)]
        [string] $ParameterName,

        [AllowNull()]
        [AllowEmptyCollection()]
        [string[]] $Value
    )

    $validValues = @($Command.Parameters[$ParameterName].Attributes |
            Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } |
            ForEach-Object { $_.ValidValues })
    foreach ($item in $Value) {
        # -eq compares strings case-insensitively, as ValidateSet did.
        $canonical = @($validValues | Where-Object { $_ -eq $item })
        if ($canonical.Count -gt 0) { $canonical[0] } else { $item }
    }
}
