"""A real Bazel for the tests: one private output root, one server per workspace.

Debian's ``bazel-bootstrap`` (Bazel 4.2.3) runs offline. The output root lives in the test
cache (``CROSSGO_TEST_CACHE``), and the workspaces sit at fixed places in it, so a second
run finds Bazel's action cache warm. Debian's system rc turns on ``--sandbox_debug``; every
command here turns it off again and leaves no ``bazel-*`` links in the workspace.
:meth:`Bazel.shutdown` stops each server this helper started.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

INSTALL_HINT = "apt-get install bazel-bootstrap (Debian's Bazel 4.2.3; it runs offline)"

# --max_idle_secs: a server a crashed session leaves behind stops by itself.
_STARTUP = ("--nohome_rc", "--max_idle_secs=900")
_QUIET = ("--nosandbox_debug", "--noshow_progress", "--curses=no", "--color=no")
_BUILD_LIKE = {"build", "aquery", "cquery", "run", "info"}
_PROCESSES = re.compile(r"INFO: (\d+) process(?:es)?: (?:(\d+) internal)?")

# Files whose fixture names keep them out of this repository's own workspace.
_FIXTURE_NAMES = {
    "WORKSPACE.fixture": "WORKSPACE",
    "BUILD.fixture": "BUILD.bazel",
    "MODULE.bazel.fixture": "MODULE.bazel",
    "bazelrc.fixture": ".bazelrc",
}
CHECKOUT_PLACEHOLDER = "@CROSSGO_CHECKOUT@"

# What the root workspace needs of a checkout: its Bazel files, crossgo, the rules, the example.
_CHECKOUT_FILES = ("WORKSPACE", "MODULE.bazel", "BUILD.bazel", ".bazelrc", ".bazelignore")
_CHECKOUT_DIRS = ("crossgo", "toolchains", "examples/gohash")

# The wheels crossgo's rules download, as toolchains/bazel/private/wheels.bzl pins them.
_WHEELS_BZL = (
    Path(__file__).resolve().parents[2] / "toolchains" / "bazel" / "private" / "wheels.bzl"
)
_PIN = re.compile(
    r'project = "(?P<project>[^"]+)",\s*version = "(?P<version>[^"]+)",\s*'
    r'filename = "(?P<filename>[^"]+)",\s*url = "[^"]+",\s*sha256 = "(?P<sha256>[0-9a-f]+)"'
)


def pinned_wheels() -> list[dict[str, str]]:
    """project, version, filename and sha256 of each wheel wheels.bzl pins."""
    return [match.groupdict() for match in _PIN.finditer(_WHEELS_BZL.read_text(encoding="utf-8"))]


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def bazel_distdir(cache: Path) -> Path:
    """A directory for Bazel's --distdir holding every wheel crossgo's rules download, so
    that fetching needs no network: `pip download --no-deps` of each pin (pip's cache
    serves them), checked against the pinned sha256. Made once; reused while it matches."""
    distdir = cache / "bazel" / "distdir"
    pins = pinned_wheels()
    missing = [pin for pin in pins if not (distdir / pin["filename"]).is_file()]
    if missing:
        distdir.mkdir(parents=True, exist_ok=True)
        specs = [f"{pin['project']}=={pin['version']}" for pin in missing]
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest",
             str(distdir), *specs],
            check=True, timeout=1800,
        )  # fmt: skip
    for pin in pins:
        path = distdir / pin["filename"]
        if not path.is_file() or _sha256(path) != pin["sha256"]:
            msg = f"{path}: not the wheel wheels.bzl pins (sha256 {pin['sha256']})"
            raise AssertionError(msg)
    return distdir


@dataclass(frozen=True, slots=True)
class BazelResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def executed(self) -> int:
        """Spawns that ran: the last ``INFO: N processes: M internal, ...`` line, N - M."""
        found = _PROCESSES.findall(self.stderr)
        if not found:
            msg = f"no processes line in Bazel's output:\n{self}"
            raise AssertionError(msg)
        total, internal = found[-1]
        return int(total) - int(internal or 0)

    def __str__(self) -> str:
        return f"$ {' '.join(self.argv)}\nexit {self.returncode}\n{self.stdout}{self.stderr}"


def find_bazel() -> Path:
    found = shutil.which("bazel")
    if found is None:
        pytest.fail(f"bazel is not installed; these tests need a real Bazel: {INSTALL_HINT}")
    return Path(found)


@dataclass(slots=True)
class Bazel:
    """``bazel`` with a private output root; each workspace gets its own server."""

    binary: Path
    output_user_root: Path
    env: Mapping[str, str]
    distdir: Path | None = None
    _used: set[Path] = field(default_factory=set)
    _info: dict[tuple[Path, str], str] = field(default_factory=dict)

    def __call__(self, workspace: Path, command: str, *args: str) -> BazelResult:
        startup = (f"--output_user_root={self.output_user_root}", *_STARTUP)
        offline = (f"--distdir={self.distdir}",) if self.distdir else ()
        flags = (*_QUIET, "--symlink_prefix=/", *offline) if command in _BUILD_LIKE else ()
        argv = (str(self.binary), *startup, command, *flags, *args)
        self._used.add(workspace)
        done = subprocess.run(
            argv, cwd=workspace, env=dict(self.env), capture_output=True, text=True,
            timeout=3600, check=False,
        )  # fmt: skip
        return BazelResult(argv, done.returncode, done.stdout, done.stderr)

    def with_env(self, **variables: str) -> Bazel:
        """Another helper, for other workspaces, whose Bazel client runs with more variables."""
        return Bazel(self.binary, self.output_user_root, {**self.env, **variables}, self.distdir)

    def build(self, workspace: Path, *args: str) -> BazelResult:
        """``bazel build ARGS``; the test fails with Bazel's output if the build does."""
        result = self(workspace, "build", *args)
        if result.returncode != 0:
            pytest.fail(f"bazel build failed:\n{result}")
        return result

    def info(self, workspace: Path, key: str) -> Path:
        if (workspace, key) not in self._info:
            result = self(workspace, "info", key)
            assert result.returncode == 0, str(result)
            self._info[workspace, key] = result.stdout.strip()
        return Path(self._info[workspace, key])

    def write_user_bazelrc(self, workspace: Path) -> str:
        """What docs/bazel.md tells users to do: fetch @crossgo_host, then keep the
        sandbox lines it wrote in user.bazelrc (which the workspace's .bazelrc imports)."""
        self.build(workspace, "@crossgo_host//:crossgo.bazelrc")
        lines = (self.info(workspace, "output_base") / "external" / "crossgo_host").joinpath(
            "crossgo.bazelrc"
        )
        text = lines.read_text(encoding="utf-8")
        (workspace / "user.bazelrc").write_text(text, encoding="utf-8")
        return text

    def shutdown(self) -> None:
        for workspace in sorted(self._used):
            if workspace.is_dir():
                self(workspace, "shutdown")
        self._used.clear()


def _copy_tree(source: Path, destination: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "dist", "build", "-.o", "*.so")
    shutil.copytree(source, destination, ignore=ignore, dirs_exist_ok=True)


def fresh_directory(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def prepare_checkout(repo: Path, destination: Path) -> Path:
    """A copy of this repository's root workspace: what a second checkout would hold."""
    fresh_directory(destination)
    for name in _CHECKOUT_FILES:
        shutil.copy2(repo / name, destination / name)
    for name in _CHECKOUT_DIRS:
        _copy_tree(repo / name, destination / name)
    return destination


def prepare_fixture(
    source: Path, destination: Path, checkout: Path, extra: Iterable[tuple[Path, str]] = ()
) -> Path:
    """A fixture workspace with its Bazel files named, pointing at ``checkout`` as @crossgo;
    ``extra`` copies more directories in (source, relative destination)."""
    fresh_directory(destination)
    _copy_tree(source, destination)
    for path in sorted(destination.rglob("*.fixture")):
        target = path.with_name(_FIXTURE_NAMES[path.name])
        text = path.read_text(encoding="utf-8").replace(CHECKOUT_PLACEHOLDER, str(checkout))
        target.write_text(text, encoding="utf-8")
        path.unlink()
    for directory, name in extra:
        _copy_tree(directory, destination / name)
    return destination
