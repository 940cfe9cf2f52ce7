# Shared measuring for the PowerShell benchmarks: each reports medians of its
# own side and of a baseline, measured in the same run.

function Get-Median {
    <#
    .SYNOPSIS
    The median of a list of samples (the mean of the two middle samples for an even count).
    #>
    [CmdletBinding()]
    [OutputType([double])]
    param(
        [Parameter(Mandatory)]
        [double[]] $Values
    )
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count % 2) { return $sorted[[int][math]::Floor($sorted.Count / 2)] }
    ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2
}

function Measure-Median {
    <#
    .SYNOPSIS
    Runs an action Count times and returns the median time in milliseconds.
    #>
    [CmdletBinding()]
    [OutputType([double])]
    param(
        [Parameter(Mandatory)]
        [scriptblock] $Action,

        [Parameter(Mandatory)]
        [int] $Count
    )
    $samples = foreach ($i in 1..$Count) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        & $Action
        $watch.Stop()
        $watch.Elapsed.TotalMilliseconds
    }
    Get-Median -Values $samples
}

Export-ModuleMember -Function Get-Median, Measure-Median
