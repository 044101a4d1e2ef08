"""PEP 660 editable installs and the metadata hooks, through pip as users run it.

``pip install -e`` of a copy of the example, then an edit of its Go code and a re-import
that shows the new behaviour (crossgo is installed in the venv, so the import rebuilds).
``pip install --dry-run --report`` of the sdist reads metadata with no ``go build``: Go is a
wrapper that logs every command it runs, and the builds are counted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from crossgo.wheel import build_sdist, load_project
from tests.conftest import REPO
from tests.support.commands import run_or_fail

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "gohash"


def _counting_go(directory: Path, base_env: Mapping[str, str]) -> tuple[Path, Path]:
    """A GOROOT whose `go` logs its arguments, one command a line, then runs the real Go
    (crossgo runs GOROOT/bin/go, so the wrapper must be there; the rest are links)."""
    found = shutil.which("go", path=base_env.get("PATH"))
    assert found is not None
    env = {**base_env, "GOTOOLCHAIN": "local"}
    root = subprocess.run(
        [found, "env", "GOROOT"], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    real = Path(root) / "bin" / "go"
    goroot = directory / "goroot"
    (goroot / "bin").mkdir(parents=True)
    for child in Path(root).iterdir():
        if child.name != "bin":
            (goroot / child.name).symlink_to(child)
    log = directory / "go-commands.log"
    wrapper = goroot / "bin" / "go"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, log


def _env(base_env: Mapping[str, str], venv: Path, go: Path, cache: Path) -> dict[str, str]:
    dropped = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CROSSGO_GO_RUNTIMES"}
    env = {key: value for key, value in base_env.items() if key not in dropped}
    return {
        **env,
        "PATH": f"{venv / 'bin'}:{base_env.get('PATH', '')}",
        "CROSSGO_GO": str(go),
        "CROSSGO_CACHE_DIR": str(cache),
    }


def _run(argv: list[str], env: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        argv, env=dict(env), cwd=cwd, capture_output=True, text=True, check=False, timeout=900
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done


def _builds(log: Path) -> list[str]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [line for line in lines if line.split()[:1] == ["build"]]


def test_reading_metadata_builds_nothing(
    tmp_path: Path, wheelhouse: Path, crossgo_cache: Path, base_env: dict[str, str]
) -> None:
    sdist = build_sdist(load_project(EXAMPLE, environ={}), tmp_path / "sdist")
    venv = tmp_path / "venv"
    run_or_fail([sys.executable, "-m", "venv", str(venv)], tmp_path)
    go, log = _counting_go(tmp_path, base_env)
    env = _env(base_env, venv, go, crossgo_cache)
    report = tmp_path / "report.json"
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--find-links", str(wheelhouse)]
    _run([*pip, "--dry-run", "--report", str(report), str(sdist)], env, tmp_path)
    installs = json.loads(report.read_text())["install"]
    assert [item["metadata"]["name"] for item in installs] == ["gohash"]
    assert _builds(log) == []  # pip read the metadata through prepare_metadata_for_build_wheel
    # The counter counts: a real install runs go build once.
    _run([*pip, "--no-deps", str(sdist)], env, tmp_path)
    assert len(_builds(log)) == 1


def test_editable_install_picks_up_a_changed_go_file(
    tmp_path: Path, wheelhouse: Path, crossgo_cache: Path, base_env: dict[str, str]
) -> None:
    project = tmp_path / "gohash"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("dist"))
    venv = tmp_path / "venv"
    run_or_fail([sys.executable, "-m", "venv", str(venv)], tmp_path)
    go, log = _counting_go(tmp_path, base_env)
    env = _env(base_env, venv, go, crossgo_cache)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--find-links", str(wheelhouse)]
    _run([*pip, "crossgo"], env, tmp_path)  # so that an import can rebuild
    _run([*pip, "-e", str(project)], env, tmp_path)
    use = (
        "import gohash, gohash._gohash as g; print(gohash.add(40, 2), gohash.__file__, g.__file__)"
    )
    first = _run([python, "-c", use], env, tmp_path).stdout.split()
    assert first[:2] == ["42", str(project / "src" / "gohash" / "__init__.py")]
    # The library and its bindings sit next to __init__.py, where a wheel puts them.
    assert first[2] == str(project / "src" / "gohash" / "_gohash.py")
    assert (project / "src" / "gohash" / "libgohash.so").is_file()
    builds = len(_builds(log))
    main = project / "go" / "main.go"
    main.write_text(main.read_text().replace("return a + b }", "return a + b + 1000 }"))
    assert _run([python, "-c", use], env, tmp_path).stdout.split()[0] == "1042"
    assert len(_builds(log)) == builds + 1
    _run([python, "-c", use], env, tmp_path)  # unchanged sources: no rebuild
    assert len(_builds(log)) == builds + 1
