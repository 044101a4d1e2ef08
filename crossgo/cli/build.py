"""``crossgo targets``, ``env``, ``build`` and ``sbom``: one library, planned or built."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shlex
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from crossgo.build import BuildPlan, BuildRequest, build, execute, plan
from crossgo.cache import CacheDir, default_cache_root
from crossgo.environment import CACHE_VARIABLES
from crossgo.errors import PackageError, ToolchainError, UsageError
from crossgo.extmod import DEFAULT_ABI3
from crossgo.extmod.module import ExtensionModule
from crossgo.golang import find_go, scan_package
from crossgo.shells import FORMATS, render
from crossgo.targets import all_targets
from crossgo.toolchain import PREFERENCES

__all__ = ["HANDLERS", "add_commands", "go_version_or_none"]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        "--abi3", metavar="3.X|no",
        help="extension module: the oldest CPython it serves, with the stable ABI (default "
        "3.9); no: a version-specific module, for the CPython of --python-include",
    )  # fmt: skip
    parser.add_argument(
        "--free-threaded", action="store_true",
        help="extension module: for the free-threaded CPython (3.13t, 3.14t) of the headers' "
        "version; version-specific (cp3XYt), never abi3",
    )  # fmt: skip
    parser.add_argument(
        "--gil-used", metavar="REASON",
        help="free-threaded extension module: why it does not declare Py_MOD_GIL_NOT_USED "
        "(the build otherwise requires it)",
    )  # fmt: skip
    parser.add_argument(
        "--python-include", type=Path, metavar="DIR",
        help="extension module: the CPython include directory (default: this Python's)",
    )  # fmt: skip


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
    abi3 = args.abi3
    if abi3 is None:
        abi3 = "no" if args.free_threaded else DEFAULT_ABI3
    return ExtensionModule(
        name=args.extension_module,
        abi3=None if abi3.strip().lower() in {"no", "none", "off", "false"} else abi3,
        python_include=args.python_include,
        free_threaded=args.free_threaded,
        gil_used=args.gil_used,
    )


def go_version_or_none() -> str | None:
    try:
        return find_go(os.environ, CacheDir(default_cache_root(os.environ))).version
    except ToolchainError:
        return None


def _cmd_targets(args: argparse.Namespace) -> int:
    go_version = go_version_or_none()
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


HANDLERS: Final[Mapping[str, Callable[[argparse.Namespace], int]]] = {
    "targets": _cmd_targets,
    "env": _cmd_env,
    "build": _cmd_build,
    "sbom": _cmd_sbom,
}
