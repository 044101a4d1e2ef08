"""The ``crossgo`` command: a thin shell over the library API.

Exit codes are those of :mod:`crossgo.errors`: 0 success, 1 build or check failed, 2 usage,
3 toolchain missing or wrong, 4 unwritable directory, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from crossgo import __version__
from crossgo.build import BuildRequest, build, plan
from crossgo.cache import CacheDir, default_cache_root
from crossgo.errors import CrossgoError, ToolchainError
from crossgo.golang import find_go
from crossgo.shells import FORMATS, render
from crossgo.targets import all_targets
from crossgo.toolchain import PREFERENCES

__all__ = ["main"]


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "package_dir",
        nargs="?",
        default=".",
        type=Path,
        metavar="PKG_DIR",
        help="directory of the Go main package (default: .)",
    )
    parser.add_argument(
        "--target",
        "-t",
        default="native",
        help="target platform, e.g. linux-aarch64 (see `crossgo targets`)",
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
    parser.add_argument("--tags", default="", help="comma-separated Go build tags")
    parser.add_argument("--cflags", default="", help="extra CGO_CFLAGS")
    parser.add_argument("--ldflags", default="", help="extra CGO_LDFLAGS")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crossgo",
        description=("Cross-compile Go c-shared libraries for Python wheels and conda packages."),
    )
    parser.add_argument("--version", action="version", version=f"crossgo {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every command run")
    parser.add_argument("--debug-traceback", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    targets = commands.add_parser("targets", help="list the platforms crossgo builds for")
    targets.add_argument("--json", action="store_true")

    env = commands.add_parser("env", help="print the environment `crossgo build` uses")
    _add_build_options(env)
    env.add_argument("--format", "-f", choices=list(FORMATS), default="sh")
    env.add_argument(
        "--explain",
        action="store_true",
        help="also say (on stderr) where Go and the C toolchain came from",
    )

    build_cmd = commands.add_parser("build", help="build a c-shared library for a target")
    _add_build_options(build_cmd)
    build_cmd.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _request(args: argparse.Namespace) -> BuildRequest:
    return BuildRequest(
        package_dir=args.package_dir,
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
            str(r["conda_c_compiler"]),
            str(r["zig_target"]),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    return 0


def _cmd_env(args: argparse.Namespace) -> int:
    build_plan = plan(_request(args))
    if args.explain:
        for line in build_plan.explain():
            print(f"# {line}", file=sys.stderr)
    if args.format == "json":
        document = {
            "target": build_plan.spec.target.name,
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
        print(json.dumps(document, indent=2))
        return 0
    sys.stdout.write(render(args.format, build_plan.env.variables, build_plan.env.unset))
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    result = build(_request(args))
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    else:
        print(
            f"built {result.library} ({result.target.name}, "
            f"{result.target.wheel_platform(result.go_version)}, sha256 {result.sha256[:16]}…)",
            file=sys.stderr,
        )
    return 0


_COMMANDS = {"targets": _cmd_targets, "env": _cmd_env, "build": _cmd_build}


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
