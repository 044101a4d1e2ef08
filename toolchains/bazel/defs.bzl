"""crossgo's Bazel rules. Load them from here:

    load("@crossgo//toolchains/bazel:defs.bzl", "crossgo_c_shared_library", "crossgo_env", "crossgo_wheel")

Each rule only checks its attributes and runs crossgo as a sandboxed action, with the
crossgo, Go and zig that crossgo_register() found (see repositories.bzl).
"""

load("//toolchains/bazel/private:env.bzl", _CrossgoEnvInfo = "CrossgoEnvInfo", _crossgo_env = "crossgo_env")
load(
    "//toolchains/bazel/private:library.bzl",
    _CrossgoLibraryInfo = "CrossgoLibraryInfo",
    _crossgo_c_shared_library = "crossgo_c_shared_library",
)
load("//toolchains/bazel/private:wheel.bzl", _crossgo_wheel = "crossgo_wheel")

crossgo_c_shared_library = _crossgo_c_shared_library
crossgo_env = _crossgo_env
crossgo_wheel = _crossgo_wheel
CrossgoLibraryInfo = _CrossgoLibraryInfo
CrossgoEnvInfo = _CrossgoEnvInfo
