"""bzlmod setup for crossgo's rules (Bazel 6 and later; Bazel 4 ignores MODULE.bazel):

    bazel_dep(name = "crossgo", version = "0.1.0")
    crossgo = use_extension("@crossgo//toolchains/bazel:extensions.bzl", "crossgo")
    crossgo.host(crossgo = "/path/to/bin/crossgo")  # optional: the same settings as crossgo_register()
    use_repo(crossgo, "crossgo_host")                # only to name @crossgo_host//platforms:<target>
"""

load("//toolchains/bazel/private:extension.bzl", "crossgo_extension_impl")
load("//toolchains/bazel/private:host_repository.bzl", "HOST_ATTRS")

crossgo = module_extension(
    implementation = crossgo_extension_impl,
    tag_classes = {"host": tag_class(attrs = HOST_ATTRS)},
    doc = "Creates @crossgo_host from what this machine has installed, as crossgo_register() does.",
)
