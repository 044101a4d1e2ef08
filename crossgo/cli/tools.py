"""``crossgo doctor``, ``clean`` and ``cmake-target``: checking the machine, emptying the
cache, and what crossgo's CMake package asks."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from crossgo.cache import CacheDir, default_cache_root
from crossgo.targets import get_target
from crossgo.toolchain import PREFERENCES

__all__ = ["HANDLERS", "add_commands"]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _add_doctor_and_clean_commands(commands)
    _add_cmake_command(commands)


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


HANDLERS: Final[Mapping[str, Callable[[argparse.Namespace], int]]] = {
    "doctor": _cmd_doctor,
    "clean": _cmd_clean,
    "cmake-target": _cmd_cmake_target,
}
