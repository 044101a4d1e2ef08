# linux-aarch64 with zig as the C compiler (glibc 2.17, the manylinux2014 baseline).
# crossgo_add_library() hands cgo the same compiler with the same --target.
#   ZIG                  zig's path; from the ziglang wheel:
#                        python -c "import ziglang, pathlib; print(pathlib.Path(ziglang.__file__).with_name('zig'))"
#   AARCH64_PYTHON_ROOT  the target's Python headers (aarch64-python.cmake)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
if(NOT DEFINED ENV{ZIG})
  message(FATAL_ERROR "Set ZIG to zig's path (see the top of ${CMAKE_CURRENT_LIST_FILE}).")
endif()
set(CMAKE_C_COMPILER "$ENV{ZIG}" cc)
set(CMAKE_C_COMPILER_TARGET aarch64-linux-gnu.2.17)
include("${CMAKE_CURRENT_LIST_DIR}/aarch64-python.cmake")
