"""A free-threaded CPython (``--disable-gil``) from Debian's source package, kept in the test cache.

Debian ships no free-threaded binary packages. Its source package of CPython 3.13 (trixie's
``python3.13``; sid's 3.14 sources are not served by the mirror) carries the upstream tarball,
which ``./configure --disable-gil --disable-test-modules`` built in 127 s on 2 CPUs, the source's
download included (238 s at nice 19 beside a running test suite). It is built once into
``<cache>/cpython-<version>t`` (a temporary sibling, ``make install DESTDIR=``, one rename under a
lock, as the emulators' roots are) and reused by every later session.

The apt lists used to find the source live in the build directory: the host's apt state is
never touched.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from tests.support.emulation import (
    EmulationUnavailable,
    _key,
    _logged_step,
    _write_marker,
    build_once,
)

__all__ = ["FREE_THREADED_SOURCE", "FREE_THREADED_VERSION", "free_threaded_python"]

#: The Debian source package and version whose upstream tarball is built.
FREE_THREADED_SOURCE = ("python3.13", "3.13.5-2+deb13u5")
FREE_THREADED_VERSION = "3.13.5"
_SOURCES_LIST = "deb-src http://deb.debian.org/debian trixie main\n"
_DIR = f"cpython-{FREE_THREADED_VERSION}t"
_LAYOUT_VERSION = 1
# No test packages or test extension modules (_testcapi, ...): none of the tests use them, and
# they are 1,119 of the 1,751 .py files `make install` byte-compiles three times, and 71 C files.
_CONFIGURE = ("--disable-gil", "--disable-test-modules", "--with-ensurepip=no")
#: Debian packages CPython's build needs for the modules the tests use (ctypes, ssl for pip, ...).
BUILD_PACKAGES = (
    "build-essential",
    "libffi-dev",
    "zlib1g-dev",
    "libssl-dev",
    "libbz2-dev",
    "liblzma-dev",
)


def _python(root: Path) -> Path:
    return root / "bin" / "python3.13t"


def _usable(root: Path) -> bool:
    python = _python(root)
    if not python.is_file():
        return False
    probe = subprocess.run(
        [str(python), "-c", "import ctypes, pip, ssl, sys; print(sys._is_gil_enabled())"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return probe.returncode == 0 and probe.stdout.strip() == "False"


def _step(argv: list[str], cwd: Path, log: Path, timeout: int) -> None:
    failure = f"building a free-threaded CPython failed; install {' '.join(BUILD_PACKAGES)}"
    _logged_step(argv, log, timeout, failure, cwd)


def _fetch_source(work: Path, log: Path) -> Path:
    lists = work / "apt"
    (lists / "lists" / "partial").mkdir(parents=True)
    (lists / "cache" / "archives" / "partial").mkdir(parents=True)
    (lists / "sources.list").write_text(_SOURCES_LIST)
    apt = [
        "apt-get",
        "-q",
        f"-o=Dir::Etc::sourcelist={lists / 'sources.list'}",
        "-o=Dir::Etc::sourceparts=-",
        f"-o=Dir::State::Lists={lists / 'lists'}",
        f"-o=Dir::Cache={lists / 'cache'}",
        "-o=Acquire::Check-Valid-Until=false",
    ]
    _step([*apt, "update"], work, log, 600)
    package, version = FREE_THREADED_SOURCE
    _step([*apt, "source", "--download-only", f"{package}={version}"], work, log, 900)
    tarball = next(work.glob(f"{package}_*.orig.tar.xz"))
    _step(["tar", "xf", tarball.name], work, log, 600)
    return work / f"Python-{FREE_THREADED_VERSION}"


def _assemble(cache_dir: Path, final: Path, key: str) -> Path:
    work = Path(tempfile.mkdtemp(prefix=f".{_DIR}.tmp-", dir=cache_dir))
    log = work / "build.log"
    source = _fetch_source(work, log)
    jobs = str(os.cpu_count() or 2)
    _step(
        ["./configure", *_CONFIGURE, f"--prefix={final}"],
        source,
        log,
        900,
    )
    _step(["make", f"-j{jobs}"], source, log, 3600)
    staged = work / "staged"
    _step(["make", "install", f"DESTDIR={staged}"], source, log, 1800)
    built = work / _DIR
    (staged / final.relative_to("/")).rename(built)
    # CPython finds its prefix from its own path, so pip installs here and moves with it:
    # the tests make venvs and wheels with `python3.13t -m pip`.
    _step([str(_python(built)), "-m", "ensurepip"], built, log, 600)
    _write_marker(built, key)
    return built


def free_threaded_python(cache_dir: Path) -> Path:
    """The ``python3.13t`` of a free-threaded CPython 3.13.5 (``sys._is_gil_enabled()`` is False).

    Built on first use (about 2 minutes on 2 CPUs, 23 MB of source), then reused.
    """
    cache_dir = Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / _DIR
    key = _key(
        {
            "layout": _LAYOUT_VERSION,
            "source": list(FREE_THREADED_SOURCE),
            "configure": list(_CONFIGURE),
        }
    )
    built = build_once(cache_dir, _DIR, key, _usable, lambda: _assemble(cache_dir, final, key))
    if not _usable(built):
        raise EmulationUnavailable(
            f"the free-threaded CPython built at {built} does not run with the GIL off"
        )
    return _python(built)
