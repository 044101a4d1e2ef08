# linux-aarch64 with Debian's cross gcc (apt-get install gcc-aarch64-linux-gnu). It links
# against Debian 12's glibc 2.36, and crossgo_add_library() builds the Go part to that
# baseline too (the glibc the compiler's headers declare).
#   AARCH64_PYTHON_ROOT  the target's Python headers (aarch64-python.cmake)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
include("${CMAKE_CURRENT_LIST_DIR}/aarch64-python.cmake")
