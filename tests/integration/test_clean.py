"""`crossgo clean` on a real cache: crossgo's wrappers and probes, and a module cache Go
made read-only, removed by an unprivileged user (root would ignore the permissions)."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from crossgo.cache import CACHEDIR_TAG
from tests.conftest import EXAMPLE_GO, REPO, run_crossgo
from tests.support import goproxy

pytestmark = pytest.mark.slow

NOBODY = 65534


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A directory an unprivileged user can reach (pytest's tmp_path is root-only)."""
    directory = Path(tempfile.mkdtemp(prefix="crossgo-clean-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def as_nobody(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is needed to run as an unprivileged user")
    return subprocess.run(
        [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
         sys.executable, "-m", "crossgo", *args],
        cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def test_clean_a_real_cache(shared_tmp: Path, base_env: dict[str, str]) -> None:
    cache = shared_tmp / "cache"
    made = run_crossgo("env", "-t", "linux-64", "--cache-dir", str(cache), str(EXAMPLE_GO),
                       env=base_env)  # fmt: skip
    assert made.returncode == 0, made.stderr  # wrappers, probes and the cache tag
    package = goproxy.consumer(shared_tmp / "consumer")
    proxy = goproxy.write_proxy(shared_tmp / "proxy")
    go = shutil.which("go", path=base_env["PATH"])
    assert go
    goproxy.tidy(package, go, goproxy.go_env(base_env, cache, proxy))
    module = cache / "go" / "path" / "pkg" / "mod" / f"{goproxy.DEP_MODULE}@{goproxy.DEP_VERSION}"
    assert not module.stat().st_mode & stat.S_IWUSR  # Go made it read-only
    subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(cache)], check=True)

    dry = as_nobody("clean", "--dry-run", "--cache-dir", str(cache), env=base_env)
    assert dry.returncode == 0, dry.stderr
    assert f"would remove {cache / 'go'} (" in dry.stdout
    assert f"would remove {cache / 'wrappers'} (" in dry.stdout
    assert "would free" in dry.stdout and module.is_dir()

    done = as_nobody("clean", "--cache-dir", str(cache), env=base_env)
    assert done.returncode == 0, done.stderr
    assert f"freed {dry.stdout.rsplit('would free ', 1)[1].split(' in ')[0]}" in done.stdout
    assert [path.name for path in cache.iterdir()] == [CACHEDIR_TAG]
    again = as_nobody("clean", "--cache-dir", str(cache), env=base_env)
    assert again.returncode == 0 and "nothing to clean" in again.stdout


def test_clean_refuses_a_directory_crossgo_did_not_make(
    tmp_path: Path, base_env: dict[str, str]
) -> None:
    home = tmp_path / "home"
    (home / "go" / "pkg" / "mod").mkdir(parents=True)
    (home / ".profile").write_text("")
    done = run_crossgo("clean", "--cache-dir", str(home), env=base_env)
    assert done.returncode == 2
    assert f"refusing to clean {home}" in done.stderr and "Traceback" not in done.stderr
    assert (home / "go" / "pkg" / "mod").is_dir() and (home / ".profile").exists()
