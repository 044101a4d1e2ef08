# crossgo: restore the Go directories this environment's activation replaced.
# Written by `crossgo conda activate-scripts`; run by conda's PowerShell activation.
if ($env:CROSSGO_GO_DEPTH) {
    $crossgoDepth = [int]$env:CROSSGO_GO_DEPTH
    foreach ($crossgoName in 'GOPATH', 'GOMODCACHE', 'GOCACHE', 'GOBIN', 'GOTOOLCHAIN') {
        $crossgoSaved = "Env:_CROSSGO_GO_${crossgoDepth}_$crossgoName"
        if (Test-Path -LiteralPath $crossgoSaved) {
            Set-Item -LiteralPath "Env:$crossgoName" -Value (Get-Item -LiteralPath $crossgoSaved).Value
            Remove-Item -LiteralPath $crossgoSaved
        } else {
            Remove-Item -LiteralPath "Env:$crossgoName" -ErrorAction SilentlyContinue
        }
    }
    if ($crossgoDepth -gt 1) {
        $env:CROSSGO_GO_DEPTH = "$($crossgoDepth - 1)"
    } else {
        Remove-Item -LiteralPath Env:CROSSGO_GO_DEPTH
    }
    Remove-Variable crossgoDepth, crossgoName, crossgoSaved -ErrorAction SilentlyContinue
}
