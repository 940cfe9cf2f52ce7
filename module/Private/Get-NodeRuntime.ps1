function Get-NodeRuntime {
    <#
    .SYNOPSIS
    The Node.js the core runs with: its path and version, or one error that says how to fix it.
    .DESCRIPTION
    Looks at $env:WINDOWSCONTAINERS_NODE first, then node on PATH, and asks
    that node for its version (node --version, bounded by a timeout). The
    answer is remembered per path and file time, so only the first core start
    of a session pays for the extra process.

    Errors (terminating, stable ids):
    - NodeNotFound: no node on PATH, WINDOWSCONTAINERS_NODE names no file, or
      the program does not answer --version as Node.js does;
    - NodeTooOld: older than the minimum (package.json's engines.node).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [int] $TimeoutSeconds = 15
    )

    # Keep in step with package.json "engines": { "node": ">=20.11" } (a packaging test checks it).
    $minimum = [version]'20.11.0'
    $fix = "Install Node.js $($minimum.Major) LTS or later (https://nodejs.org/en/download, or your package manager, e.g. apt-get install nodejs), or set `$env:WINDOWSCONTAINERS_NODE to the full path of a node $($minimum.Major).$($minimum.Minor) or later."

    if ($env:WINDOWSCONTAINERS_NODE) {
        $node = $env:WINDOWSCONTAINERS_NODE
        if (-not (Test-Path -LiteralPath $node -PathType Leaf)) {
            throw (New-CoreErrorRecord -ErrorId 'NodeNotFound' -Category NotInstalled -TargetObject $node `
                    -Message "`$env:WINDOWSCONTAINERS_NODE is '$node', which is not a file. WindowsContainers runs its core with Node.js $($minimum.Major).$($minimum.Minor) or later. Point it at node's executable, or remove it to use node from PATH." `
                    -RecommendedAction $fix)
        }
        $node = [System.IO.Path]::GetFullPath($node)
    }
    else {
        $command = Get-Command -Name node -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if (-not $command) {
            throw (New-CoreErrorRecord -ErrorId 'NodeNotFound' -Category NotInstalled -TargetObject 'node' `
                    -Message "Node.js was not found: `$env:WINDOWSCONTAINERS_NODE is not set and there is no node on PATH. WindowsContainers runs its core with Node.js $($minimum.Major).$($minimum.Minor) or later. $fix" `
                    -RecommendedAction $fix)
        }
        $node = $command.Source
    }

    $stamp = (Get-Item -LiteralPath $node).LastWriteTimeUtc.Ticks
    $cache = Get-Variable -Name NodeRuntimeCache -Scope Script -ValueOnly -ErrorAction Ignore
    if ($cache -and $cache.Path -eq $node -and $cache.Stamp -eq $stamp) {
        return $cache
    }

    $text = $null
    try {
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new($node)
        $startInfo.ArgumentList.Add('--version')
        $startInfo.UseShellExecute = $false
        $startInfo.RedirectStandardOutput = $true
        $startInfo.RedirectStandardError = $true
        $startInfo.RedirectStandardInput = $true
        $process = [System.Diagnostics.Process]::Start($startInfo)
        try {
            $process.StandardInput.Close()
            $read = $process.StandardOutput.ReadToEndAsync()
            $null = $process.StandardError.ReadToEndAsync()
            if ($process.WaitForExit($TimeoutSeconds * 1000)) {
                $text = $read.GetAwaiter().GetResult().Trim()
            }
            else {
                $process.Kill()
            }
        }
        finally { $process.Dispose() }
    }
    catch {
        $text = $null
    }

    # node --version prints one line: v20.19.2
    $version = $null
    if (-not ($text -match '^v(\d+)\.(\d+)\.(\d+)$' -and [version]::TryParse("$($Matches[1]).$($Matches[2]).$($Matches[3])", [ref]$version))) {
        throw (New-CoreErrorRecord -ErrorId 'NodeNotFound' -Category NotInstalled -TargetObject $node `
                -Message "'$node' did not answer --version as Node.js does (within $TimeoutSeconds s), so it cannot run the WindowsContainers core. $fix" `
                -RecommendedAction $fix)
    }
    if ($version -lt $minimum) {
        throw (New-CoreErrorRecord -ErrorId 'NodeTooOld' -Category NotInstalled -TargetObject $node `
                -Message "Node.js $version at '$node' is too old: WindowsContainers runs its core with Node.js $($minimum.Major).$($minimum.Minor) or later. $fix" `
                -RecommendedAction $fix)
    }

    $runtime = [pscustomobject]@{
        Path    = $node
        Version = $version
        Stamp   = $stamp
    }
    # -WhatIf/-Confirm of the calling command must not reach this cache write.
    Set-Variable -Name NodeRuntimeCache -Scope Script -Value $runtime -WhatIf:$false -Confirm:$false
    return $runtime
}
