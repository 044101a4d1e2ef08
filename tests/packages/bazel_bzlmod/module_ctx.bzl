"""A stand-in for bzlmod's module_ctx: MODULE.bazel's crossgo.host(...) tag, with the tag
class's defaults filled in as Bazel would."""

MODULE_CTX = struct(modules = [
    struct(
        name = "bazel_bzlmod",
        is_root = True,
        tags = struct(host = [struct(
            crossgo = "",
            python = "",
            cache_dir = "",
            targets = ["linux/arm64"],
            env = {},
        )]),
    ),
])
