@REM crossgo: restore the Go directories this environment's activation replaced.
@REM Written by `crossgo conda activate-scripts`; called by conda (cmd.exe).
@REM cmd has no empty variables: a variable is either set or not, and comes back as it was.
@if not defined CROSSGO_GO_DEPTH goto :eof
@set "GOPATH="
@if defined _CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOPATH for /f "tokens=1* delims==" %%A in ('set _CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOPATH') do @if "%%A"=="_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOPATH" set "GOPATH=%%B"
@set "_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOPATH="
@set "GOMODCACHE="
@if defined _CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOMODCACHE for /f "tokens=1* delims==" %%A in ('set _CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOMODCACHE') do @if "%%A"=="_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOMODCACHE" set "GOMODCACHE=%%B"
@set "_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOMODCACHE="
@set "GOCACHE="
@if defined _CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOCACHE for /f "tokens=1* delims==" %%A in ('set _CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOCACHE') do @if "%%A"=="_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOCACHE" set "GOCACHE=%%B"
@set "_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOCACHE="
@set "GOBIN="
@if defined _CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOBIN for /f "tokens=1* delims==" %%A in ('set _CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOBIN') do @if "%%A"=="_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOBIN" set "GOBIN=%%B"
@set "_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOBIN="
@set "GOTOOLCHAIN="
@if defined _CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOTOOLCHAIN for /f "tokens=1* delims==" %%A in ('set _CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOTOOLCHAIN') do @if "%%A"=="_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOTOOLCHAIN" set "GOTOOLCHAIN=%%B"
@set "_CROSSGO_GO_%CROSSGO_GO_DEPTH%_GOTOOLCHAIN="
@set /a "CROSSGO_GO_DEPTH=CROSSGO_GO_DEPTH-1" >nul
@if "%CROSSGO_GO_DEPTH%"=="0" set "CROSSGO_GO_DEPTH="
