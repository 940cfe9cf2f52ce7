function Remove-ContainerImage {
    <#
    .SYNOPSIS
    Removes an image from the linux backend's local image store.

    .DESCRIPTION
    Remove-ContainerImage deletes an imported image. A process-isolated
    container's root filesystem is an overlay of its image (the container's
    writes are kept apart, in the container's own directory), so an image is
    not removed while a container uses it: the error ImageInUse names those
    containers; remove them first. Where overlayfs cannot be used, containers
    get a copy of the image instead and do not hold it.

    .PARAMETER Name
    The image's name.

    .EXAMPLE
    Remove-ContainerImage -Name busybox

    Removes the busybox image.

    .EXAMPLE
    Get-ContainerImage test-* | Remove-ContainerImage -WhatIf

    Shows which images would be removed.

    .INPUTS
    System.String
    Image names, by value ('busybox', 'alpine' | Remove-ContainerImage), one item each.
    WindowsContainers.ContainerImage
    Images from Get-ContainerImage, or any object with a Name property, by property name.

    .OUTPUTS
    None

    .LINK
    https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container

    .LINK
    about_WindowsContainers

    .LINK
    Get-ContainerImage

    .LINK
    Import-ContainerImage
    #>
    [CmdletBinding(SupportsShouldProcess, HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name
    )

    process {
        foreach ($n in $Name) {
            if (-not (Confirm-ContainerAction -Cmdlet $PSCmdlet -Target $n -Action 'Remove image' -NotDone "image '$n' was not removed")) { continue }
            $failure = $null
            $null = Invoke-CoreCommand -Command 'image.remove' -Arguments @{ name = $n } -TimeoutSeconds 120 -TargetObject $n -Failure ([ref]$failure)
            if ($null -ne $failure) { $PSCmdlet.WriteError($failure) }
        }
    }
}
