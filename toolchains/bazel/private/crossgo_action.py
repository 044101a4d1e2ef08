"""Run one crossgo command as a Bazel action; the rules in this directory call it.

    crossgo_action.py [OPTIONS] -- CROSSGO_ARGS...

A Bazel action is quiet when it succeeds, so crossgo's output (and Go's) is kept and shown
only when the command fails: then it is all there, with crossgo's hint. Options:

``--env NAME=VALUE``
    a variable for crossgo and ``go build``.
``--include DIR``, ``--quote-include DIR``, ``--system-include DIR``, ``--define D``,
``--link-static FILE``, ``--link-dynamic FILE``, ``--linkopt FLAG``
    what a ``cc_library`` dependency gives cgo. The paths are relative to the execution root,
    which is this process's working directory and differs from sandbox to sandbox; they are
    made absolute here, appended to ``CGO_CFLAGS``/``CGO_LDFLAGS``, and mapped back to ``.``
    in debug information so the library does not depend on where the sandbox was.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from crossgo.cli import main as crossgo_main

# crossgo's exit code for a directory it cannot write (crossgo.errors.OutputError).
_UNWRITABLE = 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crossgo_action.py", description=__doc__)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    for flag in ("include", "quote-include", "system-include", "define", "linkopt"):
        parser.add_argument(f"--{flag}", action="append", default=[])
    parser.add_argument("--link-static", action="append", default=[], type=Path)
    parser.add_argument("--link-dynamic", action="append", default=[], type=Path)
    return parser


def _library_name(path: Path) -> str:
    """``-l`` name of a shared library file: libfoo.so.1 -> foo."""
    stem = path.name.split(".")[0]
    return stem.removeprefix("lib")


def cc_flags(options: argparse.Namespace, root: Path) -> tuple[list[str], list[str]]:
    """(CGO_CFLAGS, CGO_LDFLAGS) additions for the cc deps, with absolute paths under root."""
    cflags = [f"-I{root / path}" for path in options.include]
    cflags += [word for path in options.quote_include for word in ("-iquote", str(root / path))]
    cflags += [word for path in options.system_include for word in ("-isystem", str(root / path))]
    cflags += [f"-D{define}" for define in options.define]
    ldflags = [str(root / path) for path in options.link_static]
    for path in options.link_dynamic:
        ldflags += [f"-L{(root / path).parent}", f"-l{_library_name(path)}"]
    ldflags += options.linkopt
    if cflags or ldflags:
        cflags.append(f"-ffile-prefix-map={root}=.")
    return cflags, ldflags


def _environment(options: argparse.Namespace, root: Path) -> dict[str, str]:
    env = dict(os.environ)
    for item in options.env:
        name, _, value = item.partition("=")
        env[name] = value
    cflags, ldflags = cc_flags(options, root)
    for name, extra in (("CGO_CFLAGS", cflags), ("CGO_LDFLAGS", ldflags)):
        if extra:
            env[name] = shlex.join([*shlex.split(env.get(name, "")), *extra])
    return env


def run_captured(argv: Sequence[str]) -> tuple[int, bytes]:
    """crossgo's exit code and everything written to stdout and stderr, by it and its tools."""
    with tempfile.TemporaryFile() as log:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            code = crossgo_main(list(argv))
        except SystemExit as stop:  # argparse's usage errors
            code = stop.code if isinstance(stop.code, int) else 2
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        log.seek(0)
        return code, log.read()


def _sandbox_hint(env: dict[str, str]) -> str:
    cache = env.get("CROSSGO_CACHE_DIR", "crossgo's cache")
    return (
        "crossgo: hint: Bazel's sandbox lets an action write only where it is told. Add\n"
        f"  build --sandbox_writable_path={shlex.quote(cache)}\n"
        "to .bazelrc; @crossgo_host wrote that line to "
        "$(bazel info output_base)/external/crossgo_host/crossgo.bazelrc.\n"
    )


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    split = args.index("--") if "--" in args else len(args)
    options = _parser().parse_args(args[:split])
    env = _environment(options, Path.cwd())
    os.environ.clear()
    os.environ.update(env)
    code, output = run_captured(args[split + 1 :])
    if code != 0:
        sys.stderr.buffer.write(output)
        if code == _UNWRITABLE:
            sys.stderr.write(_sandbox_hint(env))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
