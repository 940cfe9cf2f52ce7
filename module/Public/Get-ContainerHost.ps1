function Get-ContainerHost {
    <#
    .SYNOPSIS
    Describes this container host: its OS and build, its class, the isolation it defaults to, and which backends it can use.

    .DESCRIPTION
    Get-ContainerHost asks the WindowsContainers core what kind of host this
    is and probes every backend:

    - linux: runc for process isolation and a QEMU utility VM for Hyper-V-class
      isolation (any Linux host, as root).
    - docker: the Docker Engine API over the named pipe (Windows) or a unix socket.
    - hcs: the Host Compute Service (computecore.dll, Windows only).

    For each backend it says whether the backend is usable here and, when it
    is not, why and what to install. On Linux, UtilityVmKernel names the guest
    kernel Hyper-V-class containers boot (minimal, cloud or generic, best
    first, from the kernels directory set-up fills) and why that one; getting
    the accelerator right may take one short KVM test boot, cached after.
    Missing lists, one line each, what this host lacks for the linux backend
    and how to get it (runc for process isolation; QEMU, a kernel, a static
    busybox for Hyper-V-class isolation); a missing Node.js stops the command
    itself with NodeNotFound or NodeTooOld, whose message says how to fix it.
    The default isolation follows Windows'
    own rule: process isolation on Windows Server, Hyper-V isolation on
    Windows 10/11; on Linux the default is process isolation.

    .EXAMPLE
    Get-ContainerHost

    Shows the host's OS, build, class, default isolation and a table of backends.

    .EXAMPLE
    (Get-ContainerHost).Backends | Where-Object Usable

    Lists only the backends that can be used on this host.

    .EXAMPLE
    Get-ContainerHost | Format-List ComputerName, OperatingSystem, Build, Revision, HostClass, DefaultIsolation

    The facts Test-IsolationCompatibility and New-IsolatedContainer decide by.
    To compare the hosts of a fleet, run the same line through remoting:
    Invoke-Command -ComputerName node1, node2 { Get-ContainerHost }.

    .INPUTS
    None. Get-ContainerHost takes no pipeline input.

    .OUTPUTS
    WindowsContainers.ContainerHost

    .LINK
    https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container

    .LINK
    about_WindowsContainers

    .LINK
    Test-IsolationCompatibility

    .LINK
    New-IsolatedContainer
    #>
    [CmdletBinding(HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    [OutputType('WindowsContainers.ContainerHost')]
    param()

    $failure = $null
    $info = Invoke-CoreCommand -Command 'host.info' -TimeoutSeconds 60 -Failure ([ref]$failure)
    if ($null -ne $failure) { $PSCmdlet.ThrowTerminatingError($failure) }

    $backends = foreach ($backend in $info.backends) {
        [pscustomobject]@{
            PSTypeName = 'WindowsContainers.BackendStatus'
            Name       = $backend.name
            Usable     = [bool]$backend.usable
            Isolations = [string[]]@($backend.isolations)
            Reason     = $backend.reason
            Details    = $backend.details
        }
    }

    # The linux backend's utility-VM kernel, in one line: which, how it boots, why.
    $kernel = $null
    $linux = $info.backends | Where-Object { $_.name -eq 'linux' } | Select-Object -First 1
    $vm = if ($linux -and $linux.details -and $linux.details.PSObject.Properties['utilityVm']) { $linux.details.utilityVm }
    if ($vm -and $vm.PSObject.Properties['kernelFlavour'] -and $vm.kernelFlavour) {
        # "<flavour> kernel <version> (<path>, PVH with qboot|bzImage): <why>"
        $kernel = [string]$vm.kernelReason
    }

    [pscustomobject]@{
        PSTypeName       = 'WindowsContainers.ContainerHost'
        ComputerName     = $info.computerName
        OperatingSystem  = $info.os.name
        Platform         = $info.os.platform
        Version          = $info.os.version
        Build            = $info.os.build
        Revision         = $info.os.revision
        HostClass        = $info.os.hostClass
        Architecture     = $info.os.architecture
        DefaultIsolation = $info.defaultIsolation
        Backends         = @($backends)
        UtilityVmKernel  = $kernel
        Missing          = [string[]]@(Get-MissingHostDependency -Backend @($info.backends))
        CoreVersion      = $info.core.version
    }
}
