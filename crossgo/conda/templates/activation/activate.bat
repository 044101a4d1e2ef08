@REM crossgo: give this conda environment its own Go directories (GOPATH, GOMODCACHE,
@REM GOCACHE, GOBIN inside the environment) and keep Go from downloading toolchains.
@REM Deactivation restores exactly what was there before, also when environments are
@REM stacked. Written by `crossgo conda activate-scripts`; called by conda (cmd.exe).
@if not defined CROSSGO_GO_DEPTH set "CROSSGO_GO_DEPTH=0"
@set /a "CROSSGO_GO_DEPTH=CROSSGO_GO_DEPTH+1" >nul
@if defined GOPATH set "_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOPATH=%GOPATH%"
@if defined GOMODCACHE set "_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOMODCACHE=%GOMODCACHE%"
@if defined GOCACHE set "_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOCACHE=%GOCACHE%"
@if defined GOBIN set "_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOBIN=%GOBIN%"
@if defined GOTOOLCHAIN set "_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOTOOLCHAIN=%GOTOOLCHAIN%"
@set "GOPATH=%CONDA_PREFIX%\var\go"
@set "GOMODCACHE=%CONDA_PREFIX%\var\go\pkg\mod"
@set "GOCACHE=%CONDA_PREFIX%\var\cache\go-build"
@set "GOBIN=%CONDA_PREFIX%\bin"
@set "GOTOOLCHAIN=local"
