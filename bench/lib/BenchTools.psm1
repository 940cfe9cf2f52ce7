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

function Start-RuncDetached {
    <#
    .SYNOPSIS
    Runs `runc … run --detach …` directly (no shell, whose own start-up would count as runc's), as PowerShell starts any native command.
    #>
    param(
        [Parameter(Mandatory)] [string] $Runc,
        [Parameter(Mandatory)] [string[]] $Arguments
    )
    # runc hands its stdio to the container, which keeps it: started with pipes
    # nobody waits on (a native call from PowerShell would wait for them to close).
    $info = [System.Diagnostics.ProcessStartInfo]::new($Runc)
    foreach ($argument in $Arguments) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $process.StandardInput.Close()
        if (-not $process.WaitForExit(60000)) { throw 'runc run did not finish within 60 s' }
        if ($process.ExitCode -ne 0) { throw "runc run failed ($($process.ExitCode)): $($process.StandardError.ReadToEnd())" }
    }
    finally {
        $process.Dispose()
    }
}

Export-ModuleMember -Function Get-Median, Measure-Median, Start-RuncDetached
