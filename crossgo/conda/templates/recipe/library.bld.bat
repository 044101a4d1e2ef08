@REM Written by `crossgo conda recipe`: build the Go library for %target_platform% and
@REM install it in %LIBRARY_BIN%, %LIBRARY_LIB% and %LIBRARY_INC%.
crossgo conda install @GO_PACKAGE@ --name @LIBRARY@
if errorlevel 1 exit 1
