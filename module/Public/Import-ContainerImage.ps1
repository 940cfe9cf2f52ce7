function Import-ContainerImage {
    <#
    .SYNOPSIS
    Imports a container image from a local file into the linux backend's image store.

    .DESCRIPTION
    Import-ContainerImage reads an image from a file, never from a registry:

    - a root filesystem tarball (.tar or .tar.gz), such as the busybox rootfs
      that build/setup.sh builds;
    - a 'docker save' archive (manifest.json and layer tarballs);
    - an OCI image layout (index.json, manifests, layer blobs), as a
      directory or a tarball.

    Layers are applied in order and whiteouts honoured. Archives with paths
    that leave the image ('..', absolute paths, links pointing outside) are
    refused (InvalidImageArchive) and nothing is imported. A failed import
    leaves nothing behind.

    .PARAMETER Path
    The tarball, archive or layout directory.

    .PARAMETER Name
    The image's name: 1 to 64 lowercase letters, digits, '.', '_', '-'.

    .EXAMPLE
    Import-ContainerImage -Path ./.tools/images/busybox-rootfs.tar -Name busybox

    Imports the busybox root filesystem that the setup script builds.

    .EXAMPLE
    Import-ContainerImage -Path ./alpine.tar -Name alpine

    Imports alpine.tar, an image saved on another machine with
    'docker save alpine:3.20 -o alpine.tar': its layers in order, and its
    default command from the image's config.

    .INPUTS
    System.Management.Automation.PSObject
    Objects with a Path (or FullName, as Get-ChildItem gives) and a Name property, by property name.

    .OUTPUTS
    WindowsContainers.ContainerImage

    .LINK
    https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container

    .LINK
    about_WindowsContainers

    .LINK
    Get-ContainerImage

    .LINK
    Remove-ContainerImage

    .LINK
    New-IsolatedContainer
    #>
    [CmdletBinding(SupportsShouldProcess, HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    [OutputType('WindowsContainers.ContainerImage')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('FullName')]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Name
    )

    process {
        # The core runs elsewhere: hand it an absolute file-system path.
        $resolved = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Path)
        if (-not (Confirm-ContainerAction -Cmdlet $PSCmdlet -Target $resolved -Action "Import as image '$Name'" -NotDone "nothing was imported from '$resolved'")) { return }
        $failure = $null
        $record = Invoke-CoreCommand -Command 'image.import' -Arguments @{ path = $resolved; name = $Name } -TimeoutSeconds 600 -TargetObject $Name -Failure ([ref]$failure)
        if ($null -ne $failure) {
            # One archive of many: the others are still imported.
            $PSCmdlet.WriteError($failure)
            return
        }
        New-ContainerImageObject -Record $record
    }
}
