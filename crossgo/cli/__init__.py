"""The ``crossgo`` command: a thin shell over the library API.

Each command group has a module that adds its parsers and maps each command to its handler:
:mod:`~crossgo.cli.build` (targets, env, build, sbom), :mod:`~crossgo.cli.packaging`
(wheel, bindings, conda, cibuildwheel, generate-ci) and :mod:`~crossgo.cli.tools` (doctor,
clean, cmake-target). This module parses, dispatches and turns errors into exit codes.

Exit codes are those of :mod:`crossgo.errors`: 0 success, 1 build or check failed, 2 usage,
3 toolchain missing or wrong, 4 unwritable directory, 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

from crossgo import __version__
from crossgo.cli import build, packaging, tools
from crossgo.errors import CrossgoError

__all__ = ["main"]

_GROUPS = (build, packaging, tools)
_COMMANDS: Final[Mapping[str, Callable[[argparse.Namespace], int]]] = {
    name: handler for group in _GROUPS for name, handler in group.HANDLERS.items()
}


class _PrintCMakeDir(argparse.Action):
    """``--cmake-dir``: print where crossgo's CMake package is, then exit (like --version)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(Path(__file__).resolve().parent.parent / "cmake")
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

    for group in _GROUPS:
        group.add_commands(commands)
    return parser


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
