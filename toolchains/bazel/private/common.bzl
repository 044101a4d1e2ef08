"""What crossgo's rules share: the target they build for, and how they run crossgo."""

load("@crossgo_host//:config.bzl", "CROSSGO")
load(":platforms.bzl", "ALL_CONSTRAINTS", "GOARCH_CONSTRAINTS", "GOOS_CONSTRAINTS")

TARGET_ATTRS = {
    "target": attr.string(
        doc = "A crossgo target (`crossgo targets`) or an alias such as linux/arm64; " +
              "empty: the one the target platform (--platforms) names.",
    ),
    "_constraints": attr.label_list(
        default = [Label(constraint) for constraint in ALL_CONSTRAINTS],
        providers = [platform_common.ConstraintValueInfo],
    ),
}

# Labels as Label(): with bzlmod they resolve in crossgo's module, whoever uses the rules.
RUN_ATTRS = {
    "env": attr.string_dict(
        doc = "More variables for crossgo and `go build`, e.g. GOFLAGS.",
    ),
    "_launcher": attr.label(
        default = Label("//toolchains/bazel/private:launcher.sh"),
        executable = True,
        cfg = "exec",
        allow_single_file = True,
    ),
    "_runner": attr.label(
        default = Label("//toolchains/bazel/private:crossgo_action.py"),
        allow_single_file = True,
    ),
    "_runner_modules": attr.label(default = Label("//toolchains/bazel/private:runner_modules")),
    "_crossgo": attr.label(default = Label("//:crossgo_sources")),
    "_go_wheel": attr.label(default = Label("@crossgo_go//:wheels"), allow_single_file = True),
    "_zig_wheel": attr.label(default = Label("@crossgo_zig//:wheels"), allow_single_file = True),
    "_python_wheels": attr.label(default = Label("@crossgo_python//:wheels"), allow_files = True),
}

def _known():
    return ", ".join(sorted(CROSSGO["targets"].keys()))

def _matches(has, names):
    return [label for label in names if has.get(label)]

def _from_platform(ctx):
    has = {}
    for label, dep in zip(ALL_CONSTRAINTS, ctx.attr._constraints):
        has[label] = ctx.target_platform_has_constraint(dep[platform_common.ConstraintValueInfo])
    matches = [
        row
        for row in CROSSGO["targets"].values()
        if not row["slices"] and
           _matches(has, GOOS_CONSTRAINTS.get(row["goos"], [])) and
           _matches(has, GOARCH_CONSTRAINTS.get(row["goarch"], []))
    ]
    if len(matches) != 1:
        fail(("target: none given, and the target platform matches %s crossgo target. " +
              "Set target, or build with --platforms=@crossgo_host//platforms:<target>. " +
              "crossgo's targets: %s") % (len(matches) or "no", _known()))
    return matches[0]

def resolve_target(ctx):
    """The crossgo target row this rule builds for: `target`, else the platform's."""
    if not ctx.attr.target:
        return _from_platform(ctx)
    name = CROSSGO["aliases"].get(ctx.attr.target.lower())
    if name == None:
        fail("target: crossgo does not know %r. crossgo's targets: %s (aliases such as linux/arm64 work too)." %
             (ctx.attr.target, _known()))
    return CROSSGO["targets"][name]

def target_env(row):
    """`crossgo env --format json` for the target, as fetched; fails with crossgo's error."""
    env = CROSSGO["envs"].get(row["name"])
    if env == None:
        fail(("crossgo_env: %s is not among the targets crossgo_register(targets = ...) " +
              "fetched: %s") % (row["name"], ", ".join(sorted(CROSSGO["envs"].keys()))))
    if "error" in env:
        fail("crossgo_env: crossgo cannot give an environment for %s: %s" % (row["name"], env["error"]))
    return env

def shell_join(words):
    """Words as one string that Python's shlex.split (which crossgo uses) splits back."""
    quoted = []
    for word in words:
        if word and not [c for c in word.elems() if not (c.isalnum() or c in "@%_+=:,./-")]:
            quoted.append(word)
        else:
            quoted.append("'" + word.replace("'", "'\\''") + "'")
    return " ".join(quoted)

def _crossgo_root(ctx):
    """Where crossgo's sources lie, relative to the execution root."""
    return ctx.attr._crossgo.label.workspace_root or "."

def run_crossgo(ctx, row, *, command, inputs, outputs, mnemonic, progress, runner_args = [], go_modules = None):
    """Run `crossgo COMMAND...` as a sandboxed action, through the launcher and the runner.
    Every input is declared and every path is relative, so the key is the same for all."""
    args = ctx.actions.args()
    args.add(CROSSGO["python"])
    args.add(ctx.file._runner)
    args.add("--crossgo", _crossgo_root(ctx))
    args.add("--go-wheel", ctx.file._go_wheel)
    args.add("--zig-wheel", ctx.file._zig_wheel)
    args.add_all(ctx.files._python_wheels, before_each = "--wheel")
    args.add("--label", str(ctx.label))
    if go_modules:
        args.add("--go-modules", go_modules)
    args.add_all(runner_args)
    args.add("--")
    args.add_all(command)
    tools = [ctx.file._runner, ctx.file._go_wheel, ctx.file._zig_wheel] + ctx.files._python_wheels
    ctx.actions.run(
        executable = ctx.executable._launcher,
        arguments = [args],
        inputs = depset(
            tools,
            transitive = [
                inputs,
                ctx.attr._crossgo[DefaultInfo].files,
                ctx.attr._runner_modules[DefaultInfo].files,
            ],
        ),
        outputs = outputs,
        env = dict(ctx.attr.env),
        mnemonic = mnemonic,
        # Bazel 4 prints %{label} literally, so the message is formatted here.
        progress_message = progress,
    )
