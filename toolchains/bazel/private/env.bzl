"""crossgo_env: the environment crossgo computes for a target, as Make variables."""

load(":common.bzl", "TARGET_ATTRS", "resolve_target", "shell_join", "target_env")

CrossgoEnvInfo = provider(
    doc = "The environment `crossgo env --target T --format json` gives, fetched with @crossgo_host.",
    fields = {
        "target": "the crossgo target name",
        "variables": "dict: CC, CGO_CFLAGS, CGO_LDFLAGS, GOOS, GOARCH, GOROOT, PATH, ...",
        "toolchain": "dict: kind, cc, version, origin of the C toolchain",
    },
)

def _crossgo_env_impl(ctx):
    row = resolve_target(ctx)
    env = target_env(row)
    variables = dict(env["variables"])
    exports = ["%s=%s" % (name, value) for name, value in sorted(variables.items())]
    make = dict(variables)
    make["CROSSGO_TARGET"] = row["name"]
    # One shell command that sets them all: $(CROSSGO_ENV) && $(CC) ...
    make["CROSSGO_ENV"] = "export " + shell_join(exports)
    return [
        platform_common.TemplateVariableInfo(make),
        CrossgoEnvInfo(target = row["name"], variables = variables, toolchain = env["toolchain"]),
    ]

crossgo_env = rule(
    implementation = _crossgo_env_impl,
    attrs = TARGET_ATTRS,
    doc = "Make variables $(CC), $(CGO_CFLAGS), $(CGO_LDFLAGS), $(GOOS), $(GOARCH), ... for " +
          "genrules (toolchains = [...]), and CrossgoEnvInfo for Starlark rules.",
)
