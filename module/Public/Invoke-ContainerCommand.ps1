function Invoke-ContainerCommand {
    <#
    .SYNOPSIS
    Runs a command inside a running container and returns its output and exit code.

    .DESCRIPTION
    Invoke-ContainerCommand runs -Command (the program and its arguments, as
    an array: never through a shell, so nothing in it is interpreted) inside
    a running container and waits for it to end, up to -TimeoutSeconds (then
    it is killed). It returns a WindowsContainers.CommandResult with the
    command's standard output (Output), standard error (ErrorOutput) and
    ExitCode; each stream is cut at 1 MiB (Truncated says so). The command
    runs as the container's user, under the container's seccomp profile,
    unless -User says otherwise. On the linux backend a process-isolated
    container runs it with runc exec; on the docker backend the Engine API's
    exec runs it; in a Hyper-V-isolated container of the linux backend the
    guest agent of its utility VM runs it (arguments passed as encoded data,
    never as shell text; the agent answers nothing else while the command
    runs). A container that is not running is refused with the error
    ContainerNotRunning.

    .PARAMETER Name
    The container's name.

    .PARAMETER InputObject
    A container from Get-IsolatedContainer.

    .PARAMETER Command
    The program to run and its arguments, e.g. ls, -l, /etc.

    .PARAMETER Environment
    Environment variables for the command, added to the container's.

    .PARAMETER WorkingDirectory
    The command's working directory (absolute), instead of the container's.

    .PARAMETER User
    uid[:gid] or name[:group] to run the command as, instead of the container's user.
    In a linux utility VM (HyperV) only uid[:gid] is accepted.

    .PARAMETER TimeoutSeconds
    How long the command may run before it is killed. Default 60.

    .EXAMPLE
    Invoke-ContainerCommand -Name web -Command cat, /etc/os-release -WhatIf

    Shows which command would run in container web, without running it.

    .EXAMPLE
    Get-IsolatedContainer web | Invoke-ContainerCommand -Command sh, -c, 'ls / | wc -l' | Select-Object ExitCode, Output

    Runs a small shell pipeline inside web (the shell is the container's own, asked for explicitly).

    .EXAMPLE
    'web' | Invoke-ContainerCommand -Command hostname

    Runs hostname in each container named in the pipeline (plain strings,
    such as the lines of a file).

    .INPUTS
    System.String
    Container names, by value ('web', 'db' | Invoke-ContainerCommand), one item each.
    WindowsContainers.Container
    Containers from Get-IsolatedContainer.
    System.Management.Automation.PSObject
    Objects with a Name property (the container name), by property name.

    .OUTPUTS
    WindowsContainers.CommandResult

    .LINK
    https://docs.docker.com/reference/api/engine/version/v1.43/#tag/Exec

    .LINK
    about_WindowsContainers

    .LINK
    Get-ContainerLog
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'InputObject', HelpUri = 'https://docs.docker.com/reference/api/engine/version/v1.43/#tag/Exec')]
    [OutputType('WindowsContainers.CommandResult')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Name', ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [Parameter(Mandatory, ParameterSetName = 'InputObject', ValueFromPipeline)]
        [PSTypeName('WindowsContainers.Container')]
        [psobject[]] $InputObject,

        [Parameter(Mandatory, Position = 1)]
        [ValidateCount(1, 1000)]
        [string[]] $Command,

        [hashtable] $Environment = @{},

        [ValidateNotNullOrEmpty()]
        [string] $WorkingDirectory,

        [ValidateNotNullOrEmpty()]
        [string] $User,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 60
    )

    process {
        $targets = if ($PSCmdlet.ParameterSetName -eq 'InputObject') { @($InputObject.Name) } else { $Name }
        foreach ($target in $targets) {
            if (-not (Confirm-ContainerAction -Cmdlet $PSCmdlet -Target $target -Action "Run command '$($Command -join ' ')'" -NotDone "nothing was run in container '$target'")) { continue }
            $environmentArgument = @{}
            foreach ($key in $Environment.Keys) { $environmentArgument[[string]$key] = [string]$Environment[$key] }
            $arguments = @{ name = $target; command = @($Command); env = $environmentArgument; timeoutSeconds = $TimeoutSeconds }
            if ($PSBoundParameters.ContainsKey('WorkingDirectory')) { $arguments.workingDir = $WorkingDirectory }
            if ($PSBoundParameters.ContainsKey('User')) { $arguments.user = $User }
            $failure = $null
            $body = Invoke-CoreCommand -Command 'container.exec' -Arguments $arguments -TimeoutSeconds ($TimeoutSeconds + 60) -TargetObject $target -Failure ([ref]$failure)
            if ($null -ne $failure) {
                $PSCmdlet.WriteError($failure)
                continue
            }
            [pscustomobject]@{
                PSTypeName    = 'WindowsContainers.CommandResult'
                ContainerName = $target
                Backend       = [string]$body.backend
                Command       = [string[]]@($body.command)
                ExitCode      = [int]$body.exitCode
                Output        = [string]$body.stdout
                ErrorOutput   = [string]$body.stderr
                Truncated     = [bool]$body.truncated
            }
        }
    }
}
