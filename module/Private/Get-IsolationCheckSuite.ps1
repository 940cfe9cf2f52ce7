function Get-IsolationCheckSuite {
    <#
    .SYNOPSIS
    Returns the Pester script block Invoke-ContainerIsolationCheck runs over a check plan.
    .DESCRIPTION
    The suite makes one test case per check in the plan it receives as Pester
    container data: one per backend the containers use (and the host's
    default isolation when one is expected), one per container's isolation,
    and one per container's image where the image is a Windows image the
    host can be asked about. Test names carry the host, the container and
    the expectation, so a JUnit report reads without the log. Failures come
    from Should -BeIsolated and Should -BeCompatibleWith (their message holds
    the verdict's reason and evidence) or say what could not be checked.
    #>
    [CmdletBinding()]
    [OutputType([scriptblock])]
    param()

    {
        param($Plan)

        Describe "Container host $($Plan.ComputerName)" {
            It 'Backend <Name> is usable' -ForEach @($Plan.Backends) {
                if ($Problem) { throw $Problem }
                if (-not $Usable) { throw "Backend '$Name' is not usable on $($Plan.ComputerName), so its containers cannot be checked: $Reason" }
            }

            It 'Default isolation is <Expected>' -ForEach @($Plan.DefaultIsolation) {
                if ($Problem) { throw $Problem }
                if ($Observed -ne $Expected) { throw "Expected $($Plan.ComputerName) to default to $Expected isolation, but it defaults to $Observed. On Windows, Server editions default to process isolation and Windows 10/11 to Hyper-V; Docker's exec-opts isolation setting overrides that." }
            }
        }

        Describe "Container isolation on $($Plan.ComputerName)" {
            It '<Name> is isolated as <Expected>' -ForEach @($Plan.Isolation) {
                if ($Problem) { throw "Expected container '$Name' to be isolated as $Expected, but it could not be checked: $Problem" }
                $Verdict | Should -BeIsolated -As $Expected
            }
        }

        Describe "Image compatibility on $($Plan.ComputerName)" {
            It '<Name>: <Image> can run with <Expected> isolation' -ForEach @($Plan.Images) {
                $on = @{}
                if ($HostBuild) { $on.HostBuild = $HostBuild }
                if ($HostEdition) { $on.HostEdition = $HostEdition }
                $Image | Should -BeCompatibleWith -Isolation $Expected @on
            }
        }
    }
}
