function ConvertTo-ContainerDate {
    <#
    .SYNOPSIS
    Turns a core timestamp (ISO 8601 string, DateTime from ConvertFrom-Json, or ms since the epoch) into a local DateTime, or $null.
    #>
    [CmdletBinding()]
    [OutputType([datetime])]
    param(
        [Parameter(Position = 0)]
        [AllowNull()]
        [object] $Value
    )

    if ($null -eq $Value -or ($Value -is [string] -and $Value -eq '')) { return $null }
    if ($Value -is [datetime]) { return $Value.ToLocalTime() }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [double] -or $Value -is [decimal]) {
        return [System.DateTimeOffset]::FromUnixTimeMilliseconds([long]$Value).LocalDateTime
    }
    [datetime]::Parse([string]$Value, [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToLocalTime()
}
