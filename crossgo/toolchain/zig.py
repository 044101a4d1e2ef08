"""zig cc as cgo's C toolchain, for every target, from the ``ziglang`` wheel or PATH.

cgo wants one executable as CC, so crossgo writes a tiny per-target wrapper script that runs
``zig cc -target <triple>`` and drops or rewrites the few link arguments Go passes that zig's
linker rejects. The triple pins glibc 2.17 on Linux (the manylinux_2_17 baseline) and the
macOS deployment target on macOS, so the binary matches the wheel tag it will carry.
Wrappers live in crossgo's cache under a name derived from their content, so writing one is
idempotent and concurrent builds never see a half-written file.
"""

from __future__ import annotations

import enum
import hashlib
import importlib.util
import logging
import os
import re
import shlex
import shutil
from pathlib import Path

from crossgo import _atomic, _run
from crossgo.cache import CacheDir, file_identity
from crossgo.errors import OutputError
from crossgo.toolchain.base import Miss, Toolchain, ToolchainQuery
from crossgo.toolchain.zig_home import stable_zig, zig_home

__all__ = ["ZigSource", "find", "find_executable", "wrapper_script"]

_log = logging.getLogger(__name__)


class ZigSource(enum.Enum):
    """Where zig was found; the value is how messages name the place."""

    WHEEL = "the ziglang wheel"
    PATH = "PATH"


# Arguments Go passes to the external linker that zig cc refuses, mapped to what to pass
# instead ("" drops the argument). Patterns are POSIX `case` globs.
_REWRITES: tuple[tuple[str, str], ...] = (
    ("-Wl,--compress-debug-sections=*", ""),  # older zig: unsupported; size-only effect
    ("-Wl,-headerpad,*", "-Wl,-headerpad_max_install_names"),
    ("-Wl,-no_pie", ""),
    ("-Wl,-pagezero_size,*", ""),
    ("-mthreads", ""),  # a gcc mingw flag; zig's mingw CRT is always thread-safe
)

# Always added: zig enables UBSan traps in unoptimised C, which cgo code never expects.
_ALWAYS = ("-fno-sanitize=undefined",)


def _case_action(replacement: str) -> str:
    return f'set -- "$@" {shlex.quote(replacement)}' if replacement else ":"


def wrapper_script(zig: Path, triple: str, *, cxx: bool = False) -> str:
    """The POSIX sh wrapper text (pure, so it can be tested and hashed)."""
    cases = "\n".join(f"    {pattern}) {_case_action(new)} ;;" for pattern, new in _REWRITES)
    mode = "c++" if cxx else "cc"
    extra = " ".join(_ALWAYS)
    command = f"{shlex.quote(str(zig))} {mode} -target {triple} {extra}"
    # zig compiles even for `-###` (Go's compiler-identity probe, run in the package
    # directory) and writes `-o /dev/null` output to ./-.o: both would leave a file named
    # -.o in the user's package. Run those in a scratch directory and remove it afterwards.
    return f"""#!/bin/sh
# crossgo: zig {mode} for {triple}. Generated; do not edit.
scratch= previous=
for arg do
  shift
  if [ "$arg" = "-###" ] || {{ [ "$previous" = -o ] && [ "$arg" = /dev/null ]; }}; then
    [ -n "$scratch" ] || scratch=$(mktemp -d "${{TMPDIR:-/tmp}}/crossgo-zig.XXXXXX") || exit 1
  fi
  previous=$arg
  case $arg in
{cases}
    *) set -- "$@" "$arg" ;;
  esac
done
[ -z "$scratch" ] && exec {command} "$@"
(cd "$scratch" && {command} "$@")
status=$?
rm -rf "$scratch"
exit $status
"""


def _write_executable(path: Path, text: str) -> None:
    if path.is_file():
        return  # content-addressed: an existing wrapper has this exact text
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic.write_text(path, text, mode=0o755)
    except OSError as error:
        msg = (
            f"crossgo cannot write its zig wrapper {path} ({error.strerror or error}). "
            "Point CROSSGO_CACHE_DIR (or --cache-dir) at a writable directory."
        )
        raise OutputError(msg) from error


def find_executable(path: str, *, path_first: bool = False) -> tuple[Path, ZigSource] | None:
    """zig and where it came from: the ziglang wheel, then ``path`` (a PATH value); with
    ``path_first``, the other way round (a conda recipe's own zig wins there)."""
    on_path = shutil.which("zig", path=path)
    found_on_path = (Path(on_path), ZigSource.PATH) if on_path else None
    if path_first and found_on_path:
        return found_on_path
    spec = importlib.util.find_spec("ziglang")
    if spec is not None and spec.origin:
        exe = Path(spec.origin).parent / ("zig.exe" if os.name == "nt" else "zig")
        if exe.is_file():
            return exe, ZigSource.WHEEL
    return found_on_path


# zig writes its lib directory into #include lines and build commands it generates.
_ZIG_UNSAFE_PATH = re.compile(r'["\\\n`$]')
_ZIG_ENV_FIELD = re.compile(
    r'^\s*\.(?P<key>version|lib_dir)\s*=\s*"(?P<value>[^"]*)"', re.MULTILINE
)


def parse_zig_env(text: str, cwd: Path) -> dict[str, str]:
    """``version`` and ``lib_dir`` from ``zig env`` (ZON in zig 0.14+, JSON before);
    zig prints ``lib_dir`` relative to the directory it ran in."""
    fields = {m["key"]: m["value"] for m in _ZIG_ENV_FIELD.finditer(text)}
    if not fields:  # older zig: JSON
        import json  # noqa: PLC0415

        data = json.loads(text)
        fields = {"version": str(data["version"]), "lib_dir": str(data["lib_dir"])}
    fields["lib_dir"] = str(cwd / fields["lib_dir"])
    return fields


def _read_zig_facts(zig: Path, source: ZigSource, cache: CacheDir) -> dict[str, str]:
    if source is ZigSource.WHEEL:
        import importlib.metadata  # noqa: PLC0415 - 40 ms to import and scan; cache misses only

        version = importlib.metadata.version("ziglang")
        home = zig_home(zig, version, cache)
        return {"version": version, "home": str(home), "lib_dir": str(home / "lib")}
    root = Path(os.sep)
    return parse_zig_env(_run.capture([str(zig), "env"], cwd=root), root)


def _zig_facts(zig: Path, source: ZigSource, cache: CacheDir) -> dict[str, str]:
    """zig's version, lib directory and (for the wheel) stable home, cached by the binary's
    identity (asking costs tens of milliseconds)."""
    key = {
        "probe": "zig-facts",
        "source": source.value,
        "cache": str(cache.root),
        **file_identity(zig),
    }
    cached = cache.remember(key, lambda: _read_zig_facts(zig, source, cache))
    return {name: str(value) for name, value in cached.items()}


def _at_home(zig: Path, home: Path) -> tuple[Path, str]:
    """The wheel's zig at its stable home, and its lib directory. Where the cache has no
    room for the home, or its path holds characters zig's own C headers cannot be included
    from (a double quote, a backslash), the wheel's own zig: slower in a new environment,
    but it builds."""
    if _ZIG_UNSAFE_PATH.search(str(home)):
        _log.warning("crossgo: running zig from the ziglang wheel: zig cannot run from %s", home)
        return zig, str(zig.parent / "lib")
    try:
        placed = stable_zig(zig, home)
    except OutputError as error:
        _log.warning("crossgo: running zig from the ziglang wheel: %s", error)
        return zig, str(zig.parent / "lib")
    return placed, str(home / "lib")


def find(query: ToolchainQuery) -> Toolchain | Miss:
    in_conda_build = query.env.get("CONDA_BUILD") == "1"
    found = find_executable(query.env.get("PATH", ""), path_first=in_conda_build)
    if found is None:
        return Miss("zig", 'zig is not installed (`pip install "crossgo[zig]"`)')
    zig, source = found
    facts = _zig_facts(zig, source, query.cache)
    if source is ZigSource.WHEEL:  # run it from a path that does not move with the environment
        zig, facts["lib_dir"] = _at_home(zig, Path(facts["home"]))
    lib_dir = query.env.get("ZIG_LIB_DIR") or facts["lib_dir"]
    triple = query.target.zig_triple(macos=query.macos_version)
    if triple is None:
        return Miss("zig", f"zig has no target for {query.target.name}")
    scripts = {name: wrapper_script(zig, triple, cxx=name == "c++") for name in ("cc", "c++")}
    key = hashlib.sha256("".join(scripts.values()).encode()).hexdigest()[:16]
    directory = query.cache.wrapper_dir(f"zig-{query.target.name}-{key}")
    for name, text in scripts.items():
        _write_executable(directory / name, text)
    zig_cache = query.env.get("ZIG_GLOBAL_CACHE_DIR") or str(query.cache.zig_cache)
    return Toolchain(
        kind="zig",
        cc=str(directory / "cc"),
        cxx=str(directory / "c++"),
        version=facts["version"],
        origin=f"zig cc -target {triple} ({zig}, from {source.value})",
        env={
            "ZIG_GLOBAL_CACHE_DIR": zig_cache,
            "ZIG_LOCAL_CACHE_DIR": query.env.get("ZIG_LOCAL_CACHE_DIR") or zig_cache,
        },
        source_roots={"/crossgo-zig": lib_dir},
    )
