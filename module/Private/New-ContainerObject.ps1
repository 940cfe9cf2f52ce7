function New-ContainerObject {
    <#
    .SYNOPSIS
    Builds a WindowsContainers.Container from the core's container record.
    .DESCRIPTION
    The backend's id is exposed as ContainerId, never as Id: an object with
    an Id property binds to Stop-Process -Id by property name, and a
    container id such as '123' must never become a host PID.
    #>
    [CmdletBinding()]
    [OutputType('WindowsContainers.Container')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [object] $Record
    )

    process {
        [pscustomobject]@{
            PSTypeName    = 'WindowsContainers.Container'
            Name          = [string]$Record.name
            Isolation     = [string]$Record.isolation
            State         = [string]$Record.state
            Backend       = [string]$Record.backend
            Image         = [string]$Record.image
            Command       = [string[]]@($Record.command)
            HostProcessId = if ($null -ne $Record.hostPid) { [int]$Record.hostPid } else { $null }
            ExitCode      = if ($null -ne $Record.exitCode) { [int]$Record.exitCode } else { $null }
            CreatedAt     = ConvertTo-ContainerDate $Record.createdAt
            StartedAt     = ConvertTo-ContainerDate $Record.startedAt
            ContainerId   = [string]$Record.id
            UtilityVmId   = if ($Record.utilityVmId) { [string]$Record.utilityVmId } else { $null }
            Managed       = [bool]$Record.managed
        }
    }
}
