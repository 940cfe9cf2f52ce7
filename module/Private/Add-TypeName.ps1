function Add-TypeName {
    <#
    .SYNOPSIS
    Puts a WindowsContainers type name first on an object whose properties are already set, and passes it on.
    .DESCRIPTION
    The builders set the properties first and the type name last, instead of
    PSTypeName = ... inside the hashtable: WindowsContainers.Types.ps1xml
    declares each type's properties (for tab completion), and a hashtable
    cast that already carries the type name would try to set those
    getter-only declarations instead of adding the object's own values.
    #>
    [CmdletBinding()]
    [OutputType([psobject])]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidatePattern('^WindowsContainers\.\w+$')]
        [string] $TypeName,

        [Parameter(Mandatory, ValueFromPipeline)]
        [psobject] $InputObject
    )

    process {
        $InputObject.PSObject.TypeNames.Insert(0, $TypeName)
        $InputObject
    }
}
