"""Reading a project: layout, metadata, the archive timestamp, what the sdist holds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from crossgo.backend import wheel_target
from crossgo.errors import UsageError
from crossgo.targets import host_target
from crossgo.wheel.archive import ZIP_EPOCH
from crossgo.wheel.project import load_project, source_date_epoch
from crossgo.wheel.sdist import sdist_files

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gohash"

PYPROJECT = """\
[project]
name = "Demo-Lib"
version = "1.0"
{extra}
[tool.crossgo]
go-package = "go"
"""


def make_project(root: Path, *, extra: str = "", package: str = "demo_lib") -> Path:
    (root / "go").mkdir(parents=True)
    (root / "go" / "go.mod").write_text("module example.com/demo\n\ngo 1.22\n")
    (root / "go" / "main.go").write_text('package main\n\nimport "C"\n\nfunc main() {}\n')
    (root / "src" / package).mkdir(parents=True)
    (root / "src" / package / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(PYPROJECT.format(extra=extra))
    return root


def test_layout_defaults(tmp_path: Path) -> None:
    project = load_project(make_project(tmp_path), environ={})
    assert project.distribution == "demo_lib"
    assert project.python_package == "demo_lib"  # from the project name
    assert project.python_root == tmp_path / "src"  # src/<package> exists
    assert project.go_packages == (tmp_path / "go",)
    assert str(project.library_dir) == "demo_lib"


def test_a_subpackage_holds_the_libraries(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    with (root / "pyproject.toml").open("a") as handle:
        handle.write('python-package = "demo_lib._native"\n')
    project = load_project(root, environ={})
    assert (project.top_level, str(project.library_dir)) == ("demo_lib", "demo_lib/_native")


def test_a_missing_python_package_names_the_keys(tmp_path: Path) -> None:
    root = make_project(tmp_path, package="other")
    with pytest.raises(UsageError, match=r"demo_lib is not at .*python-package.*python-source"):
        load_project(root, environ={})


def test_a_missing_go_package_names_the_key(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    shutil.rmtree(root / "go")
    with pytest.raises(UsageError, match=r"tool\.crossgo\.go-package 'go' is not a directory"):
        load_project(root, environ={})


def test_a_dynamic_version_is_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    text = (root / "pyproject.toml").read_text().replace('version = "1.0"', 'dynamic = ["version"]')
    (root / "pyproject.toml").write_text(text)
    with pytest.raises(UsageError, match=r"declares version dynamic"):
        load_project(root, environ={})


def test_bad_project_metadata_is_a_usage_error(tmp_path: Path) -> None:
    root = make_project(tmp_path, extra='dependencies = ["not a requirement!!"]\n')
    with pytest.raises(UsageError, match=r"pyproject\.toml: .*dependencies"):
        load_project(root, environ={})


def test_no_pyproject(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"has no pyproject\.toml"):
        load_project(tmp_path, environ={})


def test_license_files_default_to_pep_639s_globs(tmp_path: Path) -> None:
    root = make_project(tmp_path, extra='license = "MIT"\n')
    (root / "LICENSE.txt").write_text("MIT\n")
    (root / "NOTICE").write_text("notice\n")
    project = load_project(root, environ={})
    assert [str(p) for p in project.metadata.license_files or []] == ["LICENSE.txt", "NOTICE"]
    assert b"License-File: LICENSE.txt" in project.metadata.as_rfc822().as_bytes()


def test_settings_come_from_the_environment_too(tmp_path: Path) -> None:
    project = load_project(make_project(tmp_path), environ={"CROSSGO_STRIP": "false"})
    assert project.settings.strip is False


def test_source_date_epoch(tmp_path: Path) -> None:
    assert source_date_epoch(tmp_path, {"SOURCE_DATE_EPOCH": "1700000000"}) == 1_700_000_000
    assert source_date_epoch(tmp_path, {"SOURCE_DATE_EPOCH": "5"}) == ZIP_EPOCH  # zip minimum
    assert source_date_epoch(tmp_path, {}) == ZIP_EPOCH  # not a git repository
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH must be seconds"):
        source_date_epoch(tmp_path, {"SOURCE_DATE_EPOCH": "yesterday"})


def test_source_date_epoch_is_the_last_commit_in_a_repository(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    (tmp_path / "file").write_text("x")
    env = {
        "GIT_AUTHOR_DATE": "@1600000000 +0000",
        "GIT_COMMITTER_DATE": "@1600000000 +0000",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(tmp_path),
    }
    for argv in (["init", "-q"], ["add", "file"], ["commit", "-q", "-m", "one"]):
        subprocess.run([git, "-C", str(tmp_path), *argv], env=env, check=True)
    assert source_date_epoch(tmp_path, {}) == 1_600_000_000


def test_sdist_files(tmp_path: Path) -> None:
    root = make_project(tmp_path, extra='readme = "README.md"\n')
    (root / "README.md").write_text("# demo\n")
    (root / "go" / "vendor").mkdir()
    (root / "go" / "vendor" / "modules.txt").write_text("")
    (root / "go" / "notes.tmp").write_text("")
    (root / "src" / "demo_lib" / "__pycache__").mkdir()
    (root / "src" / "demo_lib" / "__pycache__" / "x.pyc").write_text("")
    (root / "tests").mkdir()
    (root / "tests" / "test_demo.py").write_text("")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("")
    relative = {
        path.relative_to(root).as_posix()
        for path in sdist_files(
            load_project(
                root,
                config={"sdist-include": "tests/*.py", "sdist-exclude": "*.tmp"},
                environ={},
            )
        )
    }
    assert relative == {
        "pyproject.toml",
        "README.md",
        "go/go.mod",
        "go/main.go",
        "go/vendor/modules.txt",  # the project's own vendor/, kept as it is
        "src/demo_lib/__init__.py",
        "tests/test_demo.py",
    }
    vendored = load_project(root, config={"vendor": "true"}, environ={})
    assert root / "go" / "vendor" / "modules.txt" not in sdist_files(vendored)  # made afresh


def test_the_backend_builds_for_this_machine_unless_told() -> None:
    assert wheel_target(load_project(EXAMPLE, environ={}), {}).target == host_target()
    told = load_project(EXAMPLE, config={"target": "linux-aarch64"}, environ={})
    assert wheel_target(told, {}).target.name == "linux-aarch64"
    assert wheel_target(told, {}).source == "-C target"
    from_env = load_project(EXAMPLE, environ={"CROSSGO_TARGET": "win-64"})
    assert wheel_target(from_env, {}).target.name == "win-64"
    assert wheel_target(from_env, {}).source == "CROSSGO_TARGET"
    several = load_project(EXAMPLE, config={"targets": "linux-64,win-64"}, environ={})
    with pytest.raises(UsageError, match="a PEP 517 build makes one wheel"):
        wheel_target(several, {})


def test_the_backend_follows_the_environment_and_an_explicit_target_wins() -> None:
    project = load_project(EXAMPLE, environ={})
    conda = {"CONDA_BUILD": "1", "target_platform": "linux-aarch64"}
    assert wheel_target(project, conda).target.name == "linux-aarch64"
    told = load_project(EXAMPLE, config={"target": "win-64"}, environ={})
    choice = wheel_target(told, conda)
    assert choice.target.name == "win-64"
    assert "linux-aarch64" in choice.notes[0]
