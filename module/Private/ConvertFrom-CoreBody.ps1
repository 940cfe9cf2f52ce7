function ConvertFrom-CoreBody {
    <#
    .SYNOPSIS
    The body of this request's successful response, as an instance of a .NET type; nothing for any other line.
    .DESCRIPTION
    For answers that are large enough for ConvertFrom-Json to cost more than
    the work behind them (the host process snapshot): System.Text.Json fills
    BodyType directly, and checks the body against it on the way. A member
    that the type requires and the body lacks, a member the type does not
    know, or a value of another JSON type is a CoreProtocolError that names
    the JSON path. The core keeps running: the line was a whole, well-formed
    answer, so the stream is still in step.
    Any other line (an event, an error response, an answer to an abandoned
    request, text that is not a JSON object) returns nothing, and the bridge
    handles it exactly as it does for an untyped command.
    #>
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Text,

        [Parameter(Mandatory)]
        [long] $RequestId,

        [Parameter(Mandatory)]
        [type] $BodyType,

        [Parameter(Mandatory)]
        [string] $Command,

        [object] $TargetObject
    )

    try {
        $document = [System.Text.Json.JsonDocument]::Parse($Text)
    }
    catch {
        return
    }
    try {
        $root = $document.RootElement
        if ($root.ValueKind -ne [System.Text.Json.JsonValueKind]::Object) { return }
        $type = $id = $success = $body = [System.Text.Json.JsonElement]::new()
        if (-not ($root.TryGetProperty('type', [ref]$type) -and $type.ValueKind -eq 'String' -and $type.GetString() -ceq 'response')) { return }
        $number = 0L
        if (-not ($root.TryGetProperty('id', [ref]$id) -and $id.ValueKind -eq 'Number' -and $id.TryGetInt64([ref]$number) -and $number -eq $RequestId)) { return }
        if (-not ($root.TryGetProperty('success', [ref]$success) -and $success.ValueKind -eq 'True')) { return }
        if (-not $root.TryGetProperty('body', [ref]$body)) { return }
        try {
            $value = [System.Text.Json.JsonSerializer]::Deserialize($body, $BodyType, $script:CoreJsonOptions)
        }
        catch {
            # Deserialize's own JsonException sits under PowerShell's MethodInvocationException.
            $reason = if ($_.Exception.InnerException) { $_.Exception.InnerException.Message } else { $_.Exception.Message }
            throw (New-CoreErrorRecord -ErrorId 'CoreProtocolError' -Category InvalidData -TargetObject $TargetObject `
                    -Message "The core answered '$Command' with a body this module cannot read as $($BodyType.Name): $reason Are the module and the core from the same build? Rebuild the core with: npm run build.")
        }
        if ($null -eq $value) {
            throw (New-CoreErrorRecord -ErrorId 'CoreProtocolError' -Category InvalidData -TargetObject $TargetObject `
                    -Message "The core answered '$Command' with an empty body where this module expects $($BodyType.Name).")
        }
        # The comma keeps an array body whole instead of unrolling it into the pipeline.
        , $value
    }
    finally {
        $document.Dispose()
    }
}
