"""Run cross-built libraries on this x86_64 Linux host.

Two runners, each assembled once into a cache directory and reused:

* :func:`aarch64_python` -- a real Debian arm64 CPython 3.11 (``apt-get
  download`` + ``dpkg-deb -x``) started through ``qemu-aarch64-static -L``;
  linux-aarch64 shared libraries are loaded in it with :mod:`ctypes`.
* :func:`windows_runner` -- a wine64 prefix with ``harness.exe`` (load a DLL,
  call an ``int64 f(int64...)`` export, print the result) and a
  ``bcryptprimitives.dll`` ProcessPrng shim (Wine 8 lacks it; Go >= 1.22
  cannot start without it).

Both caches are built in a temporary sibling directory and published with a
single :func:`os.rename` while holding a lock file, so a concurrent or
interrupted run never leaves a half-built tree under the final name. Stale
temporary directories are removed by the next run.

Everything missing on the host raises :class:`EmulationUnavailable`, whose
message names the Debian package (or command) that fixes it;
``.ci/install-system-deps.sh`` installs all of them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.support.locks import locked

__all__ = [
    "AARCH64_PYTHON_PACKAGES",
    "AArch64Python",
    "EmulationUnavailable",
    "WindowsRunner",
    "aarch64_python",
    "build_once",
    "default_cache_dir",
    "windows_runner",
]

INSTALL_HINT = "run .ci/install-system-deps.sh as root"

#: Debian bookworm arm64 packages that make up the emulated CPython root
#: (python3.11 + stdlib + the shared libraries ctypes, ssl, zlib, ... need).
AARCH64_PYTHON_PACKAGES: tuple[str, ...] = (
    "python3.11-minimal:arm64",
    "libpython3.11-minimal:arm64",
    "libpython3.11-stdlib:arm64",
    "libc6:arm64",
    "zlib1g:arm64",
    "libexpat1:arm64",
    "libffi8:arm64",
    "libssl3:arm64",
    "libbz2-1.0:arm64",
    "liblzma5:arm64",
)

_AARCH64_DIR = "aarch64-python"
_WINE_DIR = "wineprefix"
_MARKER = ".crossgo-ready"
_LAYOUT_VERSION = 1

_WINDOWS_SOURCES = Path(__file__).resolve().parent / "windows"
_HARNESS_SUBPATH = Path("drive_c", "crossgo", "harness.exe")
_SHIM_SUBPATH = Path("drive_c", "windows", "system32", "bcryptprimitives.dll")

# Harness exit codes (see windows/harness.c).
_HARNESS_EXIT_MEANING = {
    10: "bad arguments",
    11: "LoadLibraryExW failed",
    12: "symbol not found",
}

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


class EmulationUnavailable(RuntimeError):
    """The host lacks something needed to emulate a target.

    The message names the apt package or command that fixes it.
    """


def default_cache_dir() -> Path:
    """``$CROSSGO_TEST_CACHE`` or ``~/.cache/crossgo-tests``."""
    env = os.environ.get("CROSSGO_TEST_CACHE")
    if env:
        return Path(env).expanduser().resolve()
    return Path.home() / ".cache" / "crossgo-tests"


# --------------------------------------------------------------------------
# small helpers


def _which(name: str, package: str, *, fallbacks: Sequence[str] = (), what: str = "") -> Path:
    found = shutil.which(name)
    if found:
        return Path(found)
    for candidate in fallbacks:
        if os.access(candidate, os.X_OK):
            return Path(candidate)
    purpose = f" (needed {what})" if what else ""
    raise EmulationUnavailable(
        f"`{name}` not found{purpose}: install the Debian package `{package}` "
        f"(apt-get install --no-install-recommends {package}) or {INSTALL_HINT}"
    )


def _describe(proc: subprocess.CompletedProcess[str], argv: Sequence[str]) -> str:
    return (
        f"command: {subprocess.list2cmdline(list(argv))}\n"
        f"exit status: {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout}"
        f"--- stderr ---\n{proc.stderr}"
    )


def _run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float,
) -> subprocess.CompletedProcess[str]:
    """Run to completion, capturing output in files rather than pipes.

    Pipes would make us wait until every process holding them has exited:
    wine64 leaves its wineserver running (with our stdout) for a few seconds
    after each call, which turned a 0.1 s call into 1.5 s.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.run(
            list(argv),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            timeout=timeout,
            check=False,
        )
        return subprocess.CompletedProcess(proc.args, proc.returncode, _read(out), _read(err))


def _logged_step(
    argv: Sequence[str], log: Path, timeout: float, failure: str, cwd: Path | None = None
) -> None:
    """Run one step of assembling a cache entry, its output appended to ``log``; on failure
    raise :class:`EmulationUnavailable` with ``failure`` (what failed, what to install) and
    the log's tail."""
    with log.open("ab") as out:
        proc = subprocess.run(list(argv), check=False, cwd=cwd, stdout=out,
                              stderr=subprocess.STDOUT, timeout=timeout)  # fmt: skip
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-4000:]
        raise EmulationUnavailable(f"{failure}: {' '.join(argv)} exited {proc.returncode}:\n{tail}")


def _read(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode("utf-8", errors="replace")


def _remove_stale(cache_dir: Path, name: str) -> None:
    """Remove leftovers of interrupted runs (caller holds the lock)."""
    for pattern in (f".{name}.tmp-*", f".{name}.old-*"):
        for stale in cache_dir.glob(pattern):
            shutil.rmtree(stale, ignore_errors=True)


def _retire(final: Path) -> None:
    """Atomically move an invalid published tree out of the way, then delete it."""
    if not final.exists() and not final.is_symlink():
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
    final.rename(trash / final.name)
    shutil.rmtree(trash, ignore_errors=True)


def build_once(
    cache_dir: Path,
    name: str,
    key: str,
    usable: Callable[[Path], bool],
    assemble: Callable[[], Path],
) -> Path:
    """``cache_dir/name``, reused while its marker holds ``key`` and ``usable`` accepts it.
    Otherwise ``assemble()`` builds it in a temporary sibling (``.NAME.tmp-*``, marker
    written), which replaces the old one with one rename, all under the lock."""
    final = cache_dir / name
    with locked(cache_dir / f".{name}.lock"):
        _remove_stale(cache_dir, name)
        if _read_marker(final) == key and usable(final):
            return final
        built = assemble()
        try:
            _retire(final)
            built.rename(final)
        finally:
            shutil.rmtree(built.parent, ignore_errors=True)
            _remove_stale(cache_dir, name)
    return final


def _read_marker(root: Path) -> str | None:
    try:
        return (root / _MARKER).read_text(encoding="utf-8")
    except OSError:
        return None


def _write_marker(root: Path, key: str) -> None:
    (root / _MARKER).write_text(key, encoding="utf-8")


def _key(data: Mapping[str, object]) -> str:
    return json.dumps(dict(data), sort_keys=True, indent=1) + "\n"


# --------------------------------------------------------------------------
# aarch64: Debian arm64 CPython under qemu-user


def _find_qemu_aarch64() -> Path:
    return _which("qemu-aarch64-static", "qemu-user-static", what="to run aarch64 code")


def _guest_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    # qemu-user hands its whole environment to the guest. Drop what would
    # reconfigure qemu itself (QEMU_*) or point the guest's ld.so / python at
    # host (x86_64) files; callers can set any of these again through `extra`.
    dropped = ("QEMU_", "LD_", "PYTHON", "LC_", "LANG")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    # The root has no locale data; C.UTF-8 is built into glibc >= 2.35.
    env["LC_ALL"] = "C.UTF-8"
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True, slots=True)
class AArch64Python:
    """A Debian arm64 CPython 3.11 sysroot, run through qemu-user."""

    root: Path
    qemu: Path = field(default_factory=_find_qemu_aarch64)

    @property
    def python(self) -> Path:
        return self.root / "usr" / "bin" / "python3.11"

    def argv(self, *python_args: str) -> list[str]:
        """Command line running the emulated python with ``python_args``."""
        return [str(self.qemu), "-L", str(self.root), str(self.python), *python_args]

    def run(
        self,
        code: str,
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``python3.11 -I -c code``; never raises on a non-zero exit.

        Host paths work unchanged inside the guest (qemu ``-L`` only prefers
        files under ``root`` when they exist there). ``env`` is added to a
        copy of the host environment without ``QEMU_*``, ``LD_*``,
        ``PYTHON*`` and locale variables. :class:`subprocess.TimeoutExpired`
        propagates.
        """
        return _run(self.argv("-I", "-c", code), cwd=cwd, env=_guest_env(env), timeout=timeout)


_AARCH64_SMOKE = (
    "import ctypes, platform, sys\n"
    "ctypes.CDLL(None)\n"
    "print(platform.machine(), sys.version_info[0], sys.version_info[1])\n"
)


def _check_aarch64(python: AArch64Python) -> str | None:
    """None when the root works, else a description of the failure."""
    if not python.python.is_file():
        return f"{python.python} is missing"
    try:
        proc = python.run(_AARCH64_SMOKE, timeout=120)
    except subprocess.TimeoutExpired:
        return "smoke test timed out after 120 s"
    if proc.returncode == 0 and proc.stdout.split() == ["aarch64", "3", "11"]:
        return None
    return _describe(proc, python.argv("-I", "-c", _AARCH64_SMOKE))


def _download_debs(dest: Path, packages: Sequence[str]) -> list[Path]:
    apt_get = _which("apt-get", "apt", what="to download arm64 packages")
    argv = [str(apt_get), "download", "-q"]
    if os.geteuid() == 0:
        # root: apt would drop to the `_apt` user, who cannot write to dest.
        argv += ["-o", "APT::Sandbox::User=root"]
    argv += list(packages)
    proc = _run(argv, cwd=dest, timeout=600)
    debs = sorted(dest.glob("*.deb"))
    if proc.returncode != 0 or len(debs) != len(packages):
        hint = (
            "enable the arm64 package lists: `dpkg --add-architecture arm64 && "
            f"apt-get update` (or {INSTALL_HINT})"
        )
        raise EmulationUnavailable(
            f"apt-get download of the arm64 CPython packages failed; {hint}\n"
            + _describe(proc, argv)
        )
    return debs


def _assemble_aarch64(cache_dir: Path, key: str) -> Path:
    """Build a fresh root in a temporary directory; return its path."""
    dpkg_deb = _which("dpkg-deb", "dpkg", what="to unpack arm64 packages")
    build = Path(tempfile.mkdtemp(prefix=f".{_AARCH64_DIR}.tmp-", dir=cache_dir))
    root = build / _AARCH64_DIR
    debs_dir = build / "debs"
    root.mkdir()
    debs_dir.mkdir()
    for deb in _download_debs(debs_dir, AARCH64_PYTHON_PACKAGES):
        argv = [str(dpkg_deb), "-x", str(deb), str(root)]
        proc = _run(argv, timeout=300)
        if proc.returncode != 0:
            raise EmulationUnavailable(f"unpacking {deb.name} failed\n" + _describe(proc, argv))
    shutil.rmtree(debs_dir)
    problem = _check_aarch64(AArch64Python(root))
    if problem is not None:
        raise EmulationUnavailable(
            "the freshly assembled aarch64 CPython does not run under "
            f"qemu-aarch64-static (package qemu-user-static):\n{problem}"
        )
    _write_marker(root, key)
    return root


def aarch64_python(cache_dir: Path) -> AArch64Python:
    """The arm64 CPython root in ``cache_dir/aarch64-python``, built on first use.

    Takes ~2-3 s (9 MB of .debs from the Debian mirror) the first time;
    afterwards each call costs one ~0.35 s smoke test of the cached root.
    """
    _find_qemu_aarch64()
    cache_dir = Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / _AARCH64_DIR
    key = _key({"layout": _LAYOUT_VERSION, "packages": list(AARCH64_PYTHON_PACKAGES)})
    with locked(cache_dir / f".{_AARCH64_DIR}.lock"):
        _remove_stale(cache_dir, _AARCH64_DIR)
        if _read_marker(final) == key and _check_aarch64(AArch64Python(final)) is None:
            return AArch64Python(final)
        try:
            built = _assemble_aarch64(cache_dir, key)
            _retire(final)
            built.rename(final)
        finally:
            _remove_stale(cache_dir, _AARCH64_DIR)
        return AArch64Python(final)


# --------------------------------------------------------------------------
# win-64: wine64 + harness.exe + ProcessPrng shim


def _find_wine64() -> Path:
    # Debian 12 ships the 64-bit loader outside PATH (/usr/bin/wine is a
    # wrapper that prefers the missing 32-bit loader and then warns).
    return _which(
        "wine64",
        "wine64",
        fallbacks=("/usr/lib/wine/wine64", "/usr/lib64/wine/wine64", "/opt/wine-stable/bin/wine64"),
        what="to run win-64 code",
    )


def _find_wineserver() -> Path:
    # Debian's /usr/bin/wineserver wrapper adds -p0; prefer the real binary.
    for candidate in ("/usr/lib/wine/wineserver64",):
        if os.access(candidate, os.X_OK):
            return Path(candidate)
    return _which("wineserver", "wine64", what="to run win-64 code")


def _wine_env(prefix: Path, wine: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # No display: never let wine open windows or dialogs.
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "WINEDLLPATH", "WINESERVER"}
    }
    env.update(
        {
            "WINEPREFIX": str(prefix),
            "WINEARCH": "win64",
            "WINELOADER": str(wine),
            "WINEDEBUG": "-all",
            # No Mono/Gecko install prompts, no desktop menu entries.
            "WINEDLLOVERRIDES": "mscoree,mshtml=;winemenubuilder.exe=d",
        }
    )
    return env


# What wine64 prints when its wineserver connection drops under it
# ("recvmsg: Connection reset by peer"): an intermittent wine fault that CI
# met once in a full run, not an answer from the program, so the call is
# made again.
_WINE_LOST_SERVER = "wine client error:"
_WINE_ATTEMPTS = 3


def windows_path(path: Path) -> str:
    """The Wine path of a host path (through the default ``Z:`` -> ``/`` drive)."""
    return "Z:" + str(Path(path).resolve()).replace("/", "\\")


@dataclass(frozen=True, slots=True)
class WindowsRunner:
    """A wine64 prefix with harness.exe and the ProcessPrng shim installed."""

    prefix: Path
    harness: Path
    wine: Path = field(default_factory=_find_wine64)

    @property
    def env(self) -> dict[str, str]:
        """Environment for running wine64 in this prefix."""
        return _wine_env(self.prefix, self.wine)

    def call(self, dll: Path, symbol: str, *args: int, timeout: float = 120) -> int:
        """Call ``int64 symbol(int64...)`` (0-4 args) exported by ``dll``.

        Only use it on functions returning a 64-bit integer: the whole of RAX
        is read. Narrower integer *parameters* are fine (Windows x64 passes
        the first four in registers). Raises :class:`RuntimeError` with the
        harness's full output when loading or calling fails.
        """
        if len(args) > 4:
            raise ValueError(f"harness supports 0-4 arguments, got {len(args)}")
        for arg in args:
            if isinstance(arg, bool) or not isinstance(arg, int):
                raise TypeError(f"arguments must be int, got {arg!r}")
            if not _INT64_MIN <= arg <= _INT64_MAX:
                raise ValueError(f"argument {arg} does not fit in int64")
        dll = Path(dll)
        if not dll.is_file():
            raise FileNotFoundError(f"DLL not found: {dll}")
        return self._call(windows_path(dll), symbol, args, timeout)

    def _call(self, dll: str, symbol: str, args: Sequence[int], timeout: float) -> int:
        proc = self.wine64(str(self.harness), dll, symbol, *(str(a) for a in args), timeout=timeout)
        lines = proc.stdout.strip().splitlines()
        if proc.returncode == 0 and lines:
            try:
                return int(lines[-1].strip())
            except ValueError:
                pass
        meaning = _HARNESS_EXIT_MEANING.get(proc.returncode, "failed")
        raise RuntimeError(
            f"harness: calling {symbol}{tuple(args)!r} in {dll}: {meaning}\n"
            + _describe(proc, proc.args)
        )

    def run(self, exe: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a Windows program under wine64; never raises on a non-zero exit."""
        return self.wine64(str(Path(exe).resolve()), *args, timeout=timeout)

    def wine64(
        self,
        *args: str,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """``wine64 ARGS...`` in this prefix (``env`` adds to :attr:`env`); never raises
        on a non-zero exit. Output is read as UTF-8, undecodable bytes replaced. Run
        again when wine lost its server (:data:`_WINE_LOST_SERVER`)."""
        argv = [str(self.wine), *args]
        full_env = {**self.env, **(env or {})}
        proc = _run(argv, env=full_env, cwd=cwd, timeout=timeout)
        for _ in range(_WINE_ATTEMPTS - 1):
            if proc.returncode == 0 or _WINE_LOST_SERVER not in proc.stderr:
                break
            proc = _run(argv, env=full_env, cwd=cwd, timeout=timeout)
        return proc


def _mingw_gcc() -> Path:
    return _which(
        "x86_64-w64-mingw32-gcc",
        "gcc-mingw-w64-x86-64",
        what="to build harness.exe and bcryptprimitives.dll",
    )


def _tool_version(argv: Sequence[str]) -> str:
    try:
        proc = _run(argv, timeout=60)
    except OSError as exc:
        return f"error: {exc}"
    out = (proc.stdout or proc.stderr).strip().splitlines()
    return out[0] if out else f"exit {proc.returncode}"


def _windows_key(wine: Path, gcc: Path) -> str:
    sources = {}
    for name in ("harness.c", "processprng.c"):
        sources[name] = hashlib.sha256((_WINDOWS_SOURCES / name).read_bytes()).hexdigest()
    return _key(
        {
            "layout": _LAYOUT_VERSION,
            "sources": sources,
            "wine": _tool_version([str(wine), "--version"]),
            "gcc": _tool_version([str(gcc), "--version"]),
        }
    )


def _compile_windows_parts(gcc: Path, prefix: Path) -> None:
    harness = prefix / _HARNESS_SUBPATH
    shim = prefix / _SHIM_SUBPATH
    harness.parent.mkdir(parents=True, exist_ok=True)
    shim.parent.mkdir(parents=True, exist_ok=True)
    jobs = [
        [
            str(gcc), "-O2", "-Wall", "-Wextra", "-municode", "-static-libgcc",
            "-o", str(harness), str(_WINDOWS_SOURCES / "harness.c"),
        ],
        [
            str(gcc), "-O2", "-Wall", "-Wextra", "-shared", "-static-libgcc",
            "-o", str(shim), str(_WINDOWS_SOURCES / "processprng.c"), "-ladvapi32",
        ],
    ]  # fmt: skip
    for argv in jobs:
        proc = _run(argv, timeout=300)
        if proc.returncode != 0:
            raise EmulationUnavailable(
                "building the Windows test harness failed (package gcc-mingw-w64-x86-64)\n"
                + _describe(proc, argv)
            )


def _check_windows(runner: WindowsRunner) -> str | None:
    """None when the prefix works, else a description of the failure."""
    for path in (runner.harness, runner.prefix / _SHIM_SUBPATH, runner.prefix / "system.reg"):
        if not path.is_file():
            return f"{path} is missing"
    # Load the shim from system32 like the Go runtime does; ProcessPrng(NULL, 0)
    # returns TRUE.
    shim = "C:\\windows\\system32\\bcryptprimitives.dll"
    try:
        value = runner._call(shim, "ProcessPrng", (0, 0), timeout=120)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if value & 0xFFFFFFFF != 1:
        return f"ProcessPrng(NULL, 0) returned {value}, expected 1"
    return None


def _wait_wineserver(wineserver: Path, env: Mapping[str, str]) -> None:
    argv = [str(wineserver), "-w"]
    try:
        _run(argv, env=env, timeout=120)
    except subprocess.TimeoutExpired:
        _run([str(wineserver), "-k"], env=env, timeout=60)
        _run(argv, env=env, timeout=60)


def _init_wine_prefix(cache_dir: Path, key: str, wine: Path, gcc: Path) -> Path:
    """Create a prefix in a temporary directory; return its path."""
    wineserver = _find_wineserver()
    build = Path(tempfile.mkdtemp(prefix=f".{_WINE_DIR}.tmp-", dir=cache_dir))
    prefix = build / _WINE_DIR  # wine creates it itself
    _compile_windows_parts(gcc, build / "parts")
    env = _wine_env(prefix, wine)
    argv = [str(wine), "wineboot", "--init"]
    try:
        proc = _run(argv, env=env, timeout=600)
    except subprocess.TimeoutExpired as exc:
        _run([str(wineserver), "-k"], env=env, timeout=60)
        raise EmulationUnavailable(f"`wine64 wineboot --init` timed out: {exc}") from exc
    # The server outlives wineboot and writes the registry when it exits:
    # wait for it before touching or renaming the prefix.
    _wait_wineserver(wineserver, env)
    if proc.returncode != 0 or not (prefix / "system.reg").is_file():
        raise EmulationUnavailable(
            "initialising the wine prefix failed (packages wine64, wine)\n" + _describe(proc, argv)
        )
    for sub in (_HARNESS_SUBPATH, _SHIM_SUBPATH):
        (prefix / sub).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(build / "parts" / sub, prefix / sub)
    _write_marker(prefix, key)
    return prefix


def windows_runner(cache_dir: Path) -> WindowsRunner:
    """The wine prefix in ``cache_dir/wineprefix``, built on first use.

    First use: ~10-15 s (``wineboot --init``); afterwards each call costs one
    ~0.5 s smoke call. Rebuilt when the harness sources, wine or mingw change.
    """
    wine = _find_wine64()
    _find_wineserver()
    gcc = _mingw_gcc()
    cache_dir = Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / _WINE_DIR
    key = _windows_key(wine, gcc)
    runner = WindowsRunner(final, final / _HARNESS_SUBPATH, wine)
    with locked(cache_dir / f".{_WINE_DIR}.lock"):
        _remove_stale(cache_dir, _WINE_DIR)
        if _read_marker(final) == key and _check_windows(runner) is None:
            return runner
        try:
            built = _init_wine_prefix(cache_dir, key, wine, gcc)
            if final.exists():
                _wait_wineserver(_find_wineserver(), runner.env)
                _retire(final)
            # Renaming is safe: a prefix holds no absolute host paths and no
            # wineserver is running for it any more.
            built.rename(final)
        finally:
            _remove_stale(cache_dir, _WINE_DIR)
        problem = _check_windows(runner)
        if problem is not None:
            raise EmulationUnavailable(
                f"the freshly initialised wine prefix {final} does not work "
                f"(packages wine64, wine, gcc-mingw-w64-x86-64):\n{problem}"
            )
        return runner
