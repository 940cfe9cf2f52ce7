function Test-IsolationCompatibility {
    <#
    .SYNOPSIS
    Tells whether Windows container images can run on a host under process or Hyper-V isolation, and why not.

    .DESCRIPTION
    Test-IsolationCompatibility answers the most common reason a Windows
    container fails to start — a build mismatch between the image and the
    host — before anything is created. It follows Microsoft's "Windows
    container version compatibility" page cell for cell:

    - Process isolation needs the image's build to match the host's. The page's
      exceptions: a Windows Server 2025 host also runs ltsc2022 images; Windows 11
      runs ltsc2022 images, and ltsc2025 images from 24H2 (build 26100) on.
      Windows 10 runs no Windows Server image with process isolation.
    - Hyper-V isolation runs images of the host's build or older, never newer.
    - Windows Server 2016 (14393) also needs the same revision under process isolation.

    For every image and every isolation it returns one
    WindowsContainers.IsolationCompatibility object with Allowed ($true, $false,
    or $null when the image's or the host's build is not in the module's
    catalogue — never a guess), the reason in words and a suggestion.

    The image's build is read from its reference: ltsc2016/2019/2022/2025,
    1809, 1903, 1909, 2004, 20H2 tags (also with -KBnnnnnnn or -amd64),
    10.0.<build>.<revision> tags, and derived tags such as
    4.8-windowsservercore-ltsc2022. For a digest reference or a private image
    give the build with -ImageBuild (the OsVersion of the image's config).

    The host is this machine (Get-ContainerHost) unless -HostBuild or
    -HostEdition names another one, which also lets you plan for a fleet from
    any machine. On a host that is not Windows, -HostBuild or -HostEdition is
    required.

    Images from the pipeline are collected and checked in one call to the core
    (one per 1000 images).

    .PARAMETER Image
    Image references, such as mcr.microsoft.com/windows/servercore:ltsc2022.
    Accepts pipeline input by value and by property name (Image).

    .PARAMETER ImageBuild
    The Windows build of the image when its reference does not say it: a build
    number (17763), <build>.<revision> or the OsVersion from the image's config
    (10.0.17763.5458). Applies to every image of the call; binds by property name.

    .PARAMETER Isolation
    The isolation(s) to check: Process, HyperV, or Default (the host's default:
    process on Windows Server, Hyper-V on Windows 10/11). Without it both Process
    and HyperV are checked.

    .PARAMETER HostBuild
    The host to check against, as a build (20348), a version (10.0.20348 or
    10.0.20348.2527) or Docker's KernelVersion. Without it (and without
    -HostEdition) this machine is used.

    .PARAMETER HostEdition
    The host to check against, as an edition name: 'Windows Server 2022',
    'Windows 11 24H2', 'Windows 10 22H2'. Tells Server from client for builds
    both share (17763 is Windows Server 2019 and Windows 10 1809).

    .PARAMETER Backend
    The backend that would run the container (linux, docker, hcs). It only
    changes what -Isolation Default means: on the linux backend, Default is Process.

    .PARAMETER Quiet
    Return only $true or $false per image for the one -Isolation given. An
    unknown answer returns $false with a warning that says why.

    .EXAMPLE
    Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2019 -HostEdition 'Windows Server 2022'

    The classic mismatch: an ltsc2019 image on a Windows Server 2022 host. Process
    isolation is refused ("Process isolation needs the image's build to match the
    host's: the host is Windows Server 2022 (20348), the image is ltsc2019 (17763).",
    suggestion "Use -Isolation HyperV, or an ltsc2022 image."); Hyper-V isolation is allowed.

    .EXAMPLE
    'mcr.microsoft.com/windows/servercore:ltsc2019', 'mcr.microsoft.com/windows/nanoserver:ltsc2022' | Test-IsolationCompatibility -HostBuild 10.0.26100

    Checks two images against a Windows Server 2025 host, as a table: one row per
    image and isolation.

    .EXAMPLE
    if (-not (Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2022 -Isolation Process -Quiet)) { throw 'Rebuild the image for this host' }

    A gate for a pipeline or runbook on this machine: $true or $false only.

    .EXAMPLE
    Test-IsolationCompatibility -Image 'contoso.azurecr.io/app@sha256:<digest>' -ImageBuild 10.0.17763.5458 -HostEdition 'Windows 11 24H2'

    A digest names no release: the image's build comes from -ImageBuild (docker
    image inspect shows it as OsVersion).

    .EXAMPLE
    Test-IsolationCompatibility -Image mcr.microsoft.com/windows/servercore:ltsc2022 -HostEdition 'Windows 10 22H2' | Where-Object -Not Allowed | Format-List Isolation, Reason, Suggestion

    Shows why a Windows 10 workstation cannot run an ltsc2022 image under either isolation.

    .EXAMPLE
    Get-IsolatedContainer | Test-IsolationCompatibility -HostEdition 'Windows Server 2025' -Isolation Process | Where-Object Allowed -EQ $false

    Before upgrading a host to Windows Server 2025: which of its containers' images
    would no longer start with process isolation there (containers bind by their
    Image property).

    .INPUTS
    System.String
    Objects with an Image property (and optionally ImageBuild).

    .OUTPUTS
    WindowsContainers.IsolationCompatibility
    System.Boolean (with -Quiet)
    #>
    [CmdletBinding(DefaultParameterSetName = 'Detailed')]
    [OutputType('WindowsContainers.IsolationCompatibility', ParameterSetName = 'Detailed')]
    [OutputType([bool], ParameterSetName = 'Quiet')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Image,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string] $ImageBuild,

        [Parameter(ParameterSetName = 'Detailed')]
        [Parameter(Mandatory, ParameterSetName = 'Quiet')]
        [ValidateSet('Process', 'HyperV', 'Default')]
        [string[]] $Isolation = @('Process', 'HyperV'),

        [ValidateNotNullOrEmpty()]
        [string] $HostBuild,

        [ValidateNotNullOrEmpty()]
        [string] $HostEdition,

        [ValidateSet('linux', 'docker', 'hcs')]
        [string] $Backend,

        [Parameter(Mandatory, ParameterSetName = 'Quiet')]
        [switch] $Quiet
    )

    begin {
        if ($Quiet -and @($Isolation).Count -ne 1) {
            $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'QuietNeedsOneIsolation' -Category InvalidArgument -TargetObject $Isolation `
                        -Message "-Quiet answers one question per image, but -Isolation has $(@($Isolation).Count) values ($($Isolation -join ', ')). Give exactly one: -Isolation Process, HyperV or Default."))
        }
        $images = [System.Collections.Generic.List[hashtable]]::new()
    }

    process {
        foreach ($reference in $Image) {
            $entry = @{ reference = $reference }
            if ($PSBoundParameters.ContainsKey('ImageBuild') -and $ImageBuild) { $entry.imageBuild = $ImageBuild }
            $images.Add($entry)
        }
    }

    end {
        if ($images.Count -eq 0) { return }

        $arguments = @{ isolations = @($Isolation) }
        if ($Backend) { $arguments.backend = $Backend }
        if ($HostBuild -or $HostEdition) {
            $hostSpec = @{}
            if ($HostBuild) { $hostSpec.build = $HostBuild }
            if ($HostEdition) { $hostSpec.edition = $HostEdition }
            $arguments.host = $hostSpec
        }
        else {
            try {
                # Only the OS is needed: no KVM test boot.
                $info = Invoke-CoreCommand -Command 'host.info' -Arguments @{ thorough = $false } -TimeoutSeconds 60
            }
            catch {
                $PSCmdlet.ThrowTerminatingError($_)
            }
            if ($info.os.platform -ne 'win32' -or $null -eq $info.os.build) {
                $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'HostBuildRequired' -Category InvalidOperation -TargetObject $info.os.name `
                            -Message "This host runs $($info.os.name), not Windows, so there is no host build to check Windows images against. Pass the Windows host to plan for: -HostBuild (for example 20348 or 10.0.20348.2527) or -HostEdition (for example 'Windows Server 2022')."))
            }
            $hostSpec = @{ build = [int]$info.os.build }
            if ($info.os.hostClass) { $hostSpec.class = [string]$info.os.hostClass }
            $arguments.host = $hostSpec
        }

        # One request per chunk of images (the core takes up to 5000 per request,
        # and a request must stay under 1 MB): one round trip for any usual batch.
        $chunkSize = 1000
        for ($offset = 0; $offset -lt $images.Count; $offset += $chunkSize) {
            $request = $arguments.Clone()
            $request.images = $images.GetRange($offset, [math]::Min($chunkSize, $images.Count - $offset)).ToArray()
            try {
                $body = Invoke-CoreCommand -Command 'isolation.compatibility' -Arguments $request -TimeoutSeconds 120
            }
            catch {
                $PSCmdlet.ThrowTerminatingError($_)
            }

            foreach ($result in $body.results) {
                if ($null -ne $result.error) {
                    $PSCmdlet.WriteError((New-CoreErrorRecord -ErrorId $result.error.code -Category InvalidArgument -TargetObject $result.image -Message $result.error.message))
                    continue
                }
                if ($Quiet) {
                    if ($null -eq $result.allowed) {
                        Write-Warning "$($result.image) under $($result.isolation) isolation: unknown, answering `$false. $($result.reason)"
                        $false
                    }
                    else {
                        [bool]$result.allowed
                    }
                    continue
                }
                [pscustomobject]@{
                    PSTypeName         = 'WindowsContainers.IsolationCompatibility'
                    Image              = $result.image
                    Isolation          = $result.isolation
                    Allowed            = $result.allowed
                    Reason             = $result.reason
                    Suggestion         = $result.suggestion
                    ImageBuild         = $result.imageBuild
                    HostBuild          = $result.hostBuild
                    ImageRelease       = $result.imageRelease
                    ImageRevision      = $result.imageRevision
                    Host               = $body.host.name
                    RequestedIsolation = $result.requestedIsolation
                    Source             = $result.source
                }
            }
        }
    }
}
