# The quality gate that stands in for PSScriptAnalyzer (not installable here):
# every module file is parsed with the PowerShell AST and checked for the
# project's conventions.
BeforeDiscovery {
    $moduleRoot = Join-Path $PSScriptRoot '..' '..' 'module'
    $script:publicFiles = @(Get-ChildItem (Join-Path $moduleRoot 'Public') -Filter *.ps1 | ForEach-Object { @{ Name = $_.BaseName; Path = $_.FullName } })
    $script:allFiles = @(Get-ChildItem $moduleRoot -Recurse -Filter *.ps1 | ForEach-Object { @{ Name = $_.BaseName; Path = $_.FullName } })
}

BeforeAll {
    $repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
    $manifestPath = Join-Path $repo 'WindowsContainers.psd1'
    Import-Module $manifestPath -Force

    function Get-FileAst([string] $Path) {
        $tokens = $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
        [pscustomobject]@{ Ast = $ast; Errors = $errors }
    }
    $stateChangingVerbs = 'New', 'Set', 'Remove', 'Stop', 'Start', 'Restart', 'Import', 'Clear', 'Reset', 'Update', 'Install', 'Uninstall', 'Register', 'Unregister', 'Add', 'Enable', 'Disable'
}

AfterAll {
    Remove-Module WindowsContainers -Force -ErrorAction Ignore
}

Describe 'Module file <Name>' -ForEach $allFiles {
    BeforeAll {
        $parsed = Get-FileAst $Path
        # Top-level functions: FunctionDefinition -> NamedBlock -> the file's ScriptBlock.
        $functions = @($parsed.Ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] -and $n.Parent.Parent -eq $parsed.Ast }, $true))
    }

    It 'Should parse without errors' {
        $parsed.Errors | Should -BeNullOrEmpty
    }

    It 'Should hold exactly one top-level function, named after the file' {
        $functions.Count | Should -Be 1
        $functions[0].Name | Should -BeExactly $Name
    }

    It 'Should use an approved verb' {
        $verb = $Name.Split('-')[0]
        (Get-Verb).Verb | Should -Contain $verb
    }

    It 'Should not write to the host directly' {
        $writeHost = $parsed.Ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -in 'Write-Host', 'Out-Host' }, $true)
        @($writeHost) | Should -BeNullOrEmpty
    }

    It 'Should declare CmdletBinding' {
        $functions[0].Body.ParamBlock.Attributes.TypeName.Name | Should -Contain 'CmdletBinding'
    }
}

Describe 'Public command <Name>' -ForEach $publicFiles {
    BeforeAll {
        $command = Get-Command -Module WindowsContainers -Name $Name
        $help = Get-Help $Name -Full
        $verb = $Name.Split('-')[0]
        $ownParameters = @($command.Parameters.Values | Where-Object { $_.Name -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_.Name -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters })
    }

    It 'Should use a singular noun' {
        # A plural ends in a single 's'; 'Process', 'Address' end in 'ss' and are singular.
        $Name.Split('-')[1] | Should -Not -Match '(?<!s)s$'
    }

    It 'Should support ShouldProcess when it changes state' {
        if ($verb -in $stateChangingVerbs) {
            $command.Parameters.Keys | Should -Contain 'WhatIf'
            $command.Parameters.Keys | Should -Contain 'Confirm'
        }
        elseif ($Name -eq 'Invoke-ContainerCommand') {
            # Runs an arbitrary command in a container, which can change anything there (as Invoke-Item may): it asks.
            $command.Parameters.Keys | Should -Contain 'WhatIf'
        }
        else {
            $command.Parameters.Keys | Should -Not -Contain 'WhatIf'
        }
    }

    It 'Should declare its output type' {
        $command.OutputType | Should -Not -BeNullOrEmpty
    }

    It 'Should have a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name"
        ($help.Description.Text -join '') | Should -Not -BeNullOrEmpty
    }

    It 'Should have at least one example with an explanation' {
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        foreach ($example in $help.Examples.Example) {
            $example.Code | Should -Not -BeNullOrEmpty
            ($example.Remarks.Text -join '') | Should -Not -BeNullOrEmpty
        }
    }

    It 'Should describe every parameter' {
        foreach ($parameter in $ownParameters) {
            $entry = $help.Parameters.Parameter | Where-Object Name -EQ $parameter.Name
            ($entry.Description.Text -join '') | Should -Not -BeNullOrEmpty -Because "parameter -$($parameter.Name) needs help"
        }
    }
}

Describe 'The module manifest' {
    It 'Should pass Test-ModuleManifest' {
        { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'Should export exactly the functions in Public/, by name' {
        $manifest = Import-PowerShellDataFile $manifestPath
        $public = (Get-ChildItem (Join-Path $repo 'module' 'Public') -Filter *.ps1).BaseName | Sort-Object
        $manifest.FunctionsToExport | Should -Not -Contain '*'
        @($manifest.FunctionsToExport | Sort-Object) | Should -Be @($public)
        @((Get-Command -Module WindowsContainers).Name | Sort-Object) | Should -Be @($public)
    }

    It 'Should export no cmdlets, variables or aliases by wildcard' {
        $manifest = Import-PowerShellDataFile $manifestPath
        foreach ($key in 'CmdletsToExport', 'VariablesToExport', 'AliasesToExport') {
            @($manifest[$key]).Count | Should -Be 0 -Because "$key should be @()"
        }
    }
}

Describe 'The format file' {
    BeforeAll {
        [xml]$formats = Get-Content -Raw (Join-Path $repo 'module' 'WindowsContainers.Format.ps1xml')
        $views = @($formats.Configuration.ViewDefinitions.View)
        # Every type the module can hand to its caller, found with the AST in
        # every module file (Public and Private, .ps1 and .psm1): the
        # PSTypeName of each [pscustomobject]@{ PSTypeName = '...' } literal, a
        # name added with .PSObject.TypeNames.Insert/Add, and every class the
        # module defines (a class's type name is its own name).
        $emitted = [System.Collections.Generic.SortedSet[string]]::new([System.StringComparer]::Ordinal)
        $moduleFiles = @(Get-ChildItem (Join-Path $repo 'module') -Recurse -File | Where-Object Extension -In '.ps1', '.psm1')
        foreach ($file in $moduleFiles) {
            $ast = (Get-FileAst $file.FullName).Ast
            foreach ($hashtable in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.HashtableAst] }, $true)) {
                foreach ($pair in $hashtable.KeyValuePairs) {
                    if ($pair.Item1 -is [System.Management.Automation.Language.StringConstantExpressionAst] -and $pair.Item1.Value -eq 'PSTypeName') {
                        $value = $pair.Item2.Find({ $args[0] -is [System.Management.Automation.Language.StringConstantExpressionAst] }, $true)
                        $value | Should -Not -BeNullOrEmpty -Because "the PSTypeName in $($file.Name) line $($pair.Item1.Extent.StartLineNumber) should be a literal, so that this rule can see it"
                        [void]$emitted.Add($value.Value)
                    }
                }
            }
            foreach ($call in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.InvokeMemberExpressionAst] }, $true)) {
                if ($call.Member.Extent.Text -in 'Insert', 'Add' -and $call.Expression.Extent.Text -match '\.TypeNames$') {
                    $name = $call.Arguments | Where-Object { $_ -is [System.Management.Automation.Language.StringConstantExpressionAst] } | Select-Object -Last 1
                    if ($name) { [void]$emitted.Add($name.Value) }
                }
            }
            foreach ($type in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.TypeDefinitionAst] }, $true)) {
                if ($type.IsClass) { [void]$emitted.Add($type.Name) }
            }
        }
        $viewed = @($views.ViewSelectedBy.TypeName)
    }

    It 'Should find the types built in Private helpers and the classes of the .psm1, not only those of Public' {
        # The scan itself must see beyond Public/: these come from Private/ and the .psm1.
        @($emitted) | Should -Contain 'WindowsContainers.HostMatch'
        @($emitted) | Should -Contain 'WindowsContainers.Container'
        @($emitted) | Should -Contain 'WindowsContainersHostProcess'
    }

    It 'Should have a view for every type the module emits' {
        foreach ($type in $emitted) { $viewed | Should -Contain $type -Because "$type is emitted by the module and needs a default view" }
    }

    It 'Should select every view by its Deserialized name too, for remoting' {
        foreach ($view in $views) {
            $names = @($view.ViewSelectedBy.TypeName)
            foreach ($name in $names | Where-Object { $_ -notlike 'Deserialized.*' }) {
                $names | Should -Contain "Deserialized.$name" -Because "view $($view.Name) is used through Invoke-Command"
            }
        }
    }
}
