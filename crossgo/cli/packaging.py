"""``crossgo wheel``, ``bindings``, ``conda``, ``cibuildwheel`` and ``generate-ci``: the
commands that package what ``crossgo build`` makes."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from crossgo.cli.build import go_version_or_none
from crossgo.sbom.licenses import LicensePolicy
from crossgo.toolchain import PREFERENCES

__all__ = ["HANDLERS", "add_commands"]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _add_wheel_command(commands)
    _add_bindings_command(commands)
    _add_conda_command(commands)
    _add_ci_commands(commands)


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
            go_release=go_version_or_none(),
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


HANDLERS: Final[Mapping[str, Callable[[argparse.Namespace], int]]] = {
    "wheel": _cmd_wheel,
    "bindings": _cmd_bindings,
    "conda": _cmd_conda,
    "cibuildwheel": _cmd_cibuildwheel,
    "generate-ci": _cmd_generate_ci,
}
