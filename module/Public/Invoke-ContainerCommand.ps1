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
    The program to run and its arguments, e.g. ls, -l, /etc. Each element is
    one argument, passed as is; an argument may be empty (printf, '%s|', a,
    '', b passes three), the program (the first element) may not.

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
    Invoke-ContainerCommand -Name web -Command printf, '[%s]', a, '', b

    Passes an empty argument like any other (the output is [a][][b]); only
    the program name, the first element, may not be empty.

    .EXAMPLE
    'web' | Invoke-ContainerCommand -Command hostname

    Runs hostname in each container named in the pipeline (plain strings,
    such as the lines of a file).

    .NOTES
    Output and ErrorOutput keep exactly what the command wrote, control
    characters included (for the pipeline and for files:
    (Invoke-ContainerCommand web cat, /etc/motd).Output | Set-Content ./motd).
    The command runs in an untrusted container, so the result's views, the
    default table and Format-List, show every control character visibly
    instead of passing it to the terminal (which would act on it: OSC 52
    writes the clipboard, OSC 0 sets the window title, CSI sequences clear
    the screen, a carriage return writes over a line): ESC as U+241B, the
    other C0 controls as their control pictures (NUL U+2400, BEL U+2407,
    CR U+240D), DEL as U+2421, C1 controls and bidirectional overrides as
    \uXXXX; TAB and line ends stay. Writing Output to the console yourself
    ((...).Output, Format-Table Output, Select-Object Output) passes the raw
    text to the terminal: do that only with output you trust.

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

        # An argument may be empty (printf '%s|' a '' b); the program name may not (checked in begin).
        [Parameter(Mandatory, Position = 1)]
        [ValidateCount(1, 1000)]
        [AllowEmptyString()]
        [string[]] $Command,

        [hashtable] $Environment = @{},

        [ValidateNotNullOrEmpty()]
        [string] $WorkingDirectory,

        [ValidateNotNullOrEmpty()]
        [string] $User,

        [ValidateRange(1, 3600)]
        [int] $TimeoutSeconds = 60
    )

    begin {
        if ([string]::IsNullOrEmpty($Command[0])) {
            $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId InvalidArgument -Category InvalidArgument -TargetObject $Command `
                    -Message "The program to run (the first element of -Command) is empty. Give the program first, then its arguments, e.g. -Command printf, '%s|', a, '', b; only the arguments after it may be empty."))
        }
        # For -WhatIf and -Confirm: an empty argument, or one with a space or quote, is shown quoted as PowerShell would write it.
        $shownCommand = @($Command | ForEach-Object { if ($_ -eq '' -or $_ -match '[\s''"]') { "'$($_ -replace "'", "''")'" } else { $_ } }) -join ' '
    }

    process {
        $targets = if ($PSCmdlet.ParameterSetName -eq 'InputObject') { @($InputObject.Name) } else { $Name }
        foreach ($target in $targets) {
            if (-not (Confirm-ContainerAction -Cmdlet $PSCmdlet -Target $target -Action "Run command: $shownCommand" -NotDone "nothing was run in container '$target'")) { continue }
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
