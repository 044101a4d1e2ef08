@REM Written by `crossgo conda recipe`: pip runs crossgo's build backend for %target_platform%.
%PYTHON% -m pip install . --no-deps --no-build-isolation -vv
if errorlevel 1 exit 1
