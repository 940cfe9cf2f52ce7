function New-IsolatedContainer {
    <#
    .SYNOPSIS
    Creates and starts a container with process or Hyper-V isolation.

    .DESCRIPTION
    New-IsolatedContainer creates a container from a local image and starts
    its command. -Isolation Process runs the container's processes on the
    host's own kernel (Windows: a silo; Linux: runc namespaces and cgroups);
    -Isolation HyperV runs them inside a utility VM with its own kernel.
    -Isolation Default applies the host's rule (Windows Server: Process,
    Windows 10/11: HyperV, Linux: Process); -Verbose says what it chose.

    The backend is chosen automatically (Windows: hcs, then docker; Linux:
    linux, then docker) unless -Backend names one. Commands that act on the
    container later find it by name, whatever backend holds it.

    Container names are 1 to 63 characters: letters, digits, '_', '.', '-',
    starting with a letter or digit. They are case-insensitive, as on
    Windows: the container keeps the case it was created with, and a name
    that differs from an existing one only by case is refused
    (ContainerAlreadyExists). A failure half-way through leaves nothing
    behind.

    Before anything is created, a Windows image that cannot run on this host
    under the requested isolation (an ltsc2019 image on Windows Server 2022
    with process isolation, for example) is refused with the error
    ImageIncompatibleWithHost, the reason and what to do instead, following
    Microsoft's version-compatibility table (see Test-IsolationCompatibility).
    A Windows image whose build cannot be told (a digest reference) gets a
    warning, and the backend decides. The check is part of the one call
    that creates the container.

    A container that cannot be created is reported as a non-terminating
    error and the next one from the pipeline is still created; use
    -ErrorAction Stop to stop at the first failure.

    .PARAMETER Name
    The container's name, unique on this host.

    .PARAMETER Image
    The image to run: on the linux backend a name from Get-ContainerImage
    (import one with Import-ContainerImage; Tab completes the names).

    .PARAMETER Isolation
    Process, HyperV or Default (the host's default isolation).

    .PARAMETER Command
    The command and its arguments, as separate strings. Defaults to the
    image's own command, if it has one.

    .PARAMETER Environment
    Environment variables for the command, added to the image's.

    .PARAMETER WorkingDirectory
    The absolute directory the command starts in.

    .PARAMETER Backend
    linux, docker or hcs. Leave it out to let the module choose.

    .PARAMETER MemoryMB
    Memory limit in MiB.

    .PARAMETER CpuCount
    CPU limit in CPUs (1.5 = one and a half CPUs), at least 0.01 (the
    smallest quota the runtime enforces).

    .PARAMETER User
    The user the container's command runs as, overriding the image's User:
    uid[:gid] (e.g. 65534:65534) or a name[:group] from the image's own
    /etc/passwd and /etc/group. Without it the image's User is used (as
    Docker does), and root when the image names none. Honoured under both
    isolations; -Verbose says which user was chosen.

    .PARAMETER UserNamespace
    Process isolation only: runs the container in a user namespace, so its
    root is an unprivileged host user (uids 1000000000 and up). runc 1.1.5
    has no idmapped mounts, so the rootfs becomes a copy of the image with
    shifted owners instead of an overlay; -Verbose says so.

    .EXAMPLE
    New-IsolatedContainer -Name web -Image busybox -Isolation Process -Command ping, 127.0.0.1

    Starts a process-isolated busybox container that pings its own loopback.

    .EXAMPLE
    New-IsolatedContainer -Name sandboxed -Image busybox -Command sleep, 600 -User 65534:65534 -UserNamespace -Verbose

    Runs the command as uid 65534 inside a user namespace whose root is an unprivileged host uid.

    .EXAMPLE
    New-IsolatedContainer -Name probe -Image busybox -Command sleep, 3600 -Isolation Default -Verbose

    Lets the host decide the isolation; the verbose stream says which one it chose and why.

    .EXAMPLE
    1..3 | ForEach-Object { New-IsolatedContainer -Name "worker-$_" -Image busybox -Command sleep, 600 -MemoryMB 64 -CpuCount 0.5 }

    Creates three containers, each limited to 64 MiB and half a CPU.

    .EXAMPLE
    New-IsolatedContainer -Name web -Image busybox -Command sh, -c, 'echo $GREETING; sleep 60' -Environment @{ GREETING = 'hello' } -WhatIf

    Shows what would be created without creating anything.

    .EXAMPLE
    'worker-1', 'worker-2' | New-IsolatedContainer -Image busybox -Command sleep, 600

    Creates one container per name from the pipeline, each from the same
    image and command. A name that cannot be used is an error for that name
    alone; the other containers are still created.

    .INPUTS
    System.String
    Names of the containers to create, by value ('web-1', 'web-2' | New-IsolatedContainer -Image busybox): one container per name.
    System.Management.Automation.PSObject
    Objects with Name and Image properties, by property name: one container per object.

    .OUTPUTS
    WindowsContainers.Container

    .LINK
    https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container

    .LINK
    about_WindowsContainers

    .LINK
    Test-IsolationCompatibility

    .LINK
    Get-IsolatedContainer

    .LINK
    Test-ContainerIsolation

    .LINK
    Remove-IsolatedContainer
    #>
    [CmdletBinding(SupportsShouldProcess, HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    [OutputType('WindowsContainers.Container')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Image,

        [ValidateSet('Process', 'HyperV', 'Default')]
        [string] $Isolation = 'Default',

        [Parameter(Position = 2)]
        [string[]] $Command = @(),

        [hashtable] $Environment = @{},

        [string] $WorkingDirectory,

        [ValidateSet('linux', 'docker', 'hcs')]
        [string] $Backend,

        [ValidateRange(6, 1048576)]
        [int] $MemoryMB,

        [ValidateRange(0.01, 1024)]
        [double] $CpuCount,

        # uid[:gid] or name[:group]: the core's rule, whose message names the value and the forms it takes.
        [string] $User,

        [switch] $UserNamespace
    )

    begin {
        # One value rule: 'process' or 'LINUX' reach the core as Process and linux.
        $Isolation = Get-CanonicalParameterValue -Command $MyInvocation.MyCommand -ParameterName Isolation -Value $Isolation
        if ($PSBoundParameters.ContainsKey('Backend')) {
            $Backend = Get-CanonicalParameterValue -Command $MyInvocation.MyCommand -ParameterName Backend -Value $Backend
        }
    }

    process {
        # Fail closed: a host that cannot ask (-NonInteractive with -Confirm)
        # throws from ShouldProcess; that must stop the work, not skip the if.
        if (-not (Confirm-ContainerAction -Cmdlet $PSCmdlet -Target $Name -Action "Create a container from image '$Image' with isolation $Isolation" -NotDone "container '$Name' was not created")) { return }

        $variables = @{}
        foreach ($key in $Environment.Keys) { $variables[[string]$key] = [string]$Environment[$key] }
        $arguments = @{
            name      = $Name
            image     = $Image
            isolation = $Isolation
            command   = @($Command)
            env       = $variables
        }
        if ($PSBoundParameters.ContainsKey('WorkingDirectory')) { $arguments.workingDir = $WorkingDirectory }
        if ($PSBoundParameters.ContainsKey('Backend')) { $arguments.backend = $Backend }
        if ($PSBoundParameters.ContainsKey('MemoryMB')) { $arguments.memoryMB = $MemoryMB }
        if ($PSBoundParameters.ContainsKey('CpuCount')) { $arguments.cpuCount = $CpuCount }
        if ($PSBoundParameters.ContainsKey('User')) { $arguments.user = $User }
        if ($UserNamespace) { $arguments.userNamespace = $true }

        # One round trip: the core checks the image against this host (and
        # warns when it cannot tell) before its backend creates anything.
        $failure = $null
        $record = Invoke-CoreCommand -Command 'container.create' -Arguments $arguments -TimeoutSeconds 300 -TargetObject $Name -Failure ([ref]$failure)
        if ($null -ne $failure) {
            # One container of many: the others are still created.
            $PSCmdlet.WriteError($failure)
            return
        }
        New-ContainerObject -Record $record
    }
}
