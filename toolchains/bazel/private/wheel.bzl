"""crossgo_wheel: `crossgo wheel` of a Python project for one target."""

load(":common.bzl", "RUN_ATTRS", "TARGET_ATTRS", "resolve_target", "run_crossgo")

def _project_dir(ctx):
    project = ctx.file.pyproject.dirname
    if ctx.file.pyproject.basename != "pyproject.toml":
        fail("pyproject: %s is not a pyproject.toml." % ctx.file.pyproject.short_path)
    outside = [
        f.short_path
        for f in ctx.files.srcs
        if project and not f.path.startswith(project + "/")
    ]
    if outside:
        fail("srcs: %s lie outside the project %s (the directory of pyproject)." %
             (", ".join(outside[:3]), project))
    return project

def _crossgo_wheel_impl(ctx):
    row = resolve_target(ctx)
    project = _project_dir(ctx) or "."
    dist = ctx.actions.declare_directory(ctx.label.name)
    command = ["wheel", project, "--target", row["name"], "-o", dist.path, "--jobs", "1"]
    for key, value in sorted(ctx.attr.config.items()):
        command += ["-C", "%s=%s" % (key, value)]
    runner_args = ["--env", "SOURCE_DATE_EPOCH=" + ctx.attr.source_date_epoch]
    run_crossgo(
        ctx,
        row,
        command = command,
        runner_args = runner_args,
        inputs = depset([ctx.file.pyproject] + ctx.files.srcs),
        outputs = [dist],
        mnemonic = "CrossgoWheel",
        progress = "crossgo wheel %s for %s" % (ctx.label, row["name"]),
    )
    return [DefaultInfo(files = depset([dist]))]

_ATTRS = {
    "pyproject": attr.label(
        allow_single_file = True,
        mandatory = True,
        doc = "The project's pyproject.toml, with [tool.crossgo].",
    ),
    "srcs": attr.label_list(
        allow_files = True,
        doc = "Every other file the wheel is built from: Python package, Go packages, readme, license.",
    ),
    "config": attr.string_dict(
        doc = "[tool.crossgo] settings, as `crossgo wheel -C KEY=VALUE` (e.g. strip = \"false\").",
    ),
    "source_date_epoch": attr.string(
        default = "315532800",
        doc = "SOURCE_DATE_EPOCH for the wheel's timestamps; default 1980-01-01, the zip format's earliest.",
    ),
}

crossgo_wheel = rule(
    implementation = _crossgo_wheel_impl,
    attrs = dict(_ATTRS.items() + TARGET_ATTRS.items() + RUN_ATTRS.items()),
    doc = "Builds the project's py3-none-<platform> wheel for one target into the directory <name>/.",
)
