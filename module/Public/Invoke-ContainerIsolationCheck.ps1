function Invoke-ContainerIsolationCheck {
    <#
    .SYNOPSIS
    Runs a Pester check suite that proves each selected container has the isolation it must have, for CI pipelines.

    .DESCRIPTION
    Invoke-ContainerIsolationCheck turns Test-ContainerIsolation into a report
    a pipeline can read. It selects containers (names, wildcards, containers
    from the pipeline, or the keys of an expectation map), gathers the
    evidence in one pass (one host process snapshot for all of them), and
    runs Pester over it with one test case per check:

    - Backend <name> is usable: for each backend the selected containers run
      on (or, with no container selected, each usable backend).
    - Default isolation is <X>: the host's default, when -DefaultIsolation says what it must be.
    - <container> is isolated as <X>: the verdict of Test-ContainerIsolation,
      judged by Should -BeIsolated. A failure carries the observed isolation,
      the verdict's reason and its evidence (host matches, worker process).
      A container named in an expectation (not a wildcard) that does not
      exist fails too.
    - <container>: <image> can run with <X> isolation: judged by Should
      -BeCompatibleWith, for the Windows images of containers on the docker
      and hcs backends, against this host when it is Windows or against
      -HostBuild / -HostEdition. Containers on the linux backend run Linux
      images, so no such check is made for them.

    The expected isolation of a container comes from, first to last: an exact
    name in -Expectation / -ExpectationPath, a wildcard there (two wildcards
    that match one container must agree), -Isolation, the isolation the
    container was created with.

    -OutputPath writes the report (JUnitXml by default, or NUnitXml) for the
    CI system. The command returns Pester's result object (FailedCount,
    PassedCount, Tests...) and never exits the session: the CI step decides,
    for example with
    if ((Invoke-ContainerIsolationCheck ...).FailedCount) { exit 1 }.

    Pester 5 or later is needed: the loaded one, or else the newest installed
    one is imported. The evidence is gathered by one private function whose
    answer is plain data, so that -Session gathers it on remote hosts with
    Invoke-Command and judges it here: one report for the whole fleet.

    .PARAMETER Name
    Names or wildcard patterns of the containers to check. Without -Name and
    -InputObject: the containers named in the expectation map, or all
    containers when there is none. A pipeline that brings no container at
    all checks nothing and writes the error NoContainerToCheck (it does not
    fall back to all containers).

    .PARAMETER InputObject
    Containers from Get-IsolatedContainer or New-IsolatedContainer.

    .PARAMETER Isolation
    The isolation (Process or HyperV) every selected container must have,
    unless the expectation map says otherwise for it. Without it, a container
    must have the isolation it was created with.

    .PARAMETER Expectation
    A hashtable that maps container names or wildcard patterns to Process or
    HyperV: @{ web = 'HyperV'; 'api-*' = 'Process' }.

    .PARAMETER ExpectationPath
    A JSON file with the same map, kept in the pipeline's repository:
    { "web": "HyperV", "api-*": "Process" }. At most 1 MiB and 1000 entries.

    .PARAMETER DefaultIsolation
    The isolation (Process or HyperV) the host must default to. Without it the
    default is not checked.

    .PARAMETER HostBuild
    The Windows host to check images against, as a build (20348) or version
    (10.0.20348.2527). Without it (and without -HostEdition) images are
    checked against this host when it is Windows.

    .PARAMETER HostEdition
    The Windows host to check images against, as an edition name such as
    'Windows Server 2022'.

    .PARAMETER OutputPath
    Where to write the test report. Its folder is created when missing.

    .PARAMETER OutputFormat
    The report's format: JUnitXml (the default; GitHub Actions test
    reporters, GitLab, Jenkins) or NUnitXml (Azure Pipelines' PublishTestResults
    reads both).

    .PARAMETER Output
    How much Pester prints while it runs: None, Normal (the default), Detailed or Diagnostic.


    .PARAMETER Session
    PowerShell sessions (New-PSSession over WinRM or SSH) to the container
    hosts to check, each with WindowsContainers installed. The evidence is
    gathered on every host at once (Invoke-Command -ThrottleLimit) and judged
    here by the same suite: the report has one test suite per host, named
    after the host as the session reaches it. A host that cannot be reached,
    or where the module cannot run, is a failed test case that says why; the
    other hosts are still checked.

    .PARAMETER ThrottleLimit
    With -Session: how many hosts gather their evidence at the same time (default 32).
    .EXAMPLE
    Invoke-ContainerIsolationCheck -Name web -Isolation HyperV -OutputPath ./results/isolation.xml

    Checks that container web runs with Hyper-V isolation and writes a JUnit
    report; a failure in the report says what was observed and why.

    .EXAMPLE
    if ((Invoke-ContainerIsolationCheck -ExpectationPath ./isolation.json -OutputPath ./isolation-junit.xml).FailedCount) { exit 1 }

    The one line of a CI step: checks every container named in the
    repository's isolation.json ({ "web": "HyperV", "api-*": "Process" }),
    writes the JUnit report and fails the step when any check failed.

    .EXAMPLE
    Get-IsolatedContainer -Name api-* | Invoke-ContainerIsolationCheck -Isolation Process -DefaultIsolation Process -Output Detailed

    Checks the containers from the pipeline and the host's default isolation,
    printing every test case. When api-* matches no container, nothing is
    checked and the error NoContainerToCheck says so.

    .EXAMPLE
    Invoke-ContainerIsolationCheck -Expectation @{ web = 'HyperV' } -HostEdition 'Windows Server 2025' -OutputPath ./plan.xml -OutputFormat NUnitXml

    Before a host upgrade: also checks that web's image could still run with
    Hyper-V isolation on Windows Server 2025, and writes an NUnit report.

    .EXAMPLE
    $result = Invoke-ContainerIsolationCheck -Name web -Output None; $result.Failed | ForEach-Object { $_.ErrorRecord.Exception.Message }

    Runs quietly and prints only the failure messages.

    .EXAMPLE
    if ((Invoke-ContainerIsolationCheck -ExpectationPath ./isolation.json -OutputPath ./results/isolation-junit.xml).FailedCount) { exit 1 }

    A GitHub Actions step runs this one line:

      - name: Check container isolation
        shell: pwsh
        run: if ((Invoke-ContainerIsolationCheck -ExpectationPath ./isolation.json -OutputPath ./results/isolation-junit.xml).FailedCount) { exit 1 }

    and an Azure Pipelines step the same line, with the report published even when the step fails:

      - pwsh: if ((Invoke-ContainerIsolationCheck -ExpectationPath ./isolation.json -OutputPath ./results/isolation-junit.xml).FailedCount) { exit 1 }
        displayName: Check container isolation
      - task: PublishTestResults@2
        condition: always()
        inputs:
          testResultsFormat: JUnit
          testResultsFiles: results/isolation-junit.xml

    .EXAMPLE
    'web' | Invoke-ContainerIsolationCheck -Isolation Process -Output None

    Checks the containers named in the pipeline (plain strings, such as the
    lines of a file, or wildcard patterns).

    .NOTES
    A fleet (hosts node1 to node3 stand for yours; not run by the module's help
    tests, which have no fleet: the remoting tests run it over SSH) — three hosts
    at once, two over WinRM and one over SSH, one JUnit report with a test suite
    per host; a host that cannot be reached is a failed test case that says why:

      $fleet = New-PSSession -ComputerName node1, node2; $fleet += New-PSSession -HostName node3 -UserName admin
      Invoke-ContainerIsolationCheck -Session $fleet -ExpectationPath ./isolation.json -OutputPath ./results/fleet-junit.xml

    The suite's assertions are Pester operators that the module registers
    for your own test files too (when Pester 5+ is loaded at import, or at
    the first Should/Describe/Invoke-Pester after Pester is imported):

      Describe 'Workload isolation' {
          It 'runs the build agent with Hyper-V isolation' {
              Get-IsolatedContainer build-agent | Should -BeIsolated -As HyperV
          }
          It 'never runs web in a shared kernel' {
              'web' | Should -Not -BeIsolated -As Process
          }
          It 'has an image this host can run with process isolation' {
              'mcr.microsoft.com/windows/servercore:ltsc2022' | Should -BeCompatibleWith -Isolation Process
          }
      }

    An Inconclusive verdict, or an image whose build is unknown, fails with and without -Not.

    .INPUTS
    System.String
    Container names or wildcard patterns, by value ('web', 'api-*' | Invoke-ContainerIsolationCheck): the selection.
    WindowsContainers.Container
    Containers from Get-IsolatedContainer or New-IsolatedContainer.
    System.Management.Automation.PSObject
    Objects with a Name property (the container name), by property name.

    .OUTPUTS
    Pester.Run

    .LINK
    https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container

    .LINK
    about_WindowsContainers

    .LINK
    Test-ContainerIsolation

    .LINK
    Test-IsolationCompatibility
    #>
    [CmdletBinding(HelpUri = 'https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/hyperv-container')]
    [OutputType('Pester.Run')]
    param(
        [Parameter(Position = 0, ParameterSetName = 'Name', ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [SupportsWildcards()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [Parameter(Mandatory, ParameterSetName = 'InputObject', ValueFromPipeline)]
        [PSTypeName('WindowsContainers.Container')]
        [psobject[]] $InputObject,

        [ValidateSet('Process', 'HyperV')]
        [string] $Isolation,

        [ValidateNotNull()]
        [System.Collections.IDictionary] $Expectation,

        [ValidateNotNullOrEmpty()]
        [string] $ExpectationPath,

        [ValidateSet('Process', 'HyperV')]
        [string] $DefaultIsolation,

        [ValidateNotNullOrEmpty()]
        [string] $HostBuild,

        [ValidateNotNullOrEmpty()]
        [string] $HostEdition,

        [ValidateNotNullOrEmpty()]
        [string] $OutputPath,

        [ValidateSet('JUnitXml', 'NUnitXml')]
        [string] $OutputFormat = 'JUnitXml',

        [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
        [string] $Output = 'Normal',

        [Parameter(ParameterSetName = 'Name')]
        [ValidateNotNullOrEmpty()]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [Parameter(ParameterSetName = 'Name')]
        [ValidateRange(1, 1000)]
        [int] $ThrottleLimit = 32
    )

    begin {
        if ($PSBoundParameters.ContainsKey('Expectation') -and $PSBoundParameters.ContainsKey('ExpectationPath')) {
            $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'ExpectationSourceConflict' -Category InvalidArgument -TargetObject $ExpectationPath `
                        -Message 'Give the expectations either as -Expectation (a hashtable) or as -ExpectationPath (a JSON file), not both.'))
        }
        try {
            $expected = if ($PSBoundParameters.ContainsKey('Expectation')) { Resolve-IsolationExpectation -Expectation $Expectation }
            elseif ($PSBoundParameters.ContainsKey('ExpectationPath')) { Resolve-IsolationExpectation -Path $ExpectationPath }
            else { [ordered]@{} }
        }
        catch {
            $PSCmdlet.ThrowTerminatingError($_)
        }
        $selection = [System.Collections.Generic.List[string]]::new()
    }

    process {
        $names = if ($PSCmdlet.ParameterSetName -eq 'InputObject') { @($InputObject.Name) } elseif ($PSBoundParameters.ContainsKey('Name')) { $Name } else { @() }
        foreach ($n in $names) { $selection.Add([string]$n) }
    }

    end {
        # Pester 5 or later: the loaded one, else the newest installed one.
        $pester = Get-Module -Name Pester | Where-Object { $_.Version.Major -ge 5 } | Sort-Object Version -Descending | Select-Object -First 1
        if ($null -eq $pester) {
            try {
                $pester = Import-Module -Name Pester -MinimumVersion 5.0.0 -Global -PassThru -ErrorAction Stop | Select-Object -First 1
            }
            catch {
                $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'PesterNotFound' -Category NotInstalled -TargetObject 'Pester' `
                            -Message "Invoke-ContainerIsolationCheck runs Pester 5 or later, which is not installed here ($($_.Exception.Message)). Install it (Install-PSResource Pester) or import it first (Import-Module <path>/Pester.psd1)."))
            }
        }
        if (-not (Register-IsolationShouldOperator)) {
            $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'ShouldOperatorUnavailable' -Category InvalidOperation -TargetObject $pester.Name `
                        -Message "Pester $($pester.Version) did not accept Should -BeIsolated and Should -BeCompatibleWith (see the warning). Start a new PowerShell session, import Pester 5 or later and then WindowsContainers."))
        }

        # A pipeline that brought nothing (Get-IsolatedContainer api-* matched
        # no container) selects nothing: checking every container instead, or
        # passing with no test at all, would both turn a CI gate green for the
        # wrong reason. One error, which -ErrorAction Stop turns into a stop.
        if ($MyInvocation.ExpectingInput -and $selection.Count -eq 0) {
            $PSCmdlet.WriteError((New-CoreErrorRecord -ErrorId 'NoContainerToCheck' -Category ObjectNotFound -TargetObject $null `
                        -Message 'No container came through the pipeline, so nothing was checked and no report was written. Check the command before the pipe (for example Get-IsolatedContainer api-* matched nothing), or name the containers with -Name.'))
            return
        }

        # What to select: what was named, else the expectation's keys, else everything.
        $patterns = if ($selection.Count) { @($selection) } elseif ($expected.Count) { @($expected.Keys) } else { @('*') }
        if ($PSBoundParameters.ContainsKey('Session')) {
            # Every host at once; one plan per host, an unreachable one included as a failing case.
            $plans = @(Get-IsolationCheckFleetPlan -Session $Session -Pattern $patterns -Expectation $expected -Isolation $Isolation `
                    -DefaultIsolation $DefaultIsolation -HostBuild $HostBuild -HostEdition $HostEdition -ThrottleLimit $ThrottleLimit)
        }
        else {
            $evidence = Get-IsolationCheckEvidence -Pattern $patterns -Expectation $expected -Isolation $Isolation
            $plans = @(Get-IsolationCheckPlan -Evidence $evidence -Expectation $expected -Isolation $Isolation -DefaultIsolation $DefaultIsolation -HostBuild $HostBuild -HostEdition $HostEdition)
        }

        # Pester's commands from the module found above, called from here: Invoke-Pester
        # runs the suite in its caller's session state, which must not be Pester's own.
        $configuration = & $pester.ExportedCommands['New-PesterConfiguration']
        # Bound to a dynamic module of its own: not unbound (Pester 6 refuses
        # that, it would run in Pester's scope) and not to this module (its
        # strict mode and private commands are no business of a test file).
        $suiteScope = New-Module -Name WindowsContainers.IsolationCheck -ScriptBlock { }
        $suite = $suiteScope.NewBoundScriptBlock([scriptblock]::Create((Get-IsolationCheckSuite).ToString()))
        # One Pester container per host: one test suite per host in the report.
        $configuration.Run.Container = & $pester.ExportedCommands['New-PesterContainer'] -ScriptBlock $suite -Data @($plans | ForEach-Object { @{ Plan = $_ } })
        $configuration.Run.PassThru = $true
        $configuration.Run.Exit = $false
        $configuration.Run.Throw = $false
        $configuration.Should.ErrorAction = 'Stop'
        $configuration.Output.Verbosity = $Output
        if ($OutputPath) {
            $fullOutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
            $folder = Split-Path -Parent $fullOutputPath
            if ($folder -and -not (Test-Path -LiteralPath $folder)) { $null = New-Item -ItemType Directory -Path $folder -Force }
            $configuration.TestResult.Enabled = $true
            $configuration.TestResult.OutputFormat = $OutputFormat
            $configuration.TestResult.OutputPath = $fullOutputPath
            $configuration.TestResult.TestSuiteName = if ($plans.Count -eq 1) { "WindowsContainers isolation check ($($plans[0].ComputerName))" }
            else { "WindowsContainers isolation check ($($plans.Count) hosts: $(@($plans.ComputerName) -join ', '))" }
        }
        $result = & $pester.ExportedCommands['Invoke-Pester'] -Configuration $configuration

        # Pester names a script-block container '<ScriptBlock>', and uses that as the
        # JUnit classname and suite name; CI systems group test cases by it. Name it
        # after the check and the host instead.
        # With several hosts there is one such container element per host, in
        # the order of the plans: each is named after its own host.
        if ($OutputPath -and (Test-Path -LiteralPath $fullOutputPath)) {
            $report = [System.Xml.XmlDocument]::new()
            $report.PreserveWhitespace = $true
            $report.Load($fullOutputPath)
            $containers = @($report.SelectNodes("//*[@name='<ScriptBlock>'][not(ancestor::*[@name='<ScriptBlock>'])]"))
            for ($i = 0; $i -lt $containers.Count; $i++) {
                $computer = if ($i -lt $plans.Count) { $plans[$i].ComputerName } else { $plans[-1].ComputerName }
                $suiteName = "WindowsContainers.IsolationCheck.$computer"
                foreach ($attribute in @($containers[$i].SelectNodes('descendant-or-self::*/@name | descendant-or-self::*/@package | descendant-or-self::*/@classname | descendant-or-self::*/@description'))) {
                    if ($attribute.Value -eq '<ScriptBlock>') { $attribute.Value = $suiteName }
                }
            }
            $rest = if ($plans.Count -eq 1) { "WindowsContainers.IsolationCheck.$($plans[0].ComputerName)" } else { 'WindowsContainers.IsolationCheck' }
            foreach ($attribute in @($report.SelectNodes('//@name | //@package | //@classname | //@description'))) {
                if ($attribute.Value -eq '<ScriptBlock>') { $attribute.Value = $rest }
            }
            $report.Save($fullOutputPath)
        }
        $result
    }
}
