function Get-CoreBundlePath {
    <#
    .SYNOPSIS
    The path of the core bundle the bridge runs with node.
    .DESCRIPTION
    WINDOWSCONTAINERS_CORE overrides it (tests point it at a stand-in); the
    default is dist/windowscontainers-core.cjs in the module's base folder,
    the folder of the manifest that loaded it: the checkout's root (for
    Import-Module ./WindowsContainers.psd1) or the installed version's folder
    (output/WindowsContainers/<version>/, as Install-PSResource lays it out).
    koffi's loader and native parts sit beside it in node_modules/ in both.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    if ($env:WINDOWSCONTAINERS_CORE) {
        return $env:WINDOWSCONTAINERS_CORE
    }
    $moduleBase = $ExecutionContext.SessionState.Module.ModuleBase
    return [System.IO.Path]::GetFullPath((Join-Path $moduleBase 'dist' 'windowscontainers-core.cjs'))
}
