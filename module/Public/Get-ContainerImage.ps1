function Get-ContainerImage {
    <#
    .SYNOPSIS
    Gets the images in the linux backend's local image store.

    .DESCRIPTION
    Get-ContainerImage lists images imported with Import-ContainerImage,
    with their format, layer count, size and default command. -Name takes
    wildcards; a name without wildcards that matches nothing is an error
    (ImageNotFound).

    .PARAMETER Name
    Names or wildcard patterns. Defaults to all images.

    .EXAMPLE
    Get-ContainerImage

    Lists every image.

    .EXAMPLE
    Get-ContainerImage -Name busy*

    Lists the images whose names start with busy.

    .INPUTS
    System.String
    Image names or wildcard patterns, by value or by property name (Name).

    .OUTPUTS
    WindowsContainers.ContainerImage

    .LINK
    https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container

    .LINK
    about_WindowsContainers

    .LINK
    Import-ContainerImage

    .LINK
    Remove-ContainerImage

    .LINK
    New-IsolatedContainer
    #>
    [CmdletBinding(HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    [OutputType('WindowsContainers.ContainerImage')]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [SupportsWildcards()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name = @('*')
    )

    begin {
        $patterns = [System.Collections.Generic.List[string]]::new()
    }

    process {
        foreach ($n in $Name) { $patterns.Add($n) }
    }

    end {
        $failure = $null
        $body = Invoke-CoreCommand -Command 'image.list' -Arguments @{ names = @($patterns) } -TimeoutSeconds 60 -Failure ([ref]$failure)
        if ($null -ne $failure) { $PSCmdlet.ThrowTerminatingError($failure) }
        foreach ($record in @($body.images)) { New-ContainerImageObject -Record $record }
        foreach ($problem in @($body.errors)) {
            $PSCmdlet.WriteError((New-CoreErrorRecord -CoreError $problem -TargetObject $problem.name))
        }
    }
}
