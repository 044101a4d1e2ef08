"""A stand-in for bzlmod's module_ctx: MODULE.bazel's crossgo.targets(...) and
crossgo.toolchain(...) tags, with the tag classes' defaults filled in as Bazel would."""

MODULE_CTX = struct(modules = [
    struct(
        name = "bazel_bzlmod",
        is_root = True,
        tags = struct(
            targets = [struct(names = ["linux/arm64"])],
            toolchain = [struct(
                python = "python3",
                go_url = "",
                go_sha256 = "",
                go_path = "",
                zig_url = "",
                zig_sha256 = "",
                zig_path = "",
            )],
            go_modules = [],
        ),
    ),
])
