"""The ``crossgo`` command: a thin shell over the library API.

Exit codes are those of :mod:`crossgo.errors`: 0 success, 1 build or check failed, 2 usage,
3 toolchain missing or wrong, 4 unwritable directory, 130 interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from crossgo import __version__
from crossgo.build import BuildPlan, BuildRequest, build, execute, plan
from crossgo.cache import CacheDir, default_cache_root
from crossgo.environment import CACHE_VARIABLES
from crossgo.errors import CrossgoError, PackageError, ToolchainError, UsageError
from crossgo.extmod.module import ExtensionModule
from crossgo.golang import find_go, scan_package
from crossgo.sbom.licenses import LicensePolicy
from crossgo.shells import FORMATS, render
from crossgo.targets import all_targets, get_target
from crossgo.toolchain import PREFERENCES

__all__ = ["main"]


def _add_build_options(parser: argparse.ArgumentParser, *, package_help: str) -> None:
    parser.add_argument("package_dir", nargs="?", type=Path, metavar="PKG_DIR", help=package_help)
    parser.add_argument(
        "--target",
        "-t",
        default="auto",
        help="target platform, e.g. linux-aarch64 (see `crossgo targets`); default: the one "
        "the environment names (conda build, cibuildwheel, manylinux image), else native",
    )
    parser.add_argument(
        "--toolchain",
        choices=PREFERENCES,
        default="auto",
        help="which kind of C toolchain to use (default: first found)",
    )
    parser.add_argument("--cc", help="the C compiler to use (also CROSSGO_CC)")
    parser.add_argument(
        "--prefix",
        type=Path,
        help="host prefix with the target's include/ and lib/ (conda-build: $PREFIX)",
    )
    parser.add_argument(
        "--conda-prefix", type=Path, help="conda environment holding the target's compiler package"
    )
    parser.add_argument("--cache-dir", type=Path, help="crossgo's cache (also CROSSGO_CACHE_DIR)")
    parser.add_argument("-o", "--output-dir", type=Path, help="default: build/<target>")
    parser.add_argument("--name", help="library name: lib<name>.so (default: module or dir name)")
    parser.add_argument(
        "--macos-sdk", type=Path, help="Apple SDK for macOS targets (also SDKROOT); optional"
    )
    parser.add_argument("--glibc", help="raise a Linux target's glibc baseline (default 2.17)")
    parser.add_argument("--strip", action="store_true", help="omit debug info (-s -w)")
    # Set by crossgo's CMake functions, so that messages name their arguments, not flags.
    parser.add_argument(
        "--frontend", choices=("cli", "cmake"), default="cli", help=argparse.SUPPRESS
    )
    parser.add_argument("--tags", default="", help="comma-separated Go build tags")
    parser.add_argument("--cflags", default="", help="extra CGO_CFLAGS")
    parser.add_argument("--ldflags", default="", help="extra CGO_LDFLAGS")
    parser.add_argument(
        "--extension-module", metavar="NAME",
        help="build a CPython extension module NAME (dotted; the package exports "
        "PyInit_<last part>) instead of a library (docs/extension-modules.md)",
    )  # fmt: skip
    parser.add_argument(
        "--abi3", default="3.9", metavar="3.X|no",
        help="extension module: the oldest CPython it serves, with the stable ABI (default "
        "3.9); no: a version-specific module, for the CPython of --python-include",
    )  # fmt: skip
    parser.add_argument(
        "--python-include", type=Path, metavar="DIR",
        help="extension module: the CPython include directory (default: this Python's)",
    )  # fmt: skip


class _PrintCMakeDir(argparse.Action):
    """``--cmake-dir``: print where crossgo's CMake package is, then exit (like --version)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(Path(__file__).resolve().parent / "cmake")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crossgo",
        description=("Cross-compile Go c-shared libraries for Python wheels and conda packages."),
    )
    parser.add_argument("--version", action="version", version=f"crossgo {__version__}")
    parser.add_argument(
        "--cmake-dir", nargs=0, action=_PrintCMakeDir,
        help="print the directory of crossgo's CMake package (for find_package(crossgo)) and exit",
    )  # fmt: skip
    parser.add_argument("-v", "--verbose", action="store_true", help="log every command run")
    parser.add_argument("--debug-traceback", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    targets = commands.add_parser("targets", help="list the platforms crossgo builds for")
    targets.add_argument("--json", action="store_true")

    env = commands.add_parser("env", help="print the environment `crossgo build` uses")
    _add_build_options(
        env,
        package_help="directory of the Go main package (default: . if it is one; without a "
        "package, what only the package decides, its library name, is left out)",
    )
    env.add_argument("--format", "-f", choices=list(FORMATS), default="sh")
    env.add_argument(
        "--explain",
        action="store_true",
        help="also say (on stderr) where Go and the C toolchain came from",
    )

    build_cmd = commands.add_parser("build", help="build a c-shared library for a target")
    _add_build_options(build_cmd, package_help="directory of the Go main package (default: .)")
    build_cmd.add_argument(
        "--header-dir", type=Path, help="where lib<name>.h goes (default: the output directory)"
    )
    build_cmd.add_argument(
        "--import-library",
        action="store_true",
        help="Windows targets: also write the import library lib<name>.lib for C code",
    )
    build_cmd.add_argument("--json", action="store_true", help="print the result as JSON")
    build_cmd.add_argument(
        "--bindings", action="store_true", help="add what `crossgo bindings` modules need"
    )
    build_cmd.add_argument(
        "--sbom", type=Path, metavar="FILE", help="also write the library's CycloneDX SBOM"
    )
    _add_sbom_command(commands)
    _add_wheel_command(commands)
    _add_bindings_command(commands)
    _add_conda_command(commands)
    _add_ci_commands(commands)
    _add_doctor_and_clean_commands(commands)
    _add_cmake_command(commands)
    return parser


def _add_cmake_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmake = commands.add_parser(
        "cmake-target",
        help="the target CMake's variables name; with a package, check the build "
        "crossgo_add_library() will run (used by crossgo's CMake package)",
    )
    for option, variable in (
        ("system-name", "CMAKE_SYSTEM_NAME"),
        ("system-processor", "CMAKE_SYSTEM_PROCESSOR"),
        ("osx-architectures", "CMAKE_OSX_ARCHITECTURES"),
        ("compiler-target", "CMAKE_C_COMPILER_TARGET"),
    ):
        cmake.add_argument(f"--{option}", default="", metavar="VALUE", help=f"{variable}'s value")
    cmake.add_argument("--target", "-t", help="a crossgo target, instead of CMake's variables")
    cmake.add_argument("--package", type=Path, help="the Go main package to plan a build of")
    cmake.add_argument("--name", help="library name: lib<name>.so (default: from the module)")
    cmake.add_argument("--cc", help="the C compiler cgo gets (CMake's)")
    cmake.add_argument("--toolchain", choices=PREFERENCES, default="auto")
    cmake.add_argument("--glibc", help="the glibc baseline (default with --cc: the compiler's)")
    cmake.add_argument("--macos-sdk", type=Path, help="Apple SDK (CMAKE_OSX_SYSROOT)")
    cmake.add_argument("--json", action="store_true", help="print the result as JSON")


def _add_doctor_and_clean_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    doctor = commands.add_parser(
        "doctor", help="check Go, its settings and the C toolchains; say how to fix each problem"
    )
    doctor.add_argument(
        "--target", "-t", action="append", metavar="T[,T...]",
        help="targets whose C toolchain to check (default: the four main targets)",
    )  # fmt: skip
    doctor.add_argument("--package", type=Path, help="module to check (default: .)")
    doctor.add_argument("--toolchain", choices=PREFERENCES, default="auto")
    doctor.add_argument("--cc", help="the C compiler to check (also CROSSGO_CC)")
    doctor.add_argument("--conda-prefix", type=Path, help="conda environment with compilers")
    doctor.add_argument("--cache-dir", type=Path, help="crossgo's cache (also CROSSGO_CACHE_DIR)")
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    clean = commands.add_parser("clean", help="empty crossgo's own cache (never ~/go)")
    clean.add_argument("--dry-run", "-n", action="store_true", help="list, remove nothing")
    clean.add_argument("--cache-dir", type=Path, help="crossgo's cache (also CROSSGO_CACHE_DIR)")


def _add_bindings_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bindings = commands.add_parser(
        "bindings", help="generate a typed Python module (and .pyi) for a Go package's exports"
    )
    bindings.add_argument(
        "package_dir", nargs="?", default=Path(), type=Path, metavar="PKG_DIR",
        help="directory of the Go main package (default: .)",
    )  # fmt: skip
    bindings.add_argument(
        "-o", "--output", type=Path, metavar="FILE",
        help="the module to write (default: _<name>.py); the .pyi stub goes next to it",
    )  # fmt: skip
    bindings.add_argument(
        "--header", type=Path, help="read this cgo header instead of building for this machine"
    )
    bindings.add_argument("--name", help="library name: lib<name>.so (default: from the module)")
    bindings.add_argument("--target", "-t", default="native", help="build for (default: native)")
    bindings.add_argument("--tags", default="", help="comma-separated Go build tags")
    bindings.add_argument("--cache-dir", type=Path, help="crossgo's cache (also CROSSGO_CACHE_DIR)")
    bindings.add_argument(
        "--strict", action="store_true", help="an export with no Python mapping is an error"
    )


def _cmd_bindings(args: argparse.Namespace) -> int:
    from crossgo.bindings.command import run  # noqa: PLC0415 (keeps the other commands' start-up light)

    return run(
        args.package_dir,
        output=args.output,
        header=args.header,
        name=args.name,
        strict=args.strict,
        target=args.target,
        cache_dir=args.cache_dir,
        tags=tuple(tag for tag in args.tags.split(",") if tag),
    )


def _add_conda_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    conda = commands.add_parser("conda", help="conda recipes: install, write a recipe, activation")
    actions = conda.add_subparsers(dest="conda_command", required=True, metavar="ACTION")
    install = actions.add_parser(
        "install", help="in a recipe's build script: build for $target_platform, install in $PREFIX"
    )
    install.add_argument(
        "package_dir", nargs="?", default=Path(), type=Path, metavar="PKG_DIR",
        help="directory of the Go main package (default: .)",
    )  # fmt: skip
    install.add_argument("--name", help="library name: lib<name>.so (default: from the module)")
    install.add_argument(
        "--python-package", metavar="PKG", help="put the library in $SP_DIR/PKG/ instead"
    )
    install.add_argument("--no-strip", action="store_true", help="keep debug information")
    install.add_argument("--tags", default="", help="comma-separated Go build tags")
    install.add_argument("--cflags", default="", help="extra CGO_CFLAGS")
    install.add_argument("--ldflags", default="", help="extra CGO_LDFLAGS")
    install.add_argument(
        "--no-licenses", action="store_true",
        help="do not collect the Go modules' license files into $SRC_DIR/library_licenses",
    )  # fmt: skip
    install.add_argument("--licenses-deny", default="", help="comma-separated SPDX ids to refuse")
    install.add_argument(
        "--licenses-allow-unknown", default="", metavar="MODULES",
        help="comma-separated module paths accepted without an identified license",
    )  # fmt: skip
    recipe = actions.add_parser("recipe", help="write a starting recipe for a project")
    recipe.add_argument(
        "project_dir", nargs="?", default=Path(), type=Path, metavar="PROJECT_DIR",
        help="a Python project with [tool.crossgo], or a Go main package (default: .)",
    )  # fmt: skip
    recipe.add_argument(
        "--format", choices=("rattler-build", "conda-build"), default="rattler-build"
    )
    recipe.add_argument("-o", "--output-dir", type=Path, help="default: PROJECT_DIR/recipe")
    recipe.add_argument("--version", help="package version of a Go package (default 0.1.0)")
    recipe.add_argument("--license", help="SPDX license of a Go package, e.g. MIT")
    recipe.add_argument(
        "--name",
        help="the conda package name (default: [project] name; for a Go package, its project's "
        "[tool.crossgo] name, else the module path's last element); a Go package's library too",
    )
    scripts = actions.add_parser(
        "activate-scripts",
        help="write activation scripts that give an environment its own Go directories",
    )
    scripts.add_argument("prefix", type=Path, metavar="PREFIX", help="the conda prefix")


def _add_ci_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cibw = commands.add_parser("cibuildwheel", help="hooks for cibuildwheel")
    hooks = cibw.add_subparsers(dest="cibw_command", required=True, metavar="HOOK")
    before = hooks.add_parser(
        "before-build",
        help="check Go and the C toolchain for this identifier, fetch Go modules, show the plan",
    )
    before.add_argument(
        "project_dir", nargs="?", default=Path(), type=Path, metavar="PROJECT_DIR",
        help="the project ({project} in cibuildwheel's options; default: .)",
    )  # fmt: skip
    generate = commands.add_parser("generate-ci", help="write a CI workflow for the project")
    generate.add_argument("provider", choices=("github",), help="the CI service")
    generate.add_argument(
        "project_dir", nargs="?", default=Path(), type=Path, metavar="PROJECT_DIR",
        help="directory of pyproject.toml (default: .)",
    )  # fmt: skip
    generate.add_argument(
        "--cibuildwheel", action="store_true", help="a cibuildwheel matrix instead of crossgo wheel"
    )


def _add_wheel_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    wheel = commands.add_parser(
        "wheel", help="build a project's wheels (py3-none-<platform>) for several targets"
    )
    wheel.add_argument(
        "project_dir", nargs="?", default=".", type=Path, metavar="PROJECT_DIR",
        help="directory of pyproject.toml (default: .)",
    )  # fmt: skip
    wheel.add_argument(
        "--target", "-t", action="append",
        help="T[,T...] or all (default: [tool.crossgo] targets, else native)",
    )  # fmt: skip
    wheel.add_argument("-o", "--output-dir", type=Path, help="default: PROJECT_DIR/dist")
    wheel.add_argument("-j", "--jobs", type=int, help="targets built at once (default: CPUs)")
    wheel.add_argument(
        "--keep-going", action="store_true", help="build every target even after a failure"
    )
    wheel.add_argument("--toolchain", choices=PREFERENCES, help="C toolchain kind")
    wheel.add_argument("--cache-dir", type=Path, help="crossgo's cache (also CROSSGO_CACHE_DIR)")
    wheel.add_argument(
        "-C", "--config-setting", action="append", default=[], metavar="KEY=VALUE",
        help="any [tool.crossgo] key, as with pip -C (e.g. -C strip=false)",
    )  # fmt: skip


def _request(args: argparse.Namespace, package_dir: Path | None) -> BuildRequest:
    return BuildRequest(
        package_dir=package_dir,
        target=args.target,
        output_dir=args.output_dir,
        library_name=args.name,
        toolchain=args.toolchain,
        cc=args.cc,
        prefix=args.prefix,
        conda_prefix=args.conda_prefix,
        cache_dir=args.cache_dir,
        strip=args.strip,
        glibc=args.glibc,
        macos_sdk=args.macos_sdk,
        tags=tuple(tag for tag in args.tags.split(",") if tag),
        extra_cflags=tuple(shlex.split(args.cflags)),
        extra_ldflags=tuple(shlex.split(args.ldflags)),
        extension=_extension(args),
        frontend=args.frontend,
    )


def _extension(args: argparse.Namespace) -> ExtensionModule | None:
    if not args.extension_module:
        return None
    abi3 = None if args.abi3.strip().lower() in {"no", "none", "off", "false"} else args.abi3
    return ExtensionModule(
        name=args.extension_module, abi3=abi3, python_include=args.python_include
    )


def _go_version_or_none() -> str | None:
    try:
        return find_go(os.environ, CacheDir(default_cache_root(os.environ))).version
    except ToolchainError:
        return None


def _cmd_targets(args: argparse.Namespace) -> int:
    go_version = _go_version_or_none()
    rows = [target.as_json(go_version) for target in all_targets()]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    header = ("name", "go", "wheel platform", "library", "conda compiler", "zig target")
    table = [header] + [
        (
            str(r["name"]),
            f"{r['goos']}/{r['goarch']}",
            str(r["wheel_platform"]),
            f"lib<name>{r['library_suffix']}",
            str(r["conda_c_compiler"] or "-"),
            str(r["zig_target"] or "-"),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    return 0


def _env_package(given: Path | None) -> Path | None:
    """The package ``crossgo env`` describes: the one given, else ``.`` if it is one."""
    if given is not None:
        return given
    try:
        scan_package(Path.cwd())
    except PackageError:
        return None
    return Path()


def _cmd_env(args: argparse.Namespace) -> int:
    build_plan = plan(_request(args, _env_package(args.package_dir)))
    if args.explain:
        for line in build_plan.explain():
            print(f"# {line}", file=sys.stderr)
    if build_plan.slices:
        names = ", ".join(s.spec.target.name for s in build_plan.slices)
        msg = (
            f"{build_plan.spec.target.name} merges two builds ({names}), each with its own "
            "environment: ask for one of them."
        )
        raise UsageError(msg)
    if args.format == "json":
        print(json.dumps(_env_document(build_plan), indent=2))
        return 0
    if args.format == "bazelrc":
        build_plan.cache.ensure(*_cache_dirs(build_plan))  # Bazel only opens existing paths
    config = f"crossgo-{build_plan.spec.target.name}"
    variables, unset = build_plan.env.variables, build_plan.env.unset
    sys.stdout.write(render(args.format, variables, unset, config=config))
    return 0


def _env_document(build_plan: BuildPlan) -> dict[str, object]:
    package = build_plan.spec.package
    return {
        "target": build_plan.spec.target.name,
        "target_source": build_plan.target_source,
        "package": str(package.directory) if package else None,
        "toolchain": build_plan.toolchain.as_json(),
        "go": {
            "go": str(build_plan.go.go),
            "version": build_plan.go.version,
            "source": build_plan.go.source,
        },
        "variables": dict(build_plan.env.variables),
        "unset": list(build_plan.env.unset),
        "go_args": list(build_plan.env.go_args),
        "notes": [str(note) for note in build_plan.env.notes] + list(build_plan.notes),
    }


def _cache_dirs(build_plan: BuildPlan) -> list[Path]:
    variables = build_plan.env.variables
    return [Path(variables[name]) for name in CACHE_VARIABLES if variables.get(name)]


def _add_sbom_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sbom = commands.add_parser(
        "sbom", help="print what a Go library or crossgo wheel contains (CycloneDX JSON)"
    )
    sbom.add_argument("path", type=Path, metavar="PATH", help="a Go c-shared library or a wheel")
    sbom.add_argument("--table", action="store_true", help="module, version, license")
    sbom.add_argument(
        "--no-licenses", action="store_true", help="skip the license ids (no module cache needed)"
    )
    sbom.add_argument(
        "--source", type=Path, metavar="DIR",
        help="the library's Go module: its vendor/ and local replacements",
    )  # fmt: skip
    sbom.add_argument("--cache-dir", type=Path, help="crossgo's cache (also CROSSGO_CACHE_DIR)")


def _cmd_sbom(args: argparse.Namespace) -> int:
    from crossgo.sbom.command import run  # noqa: PLC0415 (keeps the other commands' start-up light)

    return run(
        args.path,
        as_table=args.table,
        licenses=not args.no_licenses,
        source=args.source,
        cache_dir=args.cache_dir,
    )


def _cmd_build(args: argparse.Namespace) -> int:
    request = dataclasses.replace(
        _request(args, args.package_dir or Path()),
        header_dir=args.header_dir,
        import_library=args.import_library,
        bindings=args.bindings,
    )
    if args.sbom is None:
        result = build(request)
    else:
        from crossgo.sbom.contents import require_extra, write_library_sbom  # noqa: PLC0415
        from crossgo.wheel.project import source_date_epoch  # noqa: PLC0415

        require_extra("crossgo build --sbom")  # before building, not after
        build_plan = plan(request)
        result = execute(build_plan)
        epoch = source_date_epoch(args.package_dir or Path(), os.environ)
        path = write_library_sbom(result, build_plan, args.sbom, epoch=epoch)
        print(f"crossgo: wrote {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    else:
        kind = f"{result.python.python_tag}-{result.python.abi_tag}, " if result.python else ""
        print(
            f"built {result.library} ({result.target.name}, {kind}"
            f"{result.target.wheel_platform(result.go_version)}, sha256 {result.sha256[:16]}…)",
            file=sys.stderr,
        )
    return 0


def _cmd_wheel(args: argparse.Namespace) -> int:
    from crossgo.wheel.command import run  # noqa: PLC0415 (keeps the other commands' start-up light)

    return run(
        args.project_dir,
        targets=args.target,
        config=args.config_setting,
        toolchain=args.toolchain,
        output_dir=args.output_dir,
        jobs=args.jobs,
        keep_going=args.keep_going,
        cache_dir=args.cache_dir,
        verbose=args.verbose,
    )


def _cmd_doctor(args: argparse.Namespace) -> int:
    from crossgo import doctor  # noqa: PLC0415 (keeps the other commands' start-up light)

    request = doctor.DoctorRequest(
        targets=tuple(t for arg in args.target or () for t in arg.split(",") if t)
        or doctor.MAIN_TARGETS,
        package_dir=args.package,
        toolchain=doctor.ToolchainOptions(
            preference=args.toolchain, cc=args.cc, conda_prefix=args.conda_prefix
        ),
        cache_dir=args.cache_dir,
    )
    report = doctor.diagnose(request, os.environ, cwd=Path.cwd())
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        sys.stdout.write(report.render())
    return 0 if report.ok else 1


def _cmd_clean(args: argparse.Namespace) -> int:
    from crossgo import clean  # noqa: PLC0415 (keeps the other commands' start-up light)

    cache = CacheDir(args.cache_dir or default_cache_root(os.environ))
    cleaning = clean.plan_clean(cache)
    verb = "would remove" if args.dry_run else "removing"
    for entry in cleaning.entries:
        print(f"{verb} {entry.path} ({clean.human_size(entry.size)})")
    for line in cleaning.left_alone:
        print(f"left alone: {line}")
    if not args.dry_run:
        clean.remove(cleaning)
    total = clean.human_size(cleaning.total)
    done = "would free" if args.dry_run else "freed"
    if cleaning.entries:
        print(f"{done} {total} in {cache.root}")
    else:
        print(f"{cache.root}: nothing to clean")
    return 0


def _cmd_conda(args: argparse.Namespace) -> int:
    from crossgo import conda  # noqa: PLC0415 (keeps the other commands' start-up light)

    if args.conda_command == "install":
        result = conda.conda_install(
            args.package_dir,
            python_package=args.python_package,
            library_name=args.name,
            strip=not args.no_strip,
            tags=tuple(tag for tag in args.tags.split(",") if tag),
            extra_cflags=tuple(shlex.split(args.cflags)),
            extra_ldflags=tuple(shlex.split(args.ldflags)),
            licenses=None if args.no_licenses else _license_policy(args),
        )
        for note in result.notes:
            print(f"crossgo: note: {note}", file=sys.stderr)
        installed = (result.build.library, result.build.header, result.build.import_library)
        for path in installed[:1] if result.layout.header_dir is None else installed:
            if path is not None:
                print(f"crossgo: installed {path}", file=sys.stderr)
        return 0
    if args.conda_command == "recipe":
        output = args.output_dir or args.project_dir / "recipe"
        for path in conda.write_recipe(
            args.project_dir,
            output,
            args.format,
            version=args.version,
            license_id=args.license,
            name=args.name,
            go_release=_go_version_or_none(),
        ):
            print(path)
        return 0
    for path in conda.write_activation_scripts(args.prefix):
        print(path)
    return 0


def _license_policy(args: argparse.Namespace) -> LicensePolicy:
    def words(text: str) -> frozenset[str]:
        return frozenset(word.strip() for word in text.split(",") if word.strip())

    return LicensePolicy(
        deny=words(args.licenses_deny), allow_unknown=words(args.licenses_allow_unknown)
    )


def _cmd_cibuildwheel(args: argparse.Namespace) -> int:
    from crossgo.cibuildwheel import before_build  # noqa: PLC0415 (start-up stays light)

    result = before_build(args.project_dir)
    who = f"{result.identifier} builds" if result.identifier else "building"
    choice = result.choice
    print(f"crossgo: {who} {choice.target.name} ({choice.source})", file=sys.stderr)
    for note in choice.notes:
        print(f"crossgo: note: {note}", file=sys.stderr)
    counts = result.report.counts()
    warnings = f"{counts['warn']} warning" + ("" if counts["warn"] == 1 else "s")
    print(f"crossgo: checks: {counts['pass']} passed, {warnings}", file=sys.stderr)
    for build_plan in result.plans:
        for line in build_plan.explain():
            print(f"crossgo:   {line}", file=sys.stderr)
    return 0


def _cmd_generate_ci(args: argparse.Namespace) -> int:
    from crossgo.ci import write_github_workflow  # noqa: PLC0415
    from crossgo.wheel import load_project  # noqa: PLC0415

    project = load_project(args.project_dir)
    print(write_github_workflow(project, cibuildwheel=args.cibuildwheel))
    return 0


def _cmd_cmake_target(args: argparse.Namespace) -> int:
    from crossgo import cmake  # noqa: PLC0415 (keeps the other commands' start-up light)

    if args.target:
        target, source = get_target(args.target), "TARGET"
    else:
        state = cmake.CMakeState.parse(
            system_name=args.system_name,
            system_processor=args.system_processor,
            osx_architectures=args.osx_architectures,
            compiler_target=args.compiler_target,
        )
        target, source = cmake.target_for(state)
    if args.package is None:
        print(json.dumps({"target": target.name, "source": source}) if args.json else target.name)
        return 0
    library = cmake.plan_library(
        target=target, source=source, package_dir=args.package, env=os.environ, name=args.name,
        cc=args.cc, toolchain=args.toolchain, glibc=args.glibc, macos_sdk=args.macos_sdk,
    )  # fmt: skip
    print(json.dumps(library.as_json(), indent=2) if args.json else target.name)
    return 0


_COMMANDS = {
    "targets": _cmd_targets,
    "env": _cmd_env,
    "build": _cmd_build,
    "wheel": _cmd_wheel,
    "doctor": _cmd_doctor,
    "clean": _cmd_clean,
    "conda": _cmd_conda,
    "cibuildwheel": _cmd_cibuildwheel,
    "generate-ci": _cmd_generate_ci,
    "bindings": _cmd_bindings,
    "sbom": _cmd_sbom,
    "cmake-target": _cmd_cmake_target,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(message)s",
        stream=sys.stderr,
    )
    try:
        return _COMMANDS[args.command](args)
    except CrossgoError as error:
        if args.debug_traceback:
            raise
        print(f"crossgo: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("crossgo: interrupted; nothing was written to the output path", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
