# crossgo_add_library() and crossgo_install(): a Go c-shared library, built by crossgo for the
# platform CMake builds for and with CMake's C compiler, as a target that C and C++ targets
# link to. crossgoConfig.cmake includes this file; the reference is docs/cmake.md.
#
#   crossgo_add_library(<name> PACKAGE <dir> [NAME <lib>] [TARGET <crossgo target>]
#                       [TOOLCHAIN cmake|auto|zig|conda|system] [GLIBC <X.Y>] [STRIP]
#                       [EXCLUDE_FROM_ALL]
#                       [TAGS <tag>...] [CFLAGS <flag>...] [LDFLAGS <flag>...]
#                       [DEPENDS <file>...])
#   crossgo_install(<name> DESTINATION <dir> [LINKED_BY <target>...]
#                   [LINKED_BY_DESTINATION <dir>] [COMPONENT <component>])

include_guard(GLOBAL)

set(CROSSGO_GLIBC "" CACHE STRING
    "glibc baseline of crossgo_add_library() libraries for Linux (default: the C compiler's)")

# --- the crossgo command ------------------------------------------------------------------

# CROSSGO_EXECUTABLE: the crossgo command of the installation this file belongs to. A venv,
# pip's build environment or a --user install keeps its scripts two or three levels above
# site-packages, where crossgo/cmake/ lives; PATH comes after those.
function(_crossgo_find_executable)
  set_property(GLOBAL PROPERTY CROSSGO_EXECUTABLE "")
  if(CROSSGO_EXECUTABLE)
    set(candidates "${CROSSGO_EXECUTABLE}")
  else()
    cmake_path(GET CMAKE_CURRENT_FUNCTION_LIST_DIR PARENT_PATH package)
    cmake_path(GET package PARENT_PATH site)
    find_program(found NAMES crossgo NO_CACHE NO_CMAKE_FIND_ROOT_PATH
                 HINTS "${site}/../../../bin" "${site}/../../Scripts" "${site}/../bin")
    if(NOT found)
      set(_crossgo_not_found "the crossgo command is not on PATH: install crossgo \
(pip install crossgo), or set CROSSGO_EXECUTABLE" PARENT_SCOPE)
      return()
    endif()
    set(candidates "${found}")
  endif()
  list(JOIN candidates " " shown)
  execute_process(COMMAND ${candidates} --cmake-dir
                  RESULT_VARIABLE status OUTPUT_VARIABLE dir ERROR_VARIABLE error
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT status EQUAL 0)
    set(_crossgo_not_found "`${shown} --cmake-dir` failed (${status}): ${error}" PARENT_SCOPE)
    return()
  endif()
  file(REAL_PATH "${dir}" theirs)
  file(REAL_PATH "${CMAKE_CURRENT_FUNCTION_LIST_DIR}" ours)
  if(NOT theirs STREQUAL ours)
    set(_crossgo_not_found "the crossgo command ${shown} belongs to another crossgo \
installation (its CMake package is ${theirs}, this one is ${ours}): set CROSSGO_EXECUTABLE \
to the crossgo command beside this package" PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY CROSSGO_EXECUTABLE "${candidates}")
endfunction()

# One quoted message: semicolons in crossgo's own words stay (ARGN would split them).
function(_crossgo_fail name text)
  message(FATAL_ERROR "crossgo_add_library(${name}): ${text}")
endfunction()

# --- the C compiler cgo gets --------------------------------------------------------------

# TOOLCHAIN's default: CMake's C compiler when the project has one cgo can use, else crossgo's
# own choice (zig, conda, a system cross gcc).
function(_crossgo_default_toolchain out_var)
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("C" IN_LIST languages AND NOT CMAKE_C_COMPILER_ID STREQUAL "MSVC"
     AND NOT CMAKE_C_COMPILER_FRONTEND_VARIANT STREQUAL "MSVC")
    set(${out_var} cmake PARENT_SCOPE)
  else()
    set(${out_var} auto PARENT_SCOPE)
  endif()
endfunction()

# The arguments CMake adds to every call of its C compiler to select the target.
function(_crossgo_cc_arguments out_var)
  set(args "")
  if(CMAKE_C_COMPILER_ARG1)
    separate_arguments(arg1 NATIVE_COMMAND "${CMAKE_C_COMPILER_ARG1}")
    list(APPEND args ${arg1})
  endif()
  if(CMAKE_C_COMPILER_TARGET AND CMAKE_C_COMPILE_OPTIONS_TARGET)
    list(APPEND args "${CMAKE_C_COMPILE_OPTIONS_TARGET}${CMAKE_C_COMPILER_TARGET}")
  endif()
  if(CMAKE_C_COMPILER_EXTERNAL_TOOLCHAIN AND CMAKE_C_COMPILE_OPTIONS_EXTERNAL_TOOLCHAIN)
    list(APPEND args
         "${CMAKE_C_COMPILE_OPTIONS_EXTERNAL_TOOLCHAIN}${CMAKE_C_COMPILER_EXTERNAL_TOOLCHAIN}")
  endif()
  if(CMAKE_SYSROOT AND CMAKE_C_COMPILE_OPTIONS_SYSROOT)
    list(APPEND args "${CMAKE_C_COMPILE_OPTIONS_SYSROOT}${CMAKE_SYSROOT}")
  endif()
  if(APPLE)
    list(LENGTH CMAKE_OSX_ARCHITECTURES count)
    if(count EQUAL 1)
      list(APPEND args -arch "${CMAKE_OSX_ARCHITECTURES}")
    endif()
    if(CMAKE_OSX_SYSROOT AND CMAKE_C_SYSROOT_FLAG)
      list(APPEND args "${CMAKE_C_SYSROOT_FLAG}" "${CMAKE_OSX_SYSROOT}")
    endif()
  endif()
  set(${out_var} "${args}" PARENT_SCOPE)
endfunction()

# CMake's C compiler as cgo's CC: a wrapper script in the build tree, because cgo's CC is one
# executable and CMake may add arguments (zig's `cc`, --target=, --sysroot=), and because some
# compilers write into the current directory, which for cgo is the Go package: zig compiles
# for `-###` and leaves `-.o` for `-o /dev/null` (Go's compiler probes). Those run in a
# scratch directory instead, as in crossgo's own zig wrapper.
function(_crossgo_cmake_cc name dir out_var shown_var)
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if(NOT "C" IN_LIST languages)
    _crossgo_fail(${name} "TOOLCHAIN cmake uses CMake's C compiler, and this project has \
none: enable C (project(... LANGUAGES C)), or use TOOLCHAIN auto.")
  endif()
  if(CMAKE_C_COMPILER_ID STREQUAL "MSVC" OR CMAKE_C_COMPILER_FRONTEND_VARIANT STREQUAL "MSVC")
    _crossgo_fail(${name} "cgo needs a GCC- or Clang-compatible C compiler, and CMake's is \
${CMAKE_C_COMPILER_ID} (${CMAKE_C_COMPILER}): use TOOLCHAIN auto (zig).")
  endif()
  _crossgo_cc_arguments(args)
  list(JOIN CMAKE_C_COMPILER " " shown)
  if(args)
    list(JOIN args " " joined)
    string(APPEND shown " ${joined}")
  endif()
  set(${shown_var} "${shown}" PARENT_SCOPE)
  if(CMAKE_HOST_WIN32)
    if(args)
      _crossgo_fail(${name} "CMake calls its C compiler with arguments (${joined}), and \
cgo's CC cannot hold them on a Windows host: use a compiler that needs none, or TOOLCHAIN \
auto.")
    endif()
    set(${out_var} "${CMAKE_C_COMPILER}" PARENT_SCOPE)
    return()
  endif()
  set(command "")
  foreach(word IN LISTS CMAKE_C_COMPILER args)
    string(REPLACE "'" "'\\''" word "${word}")
    string(APPEND command " '${word}'")
  endforeach()
  file(WRITE "${dir}/cc.new" "#!/bin/sh
# crossgo: CMake's C compiler for cgo, with the arguments CMake adds. Generated; do not edit.
scratch= previous=
for arg do
  if [ \"$arg\" = \"-###\" ] || { [ \"$previous\" = -o ] && [ \"$arg\" = /dev/null ]; }; then
    scratch=$(mktemp -d \"\${TMPDIR:-/tmp}/crossgo-cc.XXXXXX\") || exit 1
    break
  fi
  previous=$arg
done
[ -z \"$scratch\" ] && exec${command} \"$@\"
(cd \"$scratch\" &&${command} \"$@\")
status=$?
rm -rf \"$scratch\"
exit $status
")
  # Only a changed script gets a new mtime: crossgo caches its compiler probe by it.
  file(COPY_FILE "${dir}/cc.new" "${dir}/cc" ONLY_IF_DIFFERENT)
  file(REMOVE "${dir}/cc.new")
  file(CHMOD "${dir}/cc" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
       GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  set(${out_var} "${dir}/cc" PARENT_SCOPE)
endfunction()

# --- what a change rebuilds ---------------------------------------------------------------

# The files whose change rebuilds the library: the Go module's sources (every package of the
# module, vendor/ too), cgo's C files, go.mod and go.sum; not what `go build` skips (_test.go
# files, testdata/, directories starting with . or _) nor the build tree. New files are
# picked up at the next build (CONFIGURE_DEPENDS); go.mod also re-runs the configuration.
function(_crossgo_sources package out_var)
  set(root "${package}")
  while(NOT EXISTS "${root}/go.mod")
    cmake_path(GET root PARENT_PATH parent)
    if(parent STREQUAL root)
      set(root "${package}")
      break()
    endif()
    set(root "${parent}")
  endwhile()
  set(patterns "")
  foreach(extension go c h s S cc cpp cxx hh hpp m syso)
    list(APPEND patterns "${root}/*.${extension}")
  endforeach()
  file(GLOB_RECURSE files CONFIGURE_DEPENDS LIST_DIRECTORIES false RELATIVE "${root}" ${patterns})
  list(FILTER files EXCLUDE REGEX "(^|/)[._][^/]*/|(^|/)testdata/|_test\\.go$")
  cmake_path(IS_PREFIX root "${CMAKE_BINARY_DIR}" NORMALIZE build_inside)
  if(build_inside)
    file(RELATIVE_PATH build "${root}" "${CMAKE_BINARY_DIR}")
    string(REGEX REPLACE "([][+.*()^$?|\\\\])" "\\\\\\1" build "${build}")
    list(FILTER files EXCLUDE REGEX "^${build}/")
  endif()
  list(TRANSFORM files PREPEND "${root}/")
  foreach(file go.mod go.sum go.work)
    if(EXISTS "${root}/${file}")
      list(APPEND files "${root}/${file}")
    endif()
  endforeach()
  if(EXISTS "${root}/go.mod")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${root}/go.mod")
  endif()
  set(${out_var} "${files}" PARENT_SCOPE)
endfunction()

# --- crossgo_add_library ------------------------------------------------------------------

# Ask crossgo, at configure time, what CMake's variables mean and what the build will be: it
# maps them to a target, checks Go and the compiler (exit 3 for one that builds for another
# platform) and names the files. Sets crossgo_<key> in the caller for each key of its JSON.
function(_crossgo_plan name package toolchain_args note)
  get_property(crossgo GLOBAL PROPERTY CROSSGO_EXECUTABLE)
  string(REPLACE ";" "," archs "${CMAKE_OSX_ARCHITECTURES}")
  execute_process(
    COMMAND ${crossgo} cmake-target --json "--package=${package}" ${toolchain_args}
            "--system-name=${CMAKE_SYSTEM_NAME}" "--system-processor=${CMAKE_SYSTEM_PROCESSOR}"
            "--osx-architectures=${archs}" "--compiler-target=${CMAKE_C_COMPILER_TARGET}"
    RESULT_VARIABLE status OUTPUT_VARIABLE json ERROR_VARIABLE error)
  if(NOT status EQUAL 0)
    string(STRIP "${error}" error)
    _crossgo_fail(${name} "crossgo cmake-target exited with ${status}:\n${error}${note}")
  endif()
  foreach(key target goos source name library header import_library cc toolchain glibc go_version)
    string(JSON value ERROR_VARIABLE missing GET "${json}" "${key}")
    if(missing OR value STREQUAL "null")
      set(value "")
    endif()
    set(crossgo_${key} "${value}" PARENT_SCOPE)
  endforeach()
endfunction()

function(crossgo_add_library name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "STRIP;EXCLUDE_FROM_ALL"
                        "PACKAGE;NAME;TARGET;TOOLCHAIN;GLIBC" "TAGS;CFLAGS;LDFLAGS;DEPENDS")
  if(arg_UNPARSED_ARGUMENTS)
    _crossgo_fail(${name} "unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_PACKAGE)
    _crossgo_fail(${name} "PACKAGE <directory of the Go main package> is required.")
  endif()
  if(TARGET "${name}")
    _crossgo_fail(${name} "a target named ${name} exists already.")
  endif()
  cmake_path(ABSOLUTE_PATH arg_PACKAGE BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE
             OUTPUT_VARIABLE package)
  string(REGEX REPLACE "(.)/+$" "\\1" package "${package}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/crossgo/${name}")
  file(MAKE_DIRECTORY "${dir}/include")

  set(toolchain "${arg_TOOLCHAIN}")
  if(NOT toolchain)
    _crossgo_default_toolchain(toolchain)
  endif()
  if(toolchain STREQUAL "cmake")
    _crossgo_cmake_cc(${name} "${dir}" cc compiler)
    set(toolchain_args "--cc=${cc}")
  elseif(toolchain MATCHES "^(auto|zig|conda|system)$")
    set(toolchain_args "--toolchain=${toolchain}")
  else()
    _crossgo_fail(${name} "TOOLCHAIN is cmake, auto, zig, conda or system, not ${toolchain}.")
  endif()
  # An Apple SDK, for macOS targets: crossgo links Go's system libraries against it.
  if(CMAKE_OSX_SYSROOT AND IS_DIRECTORY "${CMAKE_OSX_SYSROOT}")
    list(APPEND toolchain_args "--macos-sdk=${CMAKE_OSX_SYSROOT}")
  endif()
  set(plan_args ${toolchain_args})
  foreach(option TARGET NAME GLIBC)
    string(TOLOWER "${option}" flag)
    if(arg_${option})
      list(APPEND plan_args "--${flag}=${arg_${option}}")
    elseif(option STREQUAL "GLIBC" AND CROSSGO_GLIBC)
      list(APPEND plan_args "--glibc=${CROSSGO_GLIBC}")
    endif()
  endforeach()
  set(note "")
  if(toolchain STREQUAL "cmake" AND NOT cc STREQUAL CMAKE_C_COMPILER)
    set(note "\n(${cc} is cgo's CC: CMake's C compiler, ${compiler}, through a wrapper)")
  endif()
  _crossgo_plan(${name} "${package}" "${plan_args}" "${note}")

  set(library "${dir}/lib/${crossgo_library}")
  set(staged_header "${dir}/stage/${crossgo_header}")
  set(header "${dir}/include/${crossgo_header}")
  set(outputs "${library}" "${staged_header}")
  set(build_args build --frontend=cmake "--target=${crossgo_target}" ${toolchain_args} "--name=${crossgo_name}"
                 "--output-dir=${dir}/lib" "--header-dir=${dir}/stage")
  if(crossgo_glibc)
    list(APPEND build_args "--glibc=${crossgo_glibc}")
  endif()
  if(crossgo_import_library)
    list(APPEND build_args --import-library)
    list(APPEND outputs "${dir}/lib/${crossgo_import_library}")
  endif()
  if(arg_STRIP)
    list(APPEND build_args --strip)
  endif()
  foreach(option TAGS CFLAGS LDFLAGS)
    if(arg_${option})
      string(TOLOWER "${option}" flag)
      set(separator " ")
      if(option STREQUAL "TAGS")
        set(separator ",")
      endif()
      list(JOIN arg_${option} "${separator}" value)
      list(APPEND build_args "--${flag}=${value}")
    endif()
  endforeach()
  set(environment "")
  if(crossgo_goos STREQUAL "darwin" AND CMAKE_OSX_DEPLOYMENT_TARGET)
    set(environment "${CMAKE_COMMAND}" -E env
                    "MACOSX_DEPLOYMENT_TARGET=${CMAKE_OSX_DEPLOYMENT_TARGET}")
  endif()
  get_property(crossgo GLOBAL PROPERTY CROSSGO_EXECUTABLE)
  _crossgo_sources("${package}" sources)

  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ${environment} ${crossgo} ${build_args} "${package}"
    DEPENDS ${sources} ${arg_DEPENDS}
    WORKING_DIRECTORY "${dir}"
    COMMENT "crossgo: building ${crossgo_library} for ${crossgo_target}"
    VERBATIM)
  # The header changes only when the exports do: copying it only then keeps C sources that
  # include it from recompiling after every Go change.
  add_custom_command(
    OUTPUT "${header}"
    COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${staged_header}" "${header}"
    DEPENDS "${staged_header}"
    VERBATIM)
  # Built by default, like add_library(): a library only Python loads has no other user.
  set(all ALL)
  if(arg_EXCLUDE_FROM_ALL)
    set(all "")
  endif()
  add_custom_target(crossgo_${name} ${all} DEPENDS ${outputs} "${header}")

  add_library(${name} SHARED IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES
    IMPORTED_LOCATION "${library}"
    INTERFACE_INCLUDE_DIRECTORIES "${dir}/include"
    CROSSGO_TARGET "${crossgo_target}"
    CROSSGO_GOOS "${crossgo_goos}"
    CROSSGO_HEADER "${header}")
  if(crossgo_goos STREQUAL "windows")
    set_target_properties(${name} PROPERTIES IMPORTED_IMPLIB "${dir}/lib/${crossgo_import_library}")
  elseif(crossgo_goos STREQUAL "darwin")
    set_target_properties(${name} PROPERTIES IMPORTED_SONAME "@rpath/${crossgo_library}")
  else()
    set_target_properties(${name} PROPERTIES IMPORTED_SONAME "${crossgo_library}")
  endif()
  add_dependencies(${name} crossgo_${name})

  if(NOT toolchain STREQUAL "cmake")
    set(compiler "crossgo's ${crossgo_toolchain}")
  endif()
  set(baseline "")
  if(crossgo_glibc)
    set(baseline ", glibc ${crossgo_glibc}")
  endif()
  message(STATUS "crossgo: ${name}: ${crossgo_library} for ${crossgo_target} "
                 "(${crossgo_source}), go${crossgo_go_version}, C compiler ${compiler}${baseline}")
endfunction()

# --- crossgo_install ----------------------------------------------------------------------

# The library where the wheel (or prefix) needs it, and a relative rpath from each target that
# links it: $ORIGIN/<path> on Linux, @loader_path/<path> on macOS. Windows has no rpath:
# Python finds an extension's DLLs in the extension's own directory, so install them together.
function(crossgo_install name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "DESTINATION;LINKED_BY_DESTINATION;COMPONENT"
                        "LINKED_BY")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "crossgo_install(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET "${name}")
    message(FATAL_ERROR "crossgo_install(${name}): no such target; crossgo_add_library() first.")
  endif()
  get_target_property(goos ${name} CROSSGO_GOOS)
  if(NOT goos)
    message(FATAL_ERROR "crossgo_install(${name}): ${name} is not from crossgo_add_library().")
  endif()
  if(NOT DEFINED arg_DESTINATION)
    message(FATAL_ERROR "crossgo_install(${name}): DESTINATION <dir> is required.")
  endif()
  set(component "")
  if(arg_COMPONENT)
    set(component COMPONENT "${arg_COMPONENT}")
  endif()
  get_target_property(library ${name} IMPORTED_LOCATION)
  install(PROGRAMS "${library}" DESTINATION "${arg_DESTINATION}" ${component})
  if(NOT arg_LINKED_BY)
    return()
  endif()
  set(from "${arg_DESTINATION}")
  if(DEFINED arg_LINKED_BY_DESTINATION)
    set(from "${arg_LINKED_BY_DESTINATION}")
  endif()
  cmake_path(ABSOLUTE_PATH arg_DESTINATION BASE_DIRECTORY "/" NORMALIZE OUTPUT_VARIABLE to)
  cmake_path(ABSOLUTE_PATH from BASE_DIRECTORY "/" NORMALIZE OUTPUT_VARIABLE from)
  file(RELATIVE_PATH relative "${from}" "${to}")
  if(goos STREQUAL "windows")
    if(NOT relative STREQUAL "")
      message(WARNING "crossgo_install(${name}): Windows has no rpath, and Python looks for an "
                      "extension's DLLs in its own directory: install ${name} to "
                      "${arg_LINKED_BY_DESTINATION}, or add its directory at run time with "
                      "os.add_dll_directory().")
    endif()
    return()
  endif()
  set(origin "$ORIGIN")
  if(goos STREQUAL "darwin")
    set(origin "@loader_path")
  endif()
  if(NOT relative STREQUAL "")
    string(APPEND origin "/${relative}")
  endif()
  foreach(user IN LISTS arg_LINKED_BY)
    if(NOT TARGET "${user}")
      message(FATAL_ERROR "crossgo_install(${name}): LINKED_BY ${user} is not a target.")
    endif()
    set_property(TARGET "${user}" APPEND PROPERTY INSTALL_RPATH "${origin}")
  endforeach()
endfunction()
