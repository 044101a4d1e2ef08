"""WORKSPACE setup for crossgo's rules:

    local_repository(name = "crossgo", path = "/path/to/crossgo")  # or http_archive
    load("@crossgo//toolchains/bazel:repositories.bzl", "crossgo_register")
    crossgo_register()

`crossgo_register()` creates `@crossgo_host` from what this machine has installed: crossgo
(on PATH, or the path given), the Go and zig crossgo finds, and crossgo's cache directory.
"""

load("//toolchains/bazel/private:host_repository.bzl", _crossgo_host_repository = "crossgo_host_repository")

crossgo_host_repository = _crossgo_host_repository

def crossgo_register(name = "crossgo_host", **kwargs):
    """Create @crossgo_host; the rules load it by that name, so keep the default.

    Args:
      name: the repository's name; the rules expect crossgo_host.
      **kwargs: crossgo, python, cache_dir, targets, env (see crossgo_host_repository).
    """
    if name != "crossgo_host":
        fail("crossgo_register: the rules load @crossgo_host, so name must stay crossgo_host")
    _crossgo_host_repository(name = name, **kwargs)
