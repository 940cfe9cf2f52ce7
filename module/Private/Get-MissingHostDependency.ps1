function Get-MissingHostDependency {
    <#
    .SYNOPSIS
    What this host lacks for the backend of its own platform, each as "what (for what): how to get it".
    .DESCRIPTION
    Read from the core's host.info answer (the backends' details), so that
    Get-ContainerHost's default view says in one line what to install, where
    the backend table only says "not usable". On Linux that is the linux
    backend's runc (process isolation) and the utility VM's QEMU, kernel and
    static busybox (Hyper-V-class isolation). The docker and hcs backends are
    alternatives on Windows, so their reasons stay in the backend table.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]] $Backend
    )

    foreach ($b in $Backend) {
        if ($b.name -ne 'linux' -or $null -eq $b.details) { continue }
        $details = $b.details
        if ($details.PSObject.Properties['runc'] -and $null -eq $details.runc -and "$($b.reason)" -like 'runc is not installed*') {
            'runc (process isolation): apt-get install runc'
        }
        if ($details.PSObject.Properties['utilityVm'] -and $null -ne $details.utilityVm -and $details.utilityVm.PSObject.Properties['missing']) {
            foreach ($item in @($details.utilityVm.missing)) {
                if ($null -eq $item) { continue }
                $how = if ($item.PSObject.Properties['package'] -and $item.package) { "apt-get install $($item.package)" } else { [string]$item.message }
                "$($item.what) (HyperV isolation): $how"
            }
        }
    }
}
