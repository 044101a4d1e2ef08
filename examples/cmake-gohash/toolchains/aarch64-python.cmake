# The target's Python headers, for find_package(Python COMPONENTS Development.Module):
# AARCH64_PYTHON_ROOT (environment) is a directory holding usr/include/python3.X, such as
# Debian's libpython3.11-dev:arm64 unpacked there with `dpkg-deb -x`. They must be the
# headers of the Python the wheel is for (the one running pip: its tag and
# SETUPTOOLS_EXT_SUFFIX say 3.X too).
if(NOT DEFINED ENV{AARCH64_PYTHON_ROOT})
  message(FATAL_ERROR "Set AARCH64_PYTHON_ROOT to a directory holding the target's "
                      "usr/include/python3.X (see docs/cmake.md).")
endif()
file(GLOB _aarch64_python LIST_DIRECTORIES true "$ENV{AARCH64_PYTHON_ROOT}/usr/include/python3.*")
set(Python_INCLUDE_DIR "${_aarch64_python}")
# Debian's python3.X/pyconfig.h includes <aarch64-linux-gnu/python3.X/pyconfig.h>.
set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES "$ENV{AARCH64_PYTHON_ROOT}/usr/include")
