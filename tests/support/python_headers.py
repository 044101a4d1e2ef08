"""The target's Python headers for cross-built extensions: Debian's libpython3.11-dev:arm64.

The emulated aarch64 CPython (:func:`tests.support.emulation.aarch64_python`) has Python's
runtime but not its headers. A C extension built for it needs them: ``apt-get download``
fetches the arm64 package (arm64 is a dpkg foreign architecture on CI machines) and
``dpkg-deb -x`` unpacks it into ``<cache>/aarch64-python-dev``, built in a temporary sibling
and published with one rename under a lock, as the emulators' roots are.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tests.support.emulation import (
    EmulationUnavailable,
    _describe,
    _download_debs,
    _key,
    _read_marker,
    _remove_stale,
    _retire,
    _run,
    _which,
    _write_marker,
)
from tests.support.locks import locked

__all__ = ["AARCH64_PYTHON_DEV_PACKAGES", "aarch64_python_headers", "fake_include"]

#: The headers of the emulated CPython (same Debian release, same 3.11).
AARCH64_PYTHON_DEV_PACKAGES: tuple[str, ...] = ("libpython3.11-dev:arm64",)

_DIR = "aarch64-python-dev"
_LAYOUT_VERSION = 1


def _usable(root: Path) -> bool:
    include = root / "usr" / "include"
    return (include / "python3.11" / "Python.h").is_file() and (
        include / "aarch64-linux-gnu" / "python3.11" / "pyconfig.h"
    ).is_file()


def _assemble(cache_dir: Path, key: str) -> Path:
    dpkg_deb = _which("dpkg-deb", "dpkg", what="to unpack arm64 packages")
    build = Path(tempfile.mkdtemp(prefix=f".{_DIR}.tmp-", dir=cache_dir))
    root, debs = build / _DIR, build / "debs"
    root.mkdir()
    debs.mkdir()
    for deb in _download_debs(debs, AARCH64_PYTHON_DEV_PACKAGES):
        argv = [str(dpkg_deb), "-x", str(deb), str(root)]
        proc = _run(argv, timeout=300)
        if proc.returncode != 0:
            raise EmulationUnavailable(f"unpacking {deb.name} failed\n" + _describe(proc, argv))
    shutil.rmtree(debs)
    if not _usable(root):
        raise EmulationUnavailable(f"{AARCH64_PYTHON_DEV_PACKAGES} holds no Python.h/pyconfig.h")
    _write_marker(root, key)
    return root


def aarch64_python_headers(cache_dir: Path) -> Path:
    """A root holding ``usr/include/python3.11`` and Debian's multiarch
    ``usr/include/aarch64-linux-gnu/python3.11/pyconfig.h``; fetched once (4 MB)."""
    cache_dir = Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / _DIR
    key = _key({"layout": _LAYOUT_VERSION, "packages": list(AARCH64_PYTHON_DEV_PACKAGES)})
    with locked(cache_dir / f".{_DIR}.lock"):
        _remove_stale(cache_dir, _DIR)
        if _read_marker(final) == key and _usable(final):
            return final
        try:
            built = _assemble(cache_dir, key)
            _retire(final)
            built.rename(final)
        finally:
            _remove_stale(cache_dir, _DIR)
        return final


def fake_include(
    root: Path,
    version: str = "3.11",
    pyconfig: str = "#define SIZEOF_VOID_P 8\n#define SIZEOF_LONG 8\n",
) -> Path:
    """``root/usr/include/python<version>``: the few files crossgo reads of a CPython include
    directory (Python.h, patchlevel.h, pyconfig.h), for tests of that reading."""
    include = root / "usr" / "include" / f"python{version}"
    include.mkdir(parents=True)
    (include / "Python.h").write_text('#include "pyconfig.h"\n')
    major, minor = version.split(".")
    patchlevel = f"#define PY_MAJOR_VERSION {major}\n#define PY_MINOR_VERSION {minor}\n"
    (include / "patchlevel.h").write_text(patchlevel)
    (include / "pyconfig.h").write_text(pyconfig)
    return include
