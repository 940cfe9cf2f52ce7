function New-CoreErrorRecord {
    <#
    .SYNOPSIS
    Builds the one ErrorRecord for a failure of the core, of one item, or of the bridge itself.
    .DESCRIPTION
    The ErrorId is the core's stable error code. The record is new and has
    never been thrown: the public command hands it to $PSCmdlet.WriteError or
    $PSCmdlet.ThrowTerminatingError, which names that command in
    InvocationInfo and makes the FullyQualifiedErrorId '<ErrorId>,<Command>'
    (match it with Should -Throw -ErrorId 'ContainerNotFound,*').

    The category is the core's when it sends one (-CoreError with a
    category, or -Category), else Get-CoreErrorKind's. The exception type
    follows the category (ItemNotFoundException for ObjectNotFound,
    ArgumentException for InvalidArgument, TimeoutException,
    UnauthorizedAccessException, InvalidDataException, otherwise
    InvalidOperationException). RecommendedAction is the core's suggestion
    when it gives one, else the table's. The core's structured details
    travel in the exception's Data['CoreDetails'].
    #>
    [CmdletBinding(DefaultParameterSetName = 'Parts')]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Parts')]
        [string] $ErrorId,

        [Parameter(Mandatory, ParameterSetName = 'Parts')]
        [string] $Message,

        # An error object as the core sends it: code, message, and optionally category and details.
        [Parameter(Mandatory, ParameterSetName = 'CoreError')]
        [psobject] $CoreError,

        [System.Management.Automation.ErrorCategory] $Category,

        [object] $TargetObject,

        [object] $Details,

        [string] $RecommendedAction
    )

    if ($PSCmdlet.ParameterSetName -eq 'CoreError') {
        $ErrorId = [string]$CoreError.code
        $Message = [string]$CoreError.message
        if (-not $PSBoundParameters.ContainsKey('Category') -and $CoreError.PSObject.Properties['category'] -and $CoreError.category) {
            $parsed = [System.Management.Automation.ErrorCategory]::NotSpecified
            if ([System.Enum]::TryParse([System.Management.Automation.ErrorCategory], [string]$CoreError.category, $true, [ref]$parsed)) {
                $Category = $parsed
                $PSBoundParameters['Category'] = $parsed
            }
        }
        if ($null -eq $Details -and $CoreError.PSObject.Properties['details']) { $Details = $CoreError.details }
    }

    # The message reaches the console and can quote what a container or guest wrote: no control character in it may act on the terminal.
    $Message = ConvertTo-VisibleControlText $Message

    $kind = Get-CoreErrorKind -ErrorId $ErrorId
    if (-not $PSBoundParameters.ContainsKey('Category')) { $Category = $kind.Category }
    if (-not $RecommendedAction -and $null -ne $Details -and $Details.PSObject.Properties['suggestion'] -and $Details.suggestion) {
        $RecommendedAction = [string]$Details.suggestion
    }
    if (-not $RecommendedAction) { $RecommendedAction = $kind.RecommendedAction }
    $RecommendedAction = ConvertTo-VisibleControlText $RecommendedAction

    $exception = switch ($Category) {
        'ObjectNotFound' { [System.Management.Automation.ItemNotFoundException]::new($Message) }
        'InvalidArgument' { [System.ArgumentException]::new($Message) }
        'OperationTimeout' { [System.TimeoutException]::new($Message) }
        'PermissionDenied' { [System.UnauthorizedAccessException]::new($Message) }
        'InvalidData' { [System.IO.InvalidDataException]::new($Message) }
        default { [System.InvalidOperationException]::new($Message) }
    }
    if ($null -ne $Details) {
        $exception.Data['CoreDetails'] = $Details
    }
    $record = [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $TargetObject)
    if ($RecommendedAction) {
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($Message)
        $record.ErrorDetails.RecommendedAction = $RecommendedAction
    }
    return $record
}
