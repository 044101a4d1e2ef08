"""Debian sid in a root of its own (Bazel 7.7.1, python3, buildbox), built once into the test cache.

The machine is Debian 12, whose Bazel is 4.2.3. Debian sid's ``bazel-bootstrap`` is Bazel 7.7.1
and its ``buildbox`` (1.4.30) has buildbox-casd, buildbox-worker and the runners. The root is made
as platform-lab.md says (verified here, 2026-12):

* ``debootstrap --variant=minbase sid ROOT MIRROR``;
* ``/proc`` mounted while apt runs: the JDK's setup fails inside apt without it;
* ``apt-get -o Acquire::Check-Valid-Until=false``: the mirror's sid ``Release`` has expired;
* ``apt-get install --no-install-recommends`` of :data:`SID_PACKAGES`, then ``apt-get clean``
  (the whole root: 75 s here from scratch, 1.5 GB);
* four stub modules under ``/lab/stubs``: Debian's ``/etc/bazel/bazelrc`` points eight modules at
  local copies with ``--override_module``, but Bazel's own tools still ask the registry for
  ``protobuf``, ``buildozer``, ``apple_support`` and ``zlib``. A directory with only
  ``module(name = ...)`` and an empty BUILD file for each lets bzlmod resolve offline.

It is assembled in a temporary sibling, gets a marker, and is published with one rename under a
lock, as the emulators' roots are (tests/support/emulation.py). ``/proc`` is mounted in a private
mount namespace (``unshare --mount``), so nothing stays mounted on the host if apt fails or the
run is killed. Running Bazel in the root is tests/support/sid_lab.py's job.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from tests.support.emulation import (
    EmulationUnavailable,
    _key,
    _logged_step,
    _write_marker,
    build_once,
)

__all__ = ["SID_PACKAGES", "STUBS_DIR", "STUB_MODULES", "sid_root", "write_stubs"]

#: What the tests run in the root: Bazel 7.7.1, the Python crossgo's actions run with, and
#: buildbox-casd, buildbox-worker and buildbox-run-hosttools for remote execution.
SID_PACKAGES = ("bazel-bootstrap", "python3", "buildbox", "ca-certificates")
#: Modules Bazel 7's own tools ask the registry for, which Debian does not override.
STUB_MODULES = ("protobuf", "buildozer", "apple_support", "zlib")
#: Where the stub modules sit, inside the root.
STUBS_DIR = "/lab/stubs"
_DIR = "sid-root"
_LAYOUT_VERSION = 1
_MIRROR = os.environ.get("CROSSGO_DEBIAN_MIRROR", "http://deb.debian.org/debian")
_APT = ("apt-get", "-q", "-o", "Acquire::Check-Valid-Until=false")
_HINT = "install debootstrap (apt-get install debootstrap) and run as root"


def _key_for() -> str:
    return _key({"layout": _LAYOUT_VERSION, "suite": "sid", "packages": list(SID_PACKAGES),
                 "stubs": list(STUB_MODULES)})  # fmt: skip


def _usable(root: Path) -> bool:
    return (root / "usr" / "bin" / "bazel").is_file() and (
        root / "usr" / "bin" / "buildbox-worker"
    ).is_file()


def _step(argv: list[str], log: Path, timeout: int) -> None:
    _logged_step(argv, log, timeout, f"making the Debian sid root failed ({_HINT})")


def _in_root(root: Path, script: str) -> list[str]:
    """A shell ``script`` run chrooted in ``root`` with /proc mounted in a private namespace."""
    wrapper = 'mount -t proc proc "$0/proc" && exec chroot "$0" sh -c "$1"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", wrapper, str(root),
            script]  # fmt: skip


def write_stubs(root: Path) -> None:
    for name in STUB_MODULES:
        stub = root / STUBS_DIR.lstrip("/") / name
        stub.mkdir(parents=True, exist_ok=True)
        (stub / "MODULE.bazel").write_text(f'module(name = "{name}")\n', encoding="utf-8")
        (stub / "BUILD.bazel").write_text("", encoding="utf-8")


def _assemble(cache_dir: Path) -> Path:
    work = Path(tempfile.mkdtemp(prefix=f".{_DIR}.tmp-", dir=cache_dir))
    log = work / "build.log"
    root = work / _DIR
    if shutil.which("debootstrap") is None:
        raise EmulationUnavailable(f"debootstrap is not installed: {_HINT}")
    _step(["debootstrap", "--variant=minbase", "sid", str(root), _MIRROR], log, 1800)
    apt = " ".join(_APT)
    install = f"{apt} install -y --no-install-recommends {' '.join(SID_PACKAGES)}"
    _step(_in_root(root, f"{apt} update && {install} && apt-get clean"), log, 3600)
    write_stubs(root)
    _write_marker(root, _key_for())
    return root


def sid_root(cache_dir: Path) -> Path:
    """The root's path: made on first use (75 s here; minutes on a slow mirror), then reused."""
    cache_dir = Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    return build_once(cache_dir, _DIR, _key_for(), _usable, lambda: _assemble(cache_dir))
