# Helpers for tests that need a PowerShell other than the one running Pester:
# a fresh pwsh process (another directory, another HOME, another module path)
# and a private folder only this test can read.

function Get-PwshPath {
    # The real pwsh executable of this PowerShell (with the .NET tool it is
    # <nuget>/powershell/<version>/tools/<tfm>/any/unix/pwsh, not the dotnet shim).
    $name = if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }
    $path = Join-Path $PSHOME $name
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { throw "This PowerShell has no $name in `$PSHOME ($PSHOME)." }
    $path
}

function New-PrivateTestFolder([string] $Prefix) {
    # Created 0700 before anything goes in: keys, repositories and state never sit in a folder others can read.
    $path = Join-Path ([System.IO.Path]::GetTempPath()) "$Prefix-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $path
    if (-not $IsWindows) { [System.IO.File]::SetUnixFileMode($path, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }
    $path
}

function Invoke-FreshPwsh {
    # Runs a script in a new pwsh (-NoProfile -NonInteractive) with the given
    # environment changes and working directory; returns exit code and output.
    param(
        [Parameter(Mandatory)] [string] $Script,
        [Parameter(Mandatory)] [string] $WorkingDirectory,
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 600
    )
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new((Get-PwshPath))
    $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Script))
    foreach ($arg in '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) { $startInfo.ArgumentList.Add($arg) }
    $startInfo.WorkingDirectory = $WorkingDirectory
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    foreach ($key in $Environment.Keys) {
        if ($null -eq $Environment[$key]) { $null = $startInfo.Environment.Remove($key) } else { $startInfo.Environment[$key] = [string]$Environment[$key] }
    }
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "The fresh pwsh did not finish within $TimeoutSeconds s. Output so far: $($stdout.Result)"
        }
        $process.WaitForExit()
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Output   = $stdout.GetAwaiter().GetResult()
            Errors   = $stderr.GetAwaiter().GetResult()
        }
    }
    finally { $process.Dispose() }
}
