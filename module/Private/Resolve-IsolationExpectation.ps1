function Resolve-IsolationExpectation {
    <#
    .SYNOPSIS
    Reads the expected isolation per container from a hashtable or a JSON file, checked.
    .DESCRIPTION
    Both sources hold the same map: a container name or wildcard pattern to
    Process or HyperV, for example @{ web = 'HyperV'; 'api-*' = 'Process' }
    or, in a file a pipeline keeps in its repository,
    { "web": "HyperV", "api-*": "Process" }.

    Returns an ordered dictionary (pattern -> 'Process' or 'HyperV', case
    normalised). Bounded: a file of at most 1 MiB, at most 1000 entries.
    Messages name the entry and the file, never the file's other contents.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Hashtable')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Hashtable')]
        [System.Collections.IDictionary] $Expectation,

        [Parameter(Mandatory, ParameterSetName = 'Path')]
        [string] $Path
    )

    $maxEntries = 1000
    $maxFileBytes = 1MB
    $source = 'the -Expectation hashtable'
    $sourceTitle = 'The -Expectation hashtable'
    $entries = $Expectation
    if ($PSCmdlet.ParameterSetName -eq 'Path') {
        $full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
        $source = "the expectation file $full"
        $sourceTitle = "The expectation file $full"
        if (-not [System.IO.File]::Exists($full)) {
            $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'ExpectationFileNotFound' -Category ObjectNotFound -TargetObject $Path `
                        -Message "There is no expectation file at $full. Give the path of a JSON file that maps container names to Process or HyperV, for example {""web"": ""HyperV""}."))
        }
        if ((Get-Item -LiteralPath $full).Length -gt $maxFileBytes) {
            $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'ExpectationFileTooLarge' -Category LimitsExceeded -TargetObject $Path `
                        -Message "$sourceTitle is larger than 1 MiB, the limit for an expectation file. Keep one entry per container or wildcard."))
        }
        try {
            # ReadAllText drops a byte order mark; the [string] overload of Parse is the one meant.
            $document = [System.Text.Json.JsonDocument]::Parse([string][System.IO.File]::ReadAllText($full))
        }
        catch {
            # The parser's own message can quote the file; say only where it broke.
            $where = if ($_.Exception.InnerException -is [System.Text.Json.JsonException]) { " (line $($_.Exception.InnerException.LineNumber + 1))" } else { '' }
            $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'InvalidExpectationFile' -Category InvalidData -TargetObject $Path `
                        -Message "$sourceTitle is not valid JSON$where. It must be one object that maps container names to Process or HyperV, for example {""web"": ""HyperV""}."))
        }
        try {
            if ($document.RootElement.ValueKind -ne [System.Text.Json.JsonValueKind]::Object) {
                $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'InvalidExpectationFile' -Category InvalidData -TargetObject $Path `
                            -Message "$sourceTitle holds a JSON $($document.RootElement.ValueKind.ToString().ToLowerInvariant()), not an object. It must map container names to Process or HyperV, for example {""web"": ""HyperV""}."))
            }
            $entries = [ordered]@{}
            foreach ($property in $document.RootElement.EnumerateObject()) {
                if ($entries.Count -ge $maxEntries) { $entries['(more)'] = $null; break }
                $entries[$property.Name] = if ($property.Value.ValueKind -eq [System.Text.Json.JsonValueKind]::String) { $property.Value.GetString() } else { $null }
            }
        }
        finally {
            $document.Dispose()
        }
    }

    if ($entries.Count -gt $maxEntries) {
        $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'TooManyExpectations' -Category LimitsExceeded -TargetObject $Path `
                    -Message "$sourceTitle has more than $maxEntries entries, the limit. Use wildcards (for example 'api-*') to cover many containers with one entry."))
    }
    $resolved = [ordered]@{}
    $position = 0
    foreach ($key in @($entries.Keys)) {
        $position++
        $pattern = [string]$key
        if ($pattern -notmatch '^[A-Za-z0-9_.*?\[\]-]{1,253}$') {
            $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'InvalidExpectation' -Category InvalidData -TargetObject $position `
                        -Message "Entry $position of $source is not a container name or wildcard pattern (letters, digits, _ . - and * ? [ ], at most 253 characters)."))
        }
        $value = $entries[$key]
        $isolation = if ($value -is [string]) { @('Process', 'HyperV') | Where-Object { $_ -eq $value.Trim() } } else { $null }
        if (-not $isolation) {
            $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'InvalidExpectation' -Category InvalidData -TargetObject $pattern `
                        -Message "Entry '$pattern' of $source must be ""Process"" or ""HyperV"", the isolation the container must have."))
        }
        if ($resolved.Contains($pattern)) {
            $PSCmdlet.ThrowTerminatingError((New-CoreErrorRecord -ErrorId 'InvalidExpectation' -Category InvalidData -TargetObject $pattern `
                        -Message "Entry '$pattern' appears twice in $source (names are compared without case). Keep one."))
        }
        $resolved[$pattern] = [string]$isolation
    }
    $resolved
}
