@{
    RootModule           = 'module/WindowsContainers.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0f3c64-8a0e-4f6b-9a52-3c1e7b2d9f41'
    Author               = 'WindowsContainers contributors'
    CompanyName          = 'WindowsContainers'
    Copyright            = '(c) WindowsContainers contributors. MIT License.'
    Description          = 'Creates containers with process or Hyper-V isolation and proves which isolation a container really has, as objects and Pester-friendly checks.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('module/WindowsContainers.Format.ps1xml')
    TypesToProcess       = @('module/WindowsContainers.Types.ps1xml')
    FunctionsToExport    = @(
        'Get-ContainerHost'
        'Get-ContainerImage'
        'Get-ContainerLog'
        'Get-ContainerProcess'
        'Get-IsolatedContainer'
        'Import-ContainerImage'
        'Invoke-ContainerCommand'
        'Invoke-ContainerIsolationCheck'
        'New-IsolatedContainer'
        'Remove-ContainerImage'
        'Remove-IsolatedContainer'
        'Restart-IsolatedContainer'
        'Start-IsolatedContainer'
        'Set-IsolatedContainerState'
        'Stop-IsolatedContainer'
        'Test-ContainerIsolation'
        'Test-IsolatedContainerState'
        'Test-IsolationCompatibility'
    )
    CmdletsToExport      = @()
    DscResourcesToExport = @('IsolatedContainer')
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Containers', 'Windows', 'Hyper-V', 'Isolation', 'HCS', 'Docker', 'Pester')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'See CHANGELOG.md; the package that npm run package builds carries its version''s section.'
        }
    }
}
