"""Shared fixtures: real toolchains, real emulators, one warm crossgo cache per session.

``CROSSGO_TEST_CACHE`` (default ``~/.cache/crossgo-tests``) keeps the emulators' sysroots,
the wine prefix and crossgo's Go and zig caches between runs; a fresh machine fills it once.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

import crossgo
from tests.support import emulation
from tests.support.background import start_niced
from tests.support.commands import run_or_fail
from tests.support.free_threaded import free_threaded_python
from tests.support.free_threaded_aarch64 import free_threaded_aarch64

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_GO = REPO / "examples" / "gohash" / "go"
PACKAGES = Path(__file__).resolve().parent / "packages"

# pytester runs the skip policy's own tests; the policy turns skips into failures in CI.
pytest_plugins = ["pytester", "tests.support.skip_policy"]


def pytest_configure(config: pytest.Config) -> None:
    """Children must get Ctrl-C's default: a suite started with SIGINT ignored (under nohup,
    or `pytest &` in a script) would pass SIG_IGN on to every program it starts, and the
    tests that interrupt a build or a Go call would see nothing happen. A handled signal is
    reset to the default in a child by exec; an ignored one is not."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the free-threaded CPythons' builds now if a collected test needs them (a no-op
    once they are in the cache): see tests/support/background.py."""
    wanted = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    if "free_threaded" not in wanted or session.config.option.collectonly:
        return
    cache = _test_cache_dir()

    def build() -> None:
        python = free_threaded_python(cache)
        if "aarch64_free_threaded" in wanted:
            free_threaded_aarch64(cache, python)

    start_niced("free-threaded-cpython", build)


def _test_cache_dir() -> Path:
    root = Path(os.environ.get("CROSSGO_TEST_CACHE", Path.home() / ".cache" / "crossgo-tests"))
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="session")
def test_cache() -> Path:
    return _test_cache_dir()


@pytest.fixture(scope="session")
def crossgo_cache(test_cache: Path) -> Path:
    """crossgo's cache shared by the whole session, so each target's std builds once."""
    return test_cache / "crossgo"


@pytest.fixture(scope="session")
def base_env(test_cache: Path) -> dict[str, str]:
    """The environment builds run in: this process's, minus anything crossgo-specific, with
    this Python's bin directory first on PATH (as in an activated venv, or nox), so that
    crossgo builds with the dev extra's pinned Go (tests/support/pinned.py)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSGO_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["ZIG_GLOBAL_CACHE_DIR"] = str(test_cache / "zig")
    return env


@pytest.fixture(scope="session")
def aarch64_python(test_cache: Path) -> emulation.AArch64Python:
    return emulation.aarch64_python(test_cache)


@pytest.fixture(scope="session")
def windows_runner(test_cache: Path) -> emulation.WindowsRunner:
    return emulation.windows_runner(test_cache)


@pytest.fixture(scope="session")
def free_threaded(test_cache: Path) -> Path:
    """A free-threaded CPython 3.13 (``python3.13t``), built from Debian's source once."""
    return free_threaded_python(test_cache)


def run_crossgo(
    *args: str, env: Mapping[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI as users run it: a separate process, exit code and streams captured."""
    return subprocess.run(
        [sys.executable, "-m", "crossgo", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


@pytest.fixture
def cli_env(base_env: dict[str, str], crossgo_cache: Path) -> dict[str, str]:
    return {**base_env, "CROSSGO_CACHE_DIR": str(crossgo_cache)}


BuildFn = Callable[..., crossgo.BuildResult]


@pytest.fixture
def build_in(tmp_path: Path, crossgo_cache: Path, base_env: dict[str, str]) -> Iterator[BuildFn]:
    """build(target, package_dir=example, env_extra=..., **request fields) -> BuildResult."""

    def run(
        target: str,
        package_dir: Path = EXAMPLE_GO,
        env: Mapping[str, str] | None = None,
        **fields: object,
    ) -> crossgo.BuildResult:
        fields.setdefault("output_dir", tmp_path / "out" / target)
        fields.setdefault("cache_dir", crossgo_cache)
        request = crossgo.BuildRequest(package_dir=package_dir, target=target, **fields)  # type: ignore[arg-type]
        return crossgo.build(request, env=base_env if env is None else env)

    yield run


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """crossgo's own wheel, built once from this checkout, for `pip install --find-links` of
    projects whose build requirement is `crossgo`."""
    house = tmp_path_factory.mktemp("wheelhouse")
    run_or_fail(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(REPO), "-w", str(house)],
        cwd=house,
    )
    return house


@pytest.fixture
def package_copy(tmp_path: Path) -> Callable[[Path, str], Path]:
    def copy(source: Path, name: str) -> Path:
        destination = tmp_path / name
        shutil.copytree(source, destination)
        return destination

    return copy
