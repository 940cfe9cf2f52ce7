function New-ContainerImageObject {
    <#
    .SYNOPSIS
    Builds a WindowsContainers.ContainerImage from the core's image record.
    #>
    [CmdletBinding()]
    [OutputType('WindowsContainers.ContainerImage')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [object] $Record
    )

    process {
        [pscustomobject]@{
            PSTypeName     = 'WindowsContainers.ContainerImage'
            Name           = [string]$Record.name
            Format         = [string]$Record.format
            Layers         = [int]$Record.layers
            SizeBytes      = [long]$Record.sizeBytes
            Files          = [int]$Record.files
            DefaultCommand = [string[]]@($Record.defaultCommand)
            WorkingDirectory = $Record.workingDir
            Environment    = [string[]]@($Record.env)
            ImportedAt     = ConvertTo-ContainerDate $Record.importedAt
            Source         = [string]$Record.source
            RootfsPath     = [string]$Record.rootfs
        }
    }
}
