function Remove-ContainerImage {
    <#
    .SYNOPSIS
    Removes an image from the linux backend's local image store.

    .DESCRIPTION
    Remove-ContainerImage deletes an imported image. Containers created from
    it keep working: each has its own copy of the root filesystem.

    .PARAMETER Name
    The image's name.

    .EXAMPLE
    Remove-ContainerImage -Name busybox

    Removes the busybox image.

    .EXAMPLE
    Get-ContainerImage test-* | Remove-ContainerImage -WhatIf

    Shows which images would be removed.

    .OUTPUTS
    None
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name
    )

    process {
        foreach ($n in $Name) {
            if (-not $PSCmdlet.ShouldProcess($n, 'Remove image')) { continue }
            try {
                $null = Invoke-CoreCommand -Command 'image.remove' -Arguments @{ name = $n } -TimeoutSeconds 120 -TargetObject $n
            }
            catch {
                $PSCmdlet.WriteError($_)
            }
        }
    }
}
