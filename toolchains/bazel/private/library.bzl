"""crossgo_c_shared_library: `crossgo build` of one Go main package for one target."""

load(":common.bzl", "RUN_ATTRS", "TARGET_ATTRS", "resolve_target", "run_crossgo", "shell_join")

CrossgoLibraryInfo = provider(
    doc = "A c-shared library crossgo built, and its cgo header.",
    fields = {
        "library": "File: lib<name>.so, .dylib or .dll",
        "header": "File: lib<name>.h",
        "target": "the crossgo target name, e.g. linux-aarch64",
        "goos": "Go's GOOS for the target",
        "goarch": "Go's GOARCH for the target",
    },
)

def _package_dir(ctx):
    """The one directory that holds srcs: the Go main package."""
    if not [f for f in ctx.files.srcs if f.extension == "go"]:
        fail("srcs: no .go file. List the files of the Go main package with the //export functions.")
    dirs = sorted({f.dirname: None for f in ctx.files.srcs}.keys())
    if len(dirs) > 1:
        fail(("srcs: files from %d directories (%s). srcs is one Go main package, which is one " +
              "directory; put the module's other packages and embedded files in data.") %
             (len(dirs), ", ".join(dirs)))
    return dirs[0]

def _check_module(ctx, package):
    go_mod, go_sum = ctx.file.go_mod, ctx.file.go_sum
    if go_mod.basename != "go.mod":
        fail("go_mod: %s is not a go.mod file." % go_mod.short_path)
    module = go_mod.dirname
    if module and package != module and not package.startswith(module + "/"):
        fail("go_mod: %s is not the module of srcs: the package %s does not lie under %s." %
             (go_mod.short_path, package, module or "."))
    if go_sum and (go_sum.basename != "go.sum" or go_sum.dirname != module):
        fail("go_sum: %s is not the go.sum beside %s." % (go_sum.short_path, go_mod.short_path))

def _cc_runner_args(ctx):
    """Headers, defines and libraries of the cc deps, for the runner to hand to cgo. Their
    paths are relative to the execution root; the runner makes them absolute there."""
    if not ctx.attr.deps:
        return [], depset()
    cc = cc_common.merge_cc_infos(cc_infos = [dep[CcInfo] for dep in ctx.attr.deps])
    compilation = cc.compilation_context
    args, files = [], [compilation.headers]
    for flag, paths in [
        ("--include", compilation.includes),
        ("--quote-include", compilation.quote_includes),
        ("--system-include", compilation.system_includes),
    ]:
        for path in paths.to_list():
            args += [flag, path or "."]
    for define in compilation.defines.to_list():
        args += ["--define", define]
    libraries = []
    for linker_input in cc.linking_context.linker_inputs.to_list():
        for library in linker_input.libraries:
            static = library.pic_static_library or library.static_library
            if static:
                args += ["--link-static", static.path]
                libraries.append(static)
            elif library.dynamic_library:
                args += ["--link-dynamic", library.dynamic_library.path]
                libraries.append(library.dynamic_library)
        for flag in linker_input.user_link_flags:
            args += ["--linkopt", flag]
    files.append(depset(libraries))
    return args, depset(transitive = files)

def _go_proxy(ctx):
    """The module cache's download directory of a crossgo_go_modules repository, which
    the runner hands Go as GOPROXY=file://...; None: GOPROXY=off."""
    if not ctx.attr.go_modules:
        return None
    root = ctx.attr.go_modules.label.workspace_root
    if not root or ctx.attr.go_modules.label.name != "modules":
        fail("go_modules: %s is not a crossgo_go_modules repository's :modules." % ctx.attr.go_modules.label)
    return root + "/modcache/cache/download"

def _crossgo_c_shared_library_impl(ctx):
    row = resolve_target(ctx)
    package = _package_dir(ctx)
    _check_module(ctx, package)
    name = ctx.attr.library_name or ctx.label.name
    library = ctx.actions.declare_file("%s/%s%s%s" % (ctx.label.name, row["library_prefix"], name, row["library_suffix"]))
    header = ctx.actions.declare_file("%s/%s%s.h" % (ctx.label.name, row["library_prefix"], name))
    command = ["build", "--target", row["name"], "-o", library.dirname, "--header-dir", header.dirname, "--name", name]
    if ctx.attr.strip:
        command.append("--strip")
    if ctx.attr.gotags:
        command.append("--tags=" + ",".join(ctx.attr.gotags))
    if ctx.attr.glibc:
        command.append("--glibc=" + ctx.attr.glibc)
    if ctx.attr.cflags:
        command.append("--cflags=" + shell_join(ctx.attr.cflags))
    if ctx.attr.ldflags:
        command.append("--ldflags=" + shell_join(ctx.attr.ldflags))
    command.append(package)
    cc_args, cc_files = _cc_runner_args(ctx)
    module_files = [ctx.file.go_mod] + ([ctx.file.go_sum] if ctx.file.go_sum else [])
    run_crossgo(
        ctx,
        row,
        command = command,
        runner_args = cc_args,
        inputs = depset(ctx.files.srcs + ctx.files.data + ctx.files.go_modules + module_files, transitive = [cc_files]),
        outputs = [library, header],
        go_modules = _go_proxy(ctx),
        mnemonic = "CrossgoCShared",
        progress = "crossgo build %s for %s (%s/%s)" % (ctx.label, row["name"], row["goos"], row["goarch"]),
    )
    return [
        DefaultInfo(files = depset([library, header])),
        OutputGroupInfo(library = depset([library]), header = depset([header])),
        CrossgoLibraryInfo(
            library = library,
            header = header,
            target = row["name"],
            goos = row["goos"],
            goarch = row["goarch"],
        ),
    ]

_ATTRS = {
    "srcs": attr.label_list(
        allow_files = True,
        mandatory = True,
        doc = "The Go main package's files (.go, and the .c/.h/.s files cgo compiles): one directory.",
    ),
    "go_mod": attr.label(allow_single_file = True, mandatory = True, doc = "The module's go.mod."),
    "go_sum": attr.label(allow_single_file = True, doc = "The module's go.sum, if it has one."),
    "data": attr.label_list(
        allow_files = True,
        doc = "Other files the build reads: the module's other packages, //go:embed files, vendor/.",
    ),
    "go_modules": attr.label(
        doc = "@<name>//:modules of a crossgo_go_modules repository: the modules go.mod " +
              "needs, fetched by Bazel. Build actions have no network.",
    ),
    "library_name": attr.string(doc = "lib<library_name>.so; default: the rule's name."),
    "gotags": attr.string_list(doc = "Go build tags (`crossgo build --tags`)."),
    "cflags": attr.string_list(doc = "Extra CGO_CFLAGS (`--cflags`)."),
    "ldflags": attr.string_list(doc = "Extra CGO_LDFLAGS (`--ldflags`)."),
    "strip": attr.bool(doc = "Leave out debug information (`--strip`: -s -w)."),
    "glibc": attr.string(doc = "Raise a Linux target's glibc baseline, e.g. 2.28 (`--glibc`)."),
    "deps": attr.label_list(
        providers = [CcInfo],
        doc = "cc_library/cc_import targets whose headers, defines and libraries cgo uses. " +
              "Their libraries must be built for the crossgo target.",
    ),
}

crossgo_c_shared_library = rule(
    implementation = _crossgo_c_shared_library_impl,
    attrs = dict(_ATTRS.items() + TARGET_ATTRS.items() + RUN_ATTRS.items()),
    doc = "Builds <name>/lib<library_name>.so|.dylib|.dll and its header with `crossgo build`.",
)
