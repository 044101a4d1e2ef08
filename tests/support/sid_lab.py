"""Bazel 7.7.1 from the Debian sid root (tests/support/sid_root.py), run in podman containers.

What was tried here (2026-12) and what holds:

* ``chroot ROOT bazel ...``: Bazel 7 falls back to ``processwrapper-sandbox``. linux-sandbox needs
  a user namespace, and the kernel refuses ``unshare(CLONE_NEWUSER)`` to a chrooted process.
* ``podman run --rootfs ROOT:O --privileged --runtime=runc`` (pivot_root, not chroot): Bazel's
  ``linux-sandbox`` works, with ``--incompatible_sandbox_hermetic_tmp`` (Bazel 7's default: a
  genrule saw a fresh, empty ``/tmp``). ``:O`` lays an overlay on the root, so a container
  writes nothing into the cached root. runc and lowered ulimits for the same reasons as the
  cibuildwheel image (crun fails on cgroups here; the default ulimits exceed the sandbox's).
* A container per role that lives for the session, and ``podman exec`` into it: the Bazel
  server outlives each client call, as on a workstation. PID 1 must reap orphans (a small
  Python loop): a Bazel server that stops is an orphan, and ``bazel shutdown`` waits until it
  is gone.

Directories are bind-mounted at the same path inside as outside, so the tests read outputs and
write workspaces with host paths. The containers use ``--network=host``: the nginx cache and
BuildGrid listen on 127.0.0.1 of the host.
"""

from __future__ import annotations

import shlex
import subprocess
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["Container", "container", "write_bazel_wrapper"]

_PODMAN_FLAGS = (
    "--runtime=runc", "--ulimit=nofile=20000:20000", "--ulimit=nproc=20000:20000",
    "--privileged", "--network=host",
)  # fmt: skip


# PID 1 of each container: it reaps every orphan. With `sleep infinity` as PID 1 a stopped
# Bazel server stayed a zombie, and `bazel shutdown` waited for it for minutes.
_INIT = """
import os, signal, time
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
while True:
    try:
        os.wait()
    except ChildProcessError:
        time.sleep(1)
"""


@dataclass(frozen=True, slots=True)
class Container:
    """A running container of the sid root."""

    name: str

    def exec(
        self, argv: Sequence[str], *, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["podman", "exec", self.name, *argv], capture_output=True,
                              text=True, check=False, timeout=timeout)  # fmt: skip

    def daemon(self, script: str, log: Path) -> None:
        """A long-running shell ``script`` in the container, its output in ``log`` (a mounted
        path); it ends with the container."""
        line = f"{script} > {shlex.quote(str(log))} 2>&1"
        done = subprocess.run(["podman", "exec", "-d", self.name, "sh", "-c", line],
                              capture_output=True, text=True, check=False, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr


@contextmanager
def container(
    root: Path, role: str, mounts: Sequence[Path], extra: Mapping[str, Path] | None = None
) -> Iterator[Container]:
    """A container of ``root`` with ``mounts`` at their own paths and ``extra`` (inside path:
    host path), removed at the end."""
    extra = extra or {}
    name = f"crossgo-sid-{role}-{uuid.uuid4().hex[:8]}"
    volumes = [f"--volume={path}:{path}" for path in mounts]
    volumes += [f"--volume={host}:{inside}" for inside, host in extra.items()]
    argv = ["podman", "run", "-d", "--rm", f"--name={name}", *_PODMAN_FLAGS, *volumes,
            "--rootfs", f"{root}:O", "python3", "-c", _INIT]  # fmt: skip
    for path in (*mounts, *extra.values()):
        path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"podman cannot start the sid root ({' '.join(argv)}):\n{done.stderr}")
    try:
        yield Container(name)
    finally:
        subprocess.run(["podman", "rm", "-f", "-t", "0", name], capture_output=True,
                       check=False, timeout=300)  # fmt: skip


def write_bazel_wrapper(path: Path, box: Container) -> Path:
    """A ``bazel`` for tests/support/bazel.py's helper: runs the container's Bazel 7.7.1 in the
    caller's directory, passing on HOME (each simulated user has its own)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'#!/bin/sh\nexec podman exec -i -w "$PWD" -e HOME {box.name} bazel "$@"\n',
        encoding="utf-8",
    )
    path.chmod(0o755)
    return path
