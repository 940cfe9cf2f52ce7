function Get-CoreErrorKind {
    <#
    .SYNOPSIS
    The one table from an error id to its ErrorCategory and the advice a person can act on.
    .DESCRIPTION
    The core sends a category with every error response and, on newer cores,
    with every per-item error; New-CoreErrorRecord uses it when present. This
    table answers when it is not (per-item errors of older cores, and the
    bridge's own ids such as CoreTimeout). Its categories follow the core's
    error classes (ts-core/src/protocol/errors.ts); a Pester test keeps the
    two in step. RecommendedAction is what the ErrorRecord offers as
    RecommendedAction when the core gives no suggestion of its own.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string] $ErrorId
    )

    # Error id -> category, by the core's error class.
    $byId = @{
        # usage
        InvalidRequest               = 'InvalidArgument'
        UnknownCommand               = 'InvalidArgument'
        InvalidArgument              = 'InvalidArgument'
        RequestTooLarge              = 'InvalidArgument'
        UnsupportedProtocolVersion   = 'InvalidArgument'
        InvalidContainerName         = 'InvalidArgument'
        ImageIncompatibleWithHost    = 'InvalidArgument'
        InvalidImageReference        = 'InvalidArgument'
        InvalidHostVersion           = 'InvalidArgument'
        HostBuildRequired            = 'InvalidArgument'
        IsolationNotSupported        = 'InvalidArgument'
        BackendNotFound              = 'InvalidArgument'
        BackendOperationNotSupported = 'InvalidArgument'
        QuietNeedsOneIsolation       = 'InvalidArgument'
        InvalidImageSource           = 'InvalidArgument'
        InvalidUser                  = 'InvalidArgument'
        # notFound
        ContainerNotFound            = 'ObjectNotFound'
        ImageNotFound                = 'ObjectNotFound'
        HcsSystemNotFound            = 'ObjectNotFound'
        # conflict
        ContainerAlreadyExists       = 'ResourceExists'
        ContainerRunning             = 'ResourceExists'
        ContainerNotRunning          = 'ResourceExists'
        ImageAlreadyExists           = 'ResourceExists'
        ImageInUse                   = 'ResourceExists'
        HcsInvalidState              = 'ResourceExists'
        # unavailable
        BackendUnavailable           = 'NotInstalled'
        DependencyMissing            = 'NotInstalled'
        DockerUnavailable            = 'NotInstalled'
        HcsUnavailable               = 'NotInstalled'
        NodeNotFound                 = 'NotInstalled'
        CoreNotBuilt                 = 'NotInstalled'
        # denied
        NotRoot                      = 'PermissionDenied'
        PermissionDenied             = 'PermissionDenied'
        # timeout
        AgentTimeout                 = 'OperationTimeout'
        OperationTimeout             = 'OperationTimeout'
        CoreTimeout                  = 'OperationTimeout'
        # platform
        RuntimeFailed                = 'InvalidOperation'
        VmBootFailed                 = 'InvalidOperation'
        DockerError                  = 'InvalidOperation'
        HcsError                     = 'InvalidOperation'
        HcsOsMismatch                = 'InvalidOperation'
        # invalidData
        ContainerStateCorrupt        = 'InvalidData'
        InvalidImageArchive          = 'InvalidData'
        AgentProtocolError           = 'InvalidData'
        DockerResponseInvalid        = 'InvalidData'
        HcsDocumentInvalid           = 'InvalidData'
        ExternalDataInvalid          = 'InvalidData'
        CoreProtocolError            = 'InvalidData'
        # limit: a configured bound was reached
        ImageTooLarge                = 'LimitsExceeded'
        FileTooLarge                 = 'LimitsExceeded'
        # resource: the host ran out of something
        DiskFull                     = 'ResourceUnavailable'
        # security: a path or link another user could have prepared
        UnsafePath                   = 'SecurityError'
        UnsafeLink                   = 'SecurityError'
        CoreLogFolderUnsafe          = 'SecurityError'
        # the bridge's own
        CoreExited                   = 'ResourceUnavailable'
        CoreStartFailed              = 'ResourceUnavailable'
        ConfirmationFailed           = 'InvalidOperation'
    }
    $advice = @{
        ContainerNotFound         = 'Run Get-IsolatedContainer to see the containers and their names.'
        ImageNotFound             = 'Run Get-ContainerImage to see the images, or import one with Import-ContainerImage.'
        ContainerAlreadyExists    = 'Choose another name, or remove the existing container with Remove-IsolatedContainer.'
        ImageAlreadyExists        = 'Choose another name, or remove the existing image with Remove-ContainerImage.'
        ContainerRunning          = 'Stop the container with Stop-IsolatedContainer first, or use -Force.'
        ContainerNotRunning       = 'Start the container with Start-IsolatedContainer first.'
        ImageInUse                = 'Remove the containers that use the image first (Remove-IsolatedContainer).'
        ContainerStateCorrupt     = 'Remove the container with Remove-IsolatedContainer -Force.'
        InvalidContainerName      = "Use 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit."
        HostBuildRequired         = "Give the Windows host to plan for with -HostBuild (20348) or -HostEdition ('Windows Server 2022')."
        ImageIncompatibleWithHost = 'Run Test-IsolationCompatibility for the image to see which isolation or image runs on this host.'
        NotRoot                   = 'Run PowerShell as root (sudo pwsh).'
        CoreTimeout               = 'Run the command again; the next command starts a new core.'
        CoreExited                = 'Run the command again; the next command starts a new core.'
        ImageTooLarge             = 'If the image is genuine, raise the limit the message names (WINDOWSCONTAINERS_IMPORT_MAX_*) before the first command of the session.'
        DiskFull                  = 'Free disk space (or raise the quota) and run the command again.'
        CoreLogFolderUnsafe       = 'Remove the folder the message names if you did not create it, or set $env:WINDOWSCONTAINERS_STATE_DIR to a private folder.'
        ConfirmationFailed        = 'Give -Confirm:$false in a host that cannot prompt (pwsh -NonInteractive, a scheduled task), or run the command interactively.'
    }
    $byCategory = @{
        InvalidArgument     = 'Correct the value the message names and run the command again.'
        NotInstalled        = 'Install what the message names, or use another backend (Get-ContainerHost shows which are usable).'
        OperationTimeout    = 'Run the command again, or give the operation more time.'
        ResourceUnavailable = 'Run the command again; the next command starts a new core.'
    }

    $category = if ($byId.ContainsKey($ErrorId)) { $byId[$ErrorId] } else { 'NotSpecified' }
    $recommended = if ($advice.ContainsKey($ErrorId)) { $advice[$ErrorId] } elseif ($byCategory.ContainsKey($category)) { $byCategory[$category] } else { $null }
    [pscustomobject]@{
        Category          = [System.Management.Automation.ErrorCategory]$category
        RecommendedAction = $recommended
    }
}
