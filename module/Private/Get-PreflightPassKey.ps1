function Get-PreflightPassKey {
    <#
    .SYNOPSIS
    The key under which New-IsolatedContainer remembers a passed pre-flight, or $null when none may be remembered.
    .DESCRIPTION
    A compatibility answer depends on the image reference, the isolation, the
    backend and the host. The host is the core's: the key names the running
    core process, so a pass is only reused while that same core answers, and
    a restarted core (or none yet) means asking again.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $Image,

        [string] $Isolation = 'Default',

        [string] $Backend = ''
    )

    $server = $script:CoreServer
    if ($null -eq $server -or $server.Process.HasExited) { return $null }
    '{0}|{1}|{2}|{3}' -f $server.Process.Id, $Isolation, $Backend, $Image
}
