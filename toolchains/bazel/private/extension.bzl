"""The module extension's implementation (bzlmod), kept apart from `module_extension()` so
that Bazel 4, which has no bzlmod, can still load and run it (the tests do)."""

load(":go_modules.bzl", "crossgo_go_modules")
load(":setup.bzl", "TOOL_SETTINGS", "crossgo_repositories")

def _one_tag(module, tags, name):
    if len(tags) > 1:
        fail("crossgo.%s() may be given once; %s gives it %d times." % (name, module.name, len(tags)))
    return tags[0] if tags else None

def crossgo_extension_impl(module_ctx):
    """The repositories crossgo_register() creates, from the root module's crossgo.toolchain()
    and crossgo.targets() tags, and one crossgo_go_modules() repository per
    crossgo.go_modules() tag of any module.

    Only the root module chooses the Python, Go, zig and crossgo_env's targets: a library
    that depends on crossgo (or crossgo's own MODULE.bazel, when crossgo is a dependency)
    does not decide them for the build that uses it, so other modules' tags are ignored.
    """
    settings, targets = {}, []
    for module in module_ctx.modules:
        for tag in module.tags.go_modules:
            crossgo_go_modules(name = tag.name, go_mod = tag.go_mod, go_sum = tag.go_sum)
        if not module.is_root:
            continue
        toolchain = _one_tag(module, module.tags.toolchain, "toolchain")
        wanted = _one_tag(module, module.tags.targets, "targets")
        if toolchain:
            settings = {name: getattr(toolchain, name) for name in TOOL_SETTINGS.keys()}
        if wanted:
            targets = wanted.names
    crossgo_repositories(targets = targets, **settings)
