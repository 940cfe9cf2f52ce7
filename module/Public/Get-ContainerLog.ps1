function Get-ContainerLog {
    <#
    .SYNOPSIS
    Gets a container's output: its last lines, the lines since a time, or (with -Follow) what it writes from now on.

    .DESCRIPTION
    Get-ContainerLog returns the output a container's command wrote, one
    WindowsContainers.LogLine per line. On the linux backend that is the
    container's capped log (stdout and stderr together, the current file and
    the one rotated before it) or, for a Hyper-V-isolated container, its
    utility VM's serial console; on the docker backend it is Docker's log
    (stdout and stderr apart, each line with its time). Each read is bounded
    (4 MiB; older output is left out and a warning says so). With -Follow it
    keeps reading new lines until the container exits, -FollowTimeoutSeconds
    passes, or you press Ctrl+C.

    .PARAMETER Name
    The container's name; wildcards select several containers.

    .PARAMETER InputObject
    A container from Get-IsolatedContainer.

    .PARAMETER Tail
    Only the last this many lines.

    .PARAMETER Since
    Only lines written at or after this time. The linux backend's log writer
    stamps each line with the time it arrived (lines written by an older
    version carry no time: -Since leaves them out and warns).

    .PARAMETER Follow
    Keeps reading new lines until the container exits or Ctrl+C.

    .PARAMETER FollowTimeoutSeconds
    With -Follow, stops after this many seconds at the latest. Default 0: no limit.

    .EXAMPLE
    Get-ContainerLog -Name web -Tail 20

    The last 20 lines container web wrote.

    .EXAMPLE
    Get-IsolatedContainer web* | Get-ContainerLog -Tail 5

    The last 5 lines of every container whose name starts with web, each with
    the container it came from (the default view: control characters shown
    visibly, see the notes).

    .EXAMPLE
    $file = New-TemporaryFile; Get-ContainerLog -Name web | Select-Object -ExpandProperty Text | Set-Content -LiteralPath $file

    Saves web's output to a file exactly as web wrote it, escape sequences and
    all (Text is the raw line; the file never goes through a view).

    .EXAMPLE
    Get-ContainerLog -Name web -Follow -FollowTimeoutSeconds 5

    Shows web's output as it comes, for 5 seconds or until web exits or Ctrl+C.

    .EXAMPLE
    'web' | Get-ContainerLog -Tail 5

    The last 5 lines of each container named in the pipeline (plain strings
    or wildcard patterns).

    .NOTES
    A container's output is untrusted, and a terminal acts on the control
    sequences in it: OSC 52 writes the clipboard, OSC 0 sets the window
    title, CSI sequences clear the screen or move the cursor, a carriage
    return writes over what came before. Docker, kubectl and podman print
    those bytes as they are. This command does not: each LogLine keeps its
    Text exactly as the container wrote it (for the pipeline, Set-Content,
    Select-Object -ExpandProperty Text), and its views, the default table
    and Format-List, show every control character visibly instead: ESC as
    U+241B, the other C0 controls as their control pictures (NUL U+2400,
    BEL U+2407, BS U+2408, CR U+240D), DEL as U+2421, C1 controls and
    bidirectional overrides as \uXXXX; TAB stays, and a CR that ends a line
    is a line end. PowerShell's $PSStyle.OutputRendering = 'PlainText' is no
    such filter: it removes colours and links only.

    Writing Text to the console yourself ((Get-ContainerLog web).Text,
    ForEach-Object Text, Format-Table ContainerName, Text, or Select-Object
    Text, which makes objects of another type) passes the raw text to the
    terminal, which then acts on it: do that only with output you trust.

    The linux backend's serial console of a utility VM is a terminal's
    output: the core drops its CSI sequences and carriage returns before the
    lines reach Text; everything else is kept.

    .INPUTS
    System.String
    Container names or wildcard patterns, by value ('web', 'db' | Get-ContainerLog), one item each.
    WindowsContainers.Container
    Containers from Get-IsolatedContainer.
    System.Management.Automation.PSObject
    Objects with a Name property (the container name), by property name.

    .OUTPUTS
    WindowsContainers.LogLine

    .LINK
    https://docs.docker.com/reference/api/engine/version/v1.43/#tag/Container/operation/ContainerLogs

    .LINK
    about_WindowsContainers

    .LINK
    Invoke-ContainerCommand
    #>
    [CmdletBinding(DefaultParameterSetName = 'InputObject', HelpUri = 'https://docs.docker.com/reference/api/engine/version/v1.43/#tag/Container/operation/ContainerLogs')]
    [OutputType('WindowsContainers.LogLine')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Name', ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [SupportsWildcards()]
        [string[]] $Name,

        [Parameter(Mandatory, ParameterSetName = 'InputObject', ValueFromPipeline)]
        [PSTypeName('WindowsContainers.Container')]
        [psobject[]] $InputObject,

        [ValidateRange(0, 1000000)]
        [int] $Tail = -1,

        [datetime] $Since,

        [switch] $Follow,

        [ValidateRange(0, 86400)]
        [int] $FollowTimeoutSeconds = 0
    )

    process {
        $patterns = if ($PSCmdlet.ParameterSetName -eq 'InputObject') { @($InputObject.Name) } else { $Name }
        foreach ($pattern in $patterns) {
            $failure = $null
            $names = @(Resolve-ContainerNamePattern -Pattern $pattern -Failure ([ref]$failure))
            if ($null -ne $failure) {
                $PSCmdlet.WriteError($failure)
                continue
            }
            foreach ($target in $names) {
                $arguments = @{ name = $target }
                if ($Tail -ge 0) { $arguments.tail = $Tail }
                if ($PSBoundParameters.ContainsKey('Since')) { $arguments.since = $Since.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [cultureinfo]::InvariantCulture) }
                $deadline = if ($FollowTimeoutSeconds -gt 0) { [datetime]::UtcNow.AddSeconds($FollowTimeoutSeconds) } else { [datetime]::MaxValue }
                while ($true) {
                    $failure = $null
                    $body = Invoke-CoreCommand -Command 'container.logs' -Arguments $arguments -TimeoutSeconds 60 -TargetObject $target -Failure ([ref]$failure)
                    if ($null -ne $failure) {
                        $PSCmdlet.WriteError($failure)
                        break
                    }
                    if ($body.truncated) { Write-Warning "Only the newest 4 MiB of the output of '$target' were read; older lines were left out." }
                    foreach ($line in @($body.lines)) {
                        [pscustomobject]@{
                            PSTypeName    = 'WindowsContainers.LogLine'
                            ContainerName = $target
                            Backend       = [string]$body.backend
                            Stream        = [string]$line.stream
                            Timestamp     = if ($null -ne $line.timestamp) { ConvertTo-ContainerDate -Value $line.timestamp } else { $null }
                            Text          = [string]$line.text
                        }
                    }
                    # Follow: what came after this answer, until the container exits (after one last read) or the deadline.
                    if (-not $Follow -or -not $body.running -or [datetime]::UtcNow -ge $deadline) { break }
                    $arguments = @{ name = $target; cursor = [string]$body.cursor }
                    Start-Sleep -Milliseconds 500
                }
            }
        }
    }
}
