function Test-ContainerIsolation {
    <#
    .SYNOPSIS
    Proves which isolation a container really has, by comparing its processes with the host's.

    .DESCRIPTION
    Test-ContainerIsolation does by machine what Microsoft's Hyper-V
    isolation article does by hand. For each container it gathers, in one
    pass: the container's own process list, ONE snapshot of the host's
    process table (shared by every container in the pipeline), and the
    worker process (utility VM) the backend says hosts the container. Then:

    - Process: every container process is on the host as the same process
      (same PID, name and start time; on Linux the namespace PID agrees).
    - HyperV: none is on the host, the container does report processes, and
      a worker process tied to this very container is alive on the host.
    - Inconclusive: anything else, with the reason. A look-alike worker, a
      reused PID or a process that exits during the check never yields HyperV.

    The expectation defaults to the container's configured isolation; -Isolation
    states another. Passed is true only when the observed isolation equals the
    expectation. Pipeline input is collected and checked in one call, so a
    pipeline of twenty containers reads the host's process table once (a
    pipeline of more than 1000 containers is checked 1000 at a time, one
    snapshot per thousand).

    .PARAMETER Name
    The containers' names, in any case. Wildcards are allowed (web*): a
    pattern means every container it matches; one that matches none
    returns nothing.

    .PARAMETER InputObject
    Containers from Get-IsolatedContainer or New-IsolatedContainer.

    .PARAMETER Isolation
    The isolation you expect (Process or HyperV). Defaults to each container's configured isolation.

    .PARAMETER Quiet
    Returns only $true or $false per container (Passed), for Pester and scripts.

    .PARAMETER Session
    PowerShell sessions (New-PSSession over WinRM or SSH) to container hosts
    that have WindowsContainers installed. The check runs on every host at
    once (Invoke-Command -ThrottleLimit), on the containers named by -Name or
    else on all of each host's containers, and every result carries
    PSComputerName. A host that cannot be reached is a non-terminating
    HostUnreachable error naming it and why (with -Quiet also a $false); the
    other hosts go on.

    .PARAMETER ThrottleLimit
    With -Session: how many hosts are checked at the same time (default 32).

    .EXAMPLE
    Test-ContainerIsolation -Name web

    Shows the expected and observed isolation of container web, whether they agree, and why.

    .EXAMPLE
    Test-ContainerIsolation -Name web -Isolation Process -Quiet | Should -BeTrue

    Asserts in a Pester test that web is really process-isolated.

    .EXAMPLE
    Get-IsolatedContainer | Test-ContainerIsolation | Where-Object { -not $_.Passed }

    Checks every container against one host snapshot and lists those whose isolation is not what they were created with.

    .EXAMPLE
    (Test-ContainerIsolation web).HostMatches | Format-Table

    Shows, process by process, the evidence behind the verdict.

    .EXAMPLE
    'web' | Test-ContainerIsolation -Quiet

    Checks the containers named in the pipeline (plain strings or wildcard
    patterns) against one host snapshot: $true or $false for each.

    .NOTES
    Across a fleet, -Session checks every container on each host at once and
    labels each result with PSComputerName (hosts node1 and node2 stand for
    yours; not run by the module's help tests, which have no fleet: the
    remoting tests run it over SSH):

      $fleet = New-PSSession -ComputerName node1, node2      # WinRM; over SSH: New-PSSession -HostName node1 -UserName admin
      Test-ContainerIsolation -Session $fleet | Format-Table PSComputerName, Name, ExpectedIsolation, ObservedIsolation, Passed

    .INPUTS
    System.String
    Container names or wildcard patterns, by value ('web', 'db' | Test-ContainerIsolation), one item each.
    WindowsContainers.Container
    Containers from Get-IsolatedContainer or New-IsolatedContainer.
    System.Management.Automation.PSObject
    Objects with a Name property (the container name), by property name.

    .OUTPUTS
    WindowsContainers.IsolationTestResult, or System.Boolean with -Quiet

    .LINK
    https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container

    .LINK
    about_WindowsContainers

    .LINK
    Get-IsolatedContainer

    .LINK
    Get-ContainerProcess

    .LINK
    Test-IsolationCompatibility
    #>
    [CmdletBinding(DefaultParameterSetName = 'InputObject', HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    # -Quiet has parameter sets of its own so that each set declares the one
    # type it returns: tab completion after `(Test-ContainerIsolation x).`
    # offers the result's properties, and [bool]'s only with -Quiet.
    [OutputType('WindowsContainers.IsolationTestResult', ParameterSetName = ('Name', 'InputObject', 'Session'))]
    [OutputType([bool], ParameterSetName = ('NameQuiet', 'InputObjectQuiet', 'SessionQuiet'))]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Name', ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'NameQuiet', ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Parameter(Position = 0, ParameterSetName = 'Session')]
        [Parameter(Position = 0, ParameterSetName = 'SessionQuiet')]
        [SupportsWildcards()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [Parameter(Mandatory, ParameterSetName = 'InputObject', ValueFromPipeline)]
        [Parameter(Mandatory, ParameterSetName = 'InputObjectQuiet', ValueFromPipeline)]
        [PSTypeName('WindowsContainers.Container')]
        [psobject[]] $InputObject,

        [ValidateSet('Process', 'HyperV')]
        [string] $Isolation,

        [Parameter(Mandatory, ParameterSetName = 'Session')]
        [Parameter(Mandatory, ParameterSetName = 'SessionQuiet')]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [Parameter(ParameterSetName = 'Session')]
        [Parameter(ParameterSetName = 'SessionQuiet')]
        [ValidateRange(1, 1000)]
        [int] $ThrottleLimit = 32,

        [Parameter(Mandatory, ParameterSetName = 'NameQuiet')]
        [Parameter(Mandatory, ParameterSetName = 'InputObjectQuiet')]
        [Parameter(Mandatory, ParameterSetName = 'SessionQuiet')]
        [switch] $Quiet
    )

    begin {
        $targets = [System.Collections.Generic.List[string]]::new()
        # One value rule: 'process' reaches the core as Process.
        if ($PSBoundParameters.ContainsKey('Isolation')) {
            $Isolation = Get-CanonicalParameterValue -Command $MyInvocation.MyCommand -ParameterName Isolation -Value $Isolation
        }
    }

    process {
        # With -Session the names are resolved on each host (end block).
        if ($PSCmdlet.ParameterSetName -like 'Session*') { return }
        if ($PSCmdlet.ParameterSetName -like 'InputObject*') {
            foreach ($n in @($InputObject.Name)) { $targets.Add([string]$n) }
            return
        }
        foreach ($pattern in $Name) {
            # A wildcard pattern means every container it matches, now.
            $failure = $null
            $names = @(Resolve-ContainerNamePattern -Pattern $pattern -Failure ([ref]$failure))
            if ($null -ne $failure) {
                $PSCmdlet.WriteError($failure)
                if ($Quiet) { $false }
                continue
            }
            foreach ($n in $names) { $targets.Add($n) }
        }
    }

    end {
        if ($PSCmdlet.ParameterSetName -like 'Session*') {
            Test-ContainerIsolationOnSession -Session $Session -Name $Name -ThrottleLimit $ThrottleLimit -Quiet:$Quiet `
                -Isolation $(if ($PSBoundParameters.ContainsKey('Isolation')) { $Isolation } else { $null }) -Cmdlet $PSCmdlet
            return
        }
        if ($targets.Count -eq 0) { return }
        # Each container once (names are case-insensitive), in the order first given.
        $seen = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
        $unique = [System.Collections.Generic.List[string]]::new()
        foreach ($n in $targets) { if ($seen.Add($n)) { $unique.Add($n) } }
        # Names are case-insensitive: a PowerShell hashtable finds 'ux-web' under 'UX-Web'.
        $byName = @{}
        # The core tests at most 1000 containers per request: a longer pipeline
        # is tested 1000 at a time, each batch against one host snapshot of its own.
        $batchSize = 1000
        for ($offset = 0; $offset -lt $unique.Count; $offset += $batchSize) {
            $batch = $unique.GetRange($offset, [math]::Min($batchSize, $unique.Count - $offset)).ToArray()
            $expected = @{}
            if ($PSBoundParameters.ContainsKey('Isolation')) {
                foreach ($n in $batch) { $expected[$n] = $Isolation }
            }
            $failure = $null
            # 10 s a container, within the bridge's one-hour bound (over 354 containers it was refused).
            $body = Invoke-CoreCommand -Command 'isolation.test' -Arguments @{ names = @($batch); expected = $expected } -TimeoutSeconds ([math]::Min(3600, 60 + 10 * $batch.Count)) -Failure ([ref]$failure)
            if ($null -ne $failure) { $PSCmdlet.ThrowTerminatingError($failure) }
            foreach ($result in @($body.results)) { $byName[[string]$result.name] = $result }
        }
        # One answer per input, in input order (a name given twice is answered twice).
        foreach ($n in $targets) {
            $result = $byName[$n]
            if ($null -ne $result.error) {
                $PSCmdlet.WriteError((New-CoreErrorRecord -CoreError $result.error -TargetObject $n))
                if ($Quiet) { $false }
                continue
            }
            if ($Quiet) { [bool]$result.passed }
            else { New-IsolationTestResultObject -Record $result }
        }
    }
}
