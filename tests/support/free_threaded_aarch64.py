"""An aarch64 free-threaded CPython 3.13.5, to import aarch64 modules under qemu-user.

Cross-built from the same Debian source package as the x86_64 one (tests/support/free_threaded.py)
with Debian's aarch64 gcc, ``--disable-gil``, and that x86_64 3.13.5t as the build Python
(a cross build needs one of the same version). Only ``make python`` runs: the interpreter and
its built-in modules, no shared extension modules, which the tests need none of. It runs from
its build tree (``pybuilddir.txt`` makes it find ``Lib/``) under qemu-user with the Debian arm64
root of :class:`tests.support.emulation.AArch64Python` (glibc, libm). 168 s on 2 CPUs at
nice 19 beside a running test suite, once; the object files are deleted, the tree kept in the
test cache.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tests.support.emulation import _key, _write_marker, build_once
from tests.support.free_threaded import (
    FREE_THREADED_SOURCE,
    FREE_THREADED_VERSION,
    _fetch_source,
    _step,
)

__all__ = ["free_threaded_aarch64"]

_DIR = f"cpython-{FREE_THREADED_VERSION}t-aarch64"
_LAYOUT_VERSION = 1
_CONFIGURE = ("--host=aarch64-linux-gnu", "--build=x86_64-linux-gnu", "--disable-gil")
# configure cannot run target programs: the answers it would probe for (Debian arm64 has both).
_CONFIG_SITE = "ac_cv_file__dev_ptmx=yes\nac_cv_file__dev_ptc=no\nac_cv_buggy_getaddrinfo=no\n"
_BUILD_DIR = "build/lib.linux-aarch64-3.13t"


def _assemble(cache_dir: Path, build_python: Path, key: str) -> Path:
    work = Path(tempfile.mkdtemp(prefix=f".{_DIR}.tmp-", dir=cache_dir))
    log = work / "build.log"
    source = _fetch_source(work, log)
    site = work / "config.site"
    site.write_text(_CONFIG_SITE)
    configure = ["env", f"CONFIG_SITE={site}", "./configure", *_CONFIGURE]
    _step([*configure, f"--with-build-python={build_python}"], source, log, 900)
    _step(["make", f"-j{os.cpu_count() or 2}", "python"], source, log, 3600)
    (source / "pybuilddir.txt").write_text(_BUILD_DIR)  # what `make sharedmods` would write
    (source / _BUILD_DIR).mkdir(parents=True, exist_ok=True)
    for leftover in [*source.rglob("*.o"), *source.glob("libpython*.a")]:
        leftover.unlink()
    built = work / _DIR
    source.rename(built)
    _write_marker(built, key)
    return built


def free_threaded_aarch64(cache_dir: Path, build_python: Path) -> Path:
    """The aarch64 ``python`` of a free-threaded CPython 3.13.5 build tree (run it with qemu)."""
    cache_dir = Path(cache_dir).resolve()
    key = _key(
        {"layout": _LAYOUT_VERSION, "source": list(FREE_THREADED_SOURCE), "configure": _CONFIGURE}
    )
    built = build_once(
        cache_dir,
        _DIR,
        key,
        lambda root: (root / "python").is_file(),
        lambda: _assemble(cache_dir, build_python, key),
    )
    return built / "python"
