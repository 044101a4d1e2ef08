"""bzlmod setup for crossgo's rules (Bazel 6 and later; Bazel 4 ignores MODULE.bazel):

    bazel_dep(name = "crossgo", version = "0.1.0")
    crossgo = use_extension("@crossgo//toolchains/bazel:extensions.bzl", "crossgo")
    crossgo.targets(names = ["linux-64", "linux-aarch64"])  # optional: crossgo_env's targets
    crossgo.toolchain(python = "/usr/bin/python3")          # optional: crossgo_register()'s settings
    crossgo.go_modules(name = "my_modules", go_mod = "//go:go.mod", go_sum = "//go:go.sum")
    use_repo(crossgo, "crossgo_host", "my_modules")          # crossgo_host: only for its platforms
"""

load("//toolchains/bazel/private:extension.bzl", "crossgo_extension_impl")
load("//toolchains/bazel/private:setup.bzl", "TOOL_SETTINGS")

crossgo = module_extension(
    implementation = crossgo_extension_impl,
    tag_classes = {
        "toolchain": tag_class(attrs = TOOL_SETTINGS),
        "targets": tag_class(attrs = {"names": attr.string_list(doc = "crossgo_env's targets")}),
        "go_modules": tag_class(attrs = {
            "name": attr.string(mandatory = True, doc = "the repository: @<name>//:modules"),
            "go_mod": attr.label(mandatory = True),
            "go_sum": attr.label(),
        }),
    },
    doc = "The wheels crossgo's actions run (Go, zig, crossgo's dependencies) and @crossgo_host.",
)
