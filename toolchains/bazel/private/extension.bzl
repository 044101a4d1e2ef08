"""The module extension's implementation (bzlmod), kept apart from `module_extension()` so
that Bazel 4, which has no bzlmod, can still load and run it (the tests do)."""

load(":host_repository.bzl", "HOST_ATTRS", "crossgo_host_repository")

def crossgo_extension_impl(module_ctx):
    """Create @crossgo_host, as crossgo_register() does, from the root module's crossgo.host().

    Only the root module may say where crossgo, Go and the cache are: they belong to the
    machine, not to a library that depends on crossgo.
    """
    settings = {}
    for module in module_ctx.modules:
        tags = module.tags.host
        if not tags:
            continue
        if not module.is_root:
            fail("crossgo.host() is for the root module only; %s uses it." % module.name)
        if len(tags) > 1:
            fail("crossgo.host() may be given once; %s gives it %d times." % (module.name, len(tags)))
        settings = {name: getattr(tags[0], name) for name in HOST_ATTRS.keys()}
    crossgo_host_repository(name = "crossgo_host", **settings)
