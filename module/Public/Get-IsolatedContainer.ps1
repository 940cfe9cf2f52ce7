function Get-IsolatedContainer {
    <#
    .SYNOPSIS
    Gets containers by name (wildcards allowed) from every usable backend.

    .DESCRIPTION
    Get-IsolatedContainer lists the containers this module made on this
    host's backends, running or exited, with their isolation, state and the
    host PID of their main process. -All adds the containers it did not make
    (other Docker containers, compute systems HCS reports), each with the
    isolation read from its backend. A name without wildcards finds its
    container either way. -Name takes wildcards; a name without wildcards
    that matches nothing is an error (ContainerNotFound), like Get-Process.
    A container whose saved state is damaged is reported as an error
    (ContainerStateCorrupt) and the others are still listed.

    The containers come sorted by name, as Get-Process and Get-Service sort
    theirs: case-insensitively and the same under every culture (ordinal on
    the lower-cased name, so web-10 comes before web-2), the containers of
    every backend together. The core sorts the list it already holds, and
    each container is written to the pipeline as soon as the answer is read;
    nothing is sorted again here. The order is the same for the same
    containers every time.

    .PARAMETER Name
    Names or wildcard patterns. Defaults to all containers.

    .PARAMETER All
    Also lists containers this module did not create, such as containers
    started with docker run or by containerd.

    .EXAMPLE
    Get-IsolatedContainer

    Lists every container.

    .EXAMPLE
    Get-IsolatedContainer -Name web* | Where-Object State -eq running

    Lists the running containers whose names start with web.

    .EXAMPLE
    Get-IsolatedContainer -All | Test-ContainerIsolation

    Checks the isolation of every container on the host, including those
    started with docker run.

    .EXAMPLE
    Get-IsolatedContainer web | Format-List *

    Shows every property of the container named web.

    .INPUTS
    System.String
    Container names or wildcard patterns, by value or by property name (Name).

    .OUTPUTS
    WindowsContainers.Container

    .LINK
    https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container

    .LINK
    about_WindowsContainers

    .LINK
    New-IsolatedContainer

    .LINK
    Stop-IsolatedContainer

    .LINK
    Remove-IsolatedContainer

    .LINK
    Test-ContainerIsolation
    #>
    [CmdletBinding(HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    [OutputType('WindowsContainers.Container')]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [SupportsWildcards()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name = @('*'),

        [switch] $All
    )

    begin {
        $patterns = [System.Collections.Generic.List[string]]::new()
    }

    process {
        foreach ($n in $Name) { $patterns.Add($n) }
    }

    end {
        $failure = $null
        $body = Invoke-CoreCommand -Command 'container.list' -Arguments @{ names = @($patterns); all = [bool]$All } -TimeoutSeconds 120 -Failure ([ref]$failure)
        if ($null -ne $failure) { $PSCmdlet.ThrowTerminatingError($failure) }
        foreach ($record in @($body.containers)) {
            New-ContainerObject -Record $record
        }
        foreach ($problem in @($body.errors)) {
            $PSCmdlet.WriteError((New-CoreErrorRecord -CoreError $problem -TargetObject $problem.name))
        }
    }
}
