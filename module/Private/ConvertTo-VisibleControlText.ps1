function ConvertTo-VisibleControlText {
    <#
    .SYNOPSIS
    Shows every control character of a text visibly, so a terminal that prints it acts on none of it.
    .DESCRIPTION
    For text that reaches the host from outside the module: a core message
    (an error, a warning, a verbose line, a progress status) can quote what a
    container, a guest agent or a runtime wrote. TAB and LF stay; a CR before
    LF or at the end is a line end and is dropped; ESC becomes U+241B, every
    other C0 control its control picture (U+2400 + code), DEL U+2421; C1
    controls and the bidirectional overrides and isolates become \uXXXX.
    The views in WindowsContainers.Format.ps1xml and the Display* properties
    in WindowsContainers.Types.ps1xml apply the same mapping inline (their
    script blocks cannot call this function); Views.Tests.ps1 checks that
    every copy agrees with it.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [AllowEmptyString()]
        [AllowNull()]
        [string] $Text
    )

    process {
        ($Text -replace '\r(?=\n|$)') -replace '[\x00-\x08\x0B-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]', {
            $code = [int]$_.Value[0]
            if ($code -lt 0x20) { [string][char](0x2400 + $code) }
            elseif ($code -eq 0x7F) { [string][char]0x2421 }
            else { '\u{0:X4}' -f $code }
        }
    }
}
