# crossgo's CMake package. find_package(crossgo CONFIG) loads this file; CMake finds it
# through `python -m crossgo --cmake-dir` (pass it as crossgo_DIR or in CMAKE_PREFIX_PATH) or,
# under scikit-build-core, through crossgo's cmake.prefix entry point. See docs/cmake.md.
#
# It finds the crossgo command of this same installation (CROSSGO_EXECUTABLE, which you may
# set), then defines crossgo_add_library() and crossgo_install() (CrossgoAddLibrary.cmake).

if(CMAKE_VERSION VERSION_LESS 3.21)
  set(crossgo_FOUND FALSE)
  set(crossgo_NOT_FOUND_MESSAGE
      "crossgo's CMake functions need CMake 3.21 or newer, not ${CMAKE_VERSION} (pip install cmake)")
  return()
endif()

include("${CMAKE_CURRENT_LIST_DIR}/CrossgoAddLibrary.cmake")

_crossgo_find_executable()
get_property(_crossgo_executable GLOBAL PROPERTY CROSSGO_EXECUTABLE)
if(NOT _crossgo_executable)
  set(crossgo_FOUND FALSE)
  set(crossgo_NOT_FOUND_MESSAGE "${_crossgo_not_found}")
  unset(_crossgo_not_found)
  unset(_crossgo_executable)
  return()
endif()
set(CROSSGO_EXECUTABLE "${_crossgo_executable}")  # what crossgo_add_library() will run
unset(_crossgo_executable)
