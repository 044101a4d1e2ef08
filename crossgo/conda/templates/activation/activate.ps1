# crossgo: give this conda environment its own Go directories (GOPATH, GOMODCACHE, GOCACHE,
# GOBIN inside the environment) and keep Go from downloading toolchains. Deactivation
# restores exactly what was there before, also when environments are stacked.
# Written by `crossgo conda activate-scripts`; run by conda's PowerShell activation.
$crossgoDepth = 1 + [int]$env:CROSSGO_GO_DEPTH
foreach ($crossgoName in 'GOPATH', 'GOMODCACHE', 'GOCACHE', 'GOBIN', 'GOTOOLCHAIN') {
    if (Test-Path -LiteralPath "Env:$crossgoName") {
        $crossgoValue = (Get-Item -LiteralPath "Env:$crossgoName").Value
        Set-Item -LiteralPath "Env:_CROSSGO_GO_${crossgoDepth}_$crossgoName" -Value $crossgoValue
    }
}
$env:CROSSGO_GO_DEPTH = "$crossgoDepth"
$env:GOPATH = [IO.Path]::Combine($env:CONDA_PREFIX, 'var', 'go')
$env:GOMODCACHE = [IO.Path]::Combine($env:CONDA_PREFIX, 'var', 'go', 'pkg', 'mod')
$env:GOCACHE = [IO.Path]::Combine($env:CONDA_PREFIX, 'var', 'cache', 'go-build')
$env:GOBIN = [IO.Path]::Combine($env:CONDA_PREFIX, 'bin')
$env:GOTOOLCHAIN = 'local'
Remove-Variable crossgoDepth, crossgoName, crossgoValue -ErrorAction SilentlyContinue
