function New-CoreErrorRecord {
    <#
    .SYNOPSIS
    Builds the ErrorRecord for a failure of the core or of the bridge itself.
    .DESCRIPTION
    The ErrorId is the core's stable error code, so scripts and Pester tests
    can match it (Should -Throw -ErrorId ContainerNotFound). The core's
    structured details travel in the exception's Data['CoreDetails'].
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)]
        [string] $ErrorId,

        [Parameter(Mandatory)]
        [string] $Message,

        [System.Management.Automation.ErrorCategory] $Category = 'NotSpecified',

        [object] $TargetObject,

        [object] $Details,

        [string] $RecommendedAction
    )

    $exception = [System.InvalidOperationException]::new($Message)
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
