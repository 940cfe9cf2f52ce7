@node "%~dp0dist\windowscontainers-core.cjs" dsc %*
