function Get-CoreBundlePath {
    <#
    .SYNOPSIS
    The path of the core bundle the bridge runs with node.
    .DESCRIPTION
    WINDOWSCONTAINERS_CORE overrides it (tests point it at a stand-in); the
    default is dist/windowscontainers-core.cjs beside the module's manifest.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    if ($env:WINDOWSCONTAINERS_CORE) {
        return $env:WINDOWSCONTAINERS_CORE
    }
    return [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..' 'dist' 'windowscontainers-core.cjs'))
}
