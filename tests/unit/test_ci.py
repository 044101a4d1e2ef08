"""What ``crossgo generate-ci github`` writes (pure rendering; the workflows are run in
tests/integration/test_generated_ci.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from crossgo.ci import ACTIONS, render_github_workflow, workflow_plan
from crossgo.errors import UsageError
from crossgo.wheel import load_project

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "gohash"
GOEXT = REPO / "tests" / "packages" / "goext"  # extension modules only


def project_with(tmp_path: Path, old: str = "", new: str = "", *, tests: bool = False) -> Path:
    root = tmp_path / "gohash"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("dist", "conda", ".github"))
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(old, new))
    if tests:
        (root / "tests").mkdir()
    return root


def workflow(root: Path, *, cibuildwheel: bool = False) -> dict[str, Any]:
    text = render_github_workflow(load_project(root, environ={}), cibuildwheel=cibuildwheel)
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    return document


def test_the_test_matrix_follows_the_projects_targets(tmp_path: Path) -> None:
    plan = workflow_plan(load_project(EXAMPLE, environ={}))
    assert plan.targets == ("linux-64", "linux-aarch64", "osx-arm64", "win-64")
    assert [r.label for r in plan.runners] == [
        "ubuntu-latest", "ubuntu-24.04-arm", "macos-15", "windows-latest",
    ]  # fmt: skip
    line = 'targets = ["linux-64", "linux-aarch64", "osx-arm64", "win-64"]'
    every = workflow_plan(load_project(project_with(tmp_path, line, 'targets = "all"'), environ={}))
    assert "linux-ppc64le" in every.targets and every.untested == ("linux-ppc64le",)
    assert len(every.runners) == 6  # linux x2, macOS x2, Windows x2
    native = workflow_plan(load_project(project_with(tmp_path / "n", line, ""), environ={}))
    assert native.targets == ("linux-64",) and [r.label for r in native.runners] == [
        "ubuntu-latest"
    ]


def test_the_build_job_builds_the_projects_targets_and_caches() -> None:
    steps = workflow(EXAMPLE)["jobs"]["build"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert "crossgo wheel -o dist" in runs  # [tool.crossgo] targets, not --target all
    (cache,) = [step for step in steps if step.get("uses", "").startswith("actions/cache@")]
    assert "hashFiles('**/go.sum')" in cache["with"]["key"]
    assert "steps.crossgo.outputs.version" in cache["with"]["key"]
    python = [step for step in steps if step.get("uses", "").startswith("actions/setup-python@")]
    assert python[0]["with"]["cache"] == "pip"


def test_the_test_job_installs_from_dist_only_and_tests_outside_the_checkout(
    tmp_path: Path,
) -> None:
    steps = workflow(EXAMPLE)["jobs"]["test"]["steps"]
    runs = [step for step in steps if "run" in step]
    assert runs[0]["run"].strip() == (
        "python -m pip install --no-index --no-deps --only-binary :all: --find-links dist gohash"
    )
    assert runs[1]["run"].strip() == "python -m pip install gohash"
    assert runs[2]["working-directory"] == "${{ runner.temp }}"
    assert runs[2]["run"].strip() == 'python -c "import gohash"'
    extra = '[project.optional-dependencies]\ntest = ["toml"]\n\n[tool.crossgo]'
    root = project_with(tmp_path, "[tool.crossgo]", extra, tests=True)
    runs = [s for s in workflow(root)["jobs"]["test"]["steps"] if "run" in s]
    assert runs[1]["run"].strip() == 'python -m pip install "gohash[test]" pytest'
    assert runs[2]["run"].strip() == (
        'python -m pytest --import-mode=importlib "${{ github.workspace }}/tests"'
    )


@pytest.mark.parametrize("cibuildwheel", [False, True])
def test_every_action_is_pinned_to_a_release_tag(cibuildwheel: bool) -> None:
    text = render_github_workflow(load_project(EXAMPLE, environ={}), cibuildwheel=cibuildwheel)
    used = set(re.findall(r"uses: (\S+)", text))
    assert used <= set(ACTIONS.values())
    for action in used:
        assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+\.\d+\.\d+", action), action


@pytest.mark.parametrize("cibuildwheel", [False, True])
def test_publishing_attests_and_keeps_the_sboms(cibuildwheel: bool) -> None:
    jobs = workflow(EXAMPLE, cibuildwheel=cibuildwheel)["jobs"]
    publish = jobs["publish"]
    assert publish["permissions"] == {
        "contents": "read", "id-token": "write", "attestations": "write",
    }  # fmt: skip
    uses = [step["uses"].split("@")[0] for step in publish["steps"]]
    assert uses == [
        "actions/download-artifact", "actions/attest-build-provenance",
        "pypa/gh-action-pypi-publish",
    ]  # fmt: skip
    assert publish["steps"][1]["with"]["subject-path"] == "dist/*"
    keeper = jobs["sbom" if cibuildwheel else "build"]
    uploads = [s["with"]["name"] for s in keeper["steps"] if "upload-artifact" in s.get("uses", "")]
    assert "sbom" in uploads
    assert "sbom" not in str(publish)  # PyPI gets the wheels and the sdist only


def windows_commands(root: Path) -> list[str]:
    """Every command a Windows runner hands to a shell, in both workflows."""
    test_job = workflow(root)["jobs"]["test"]
    commands = [step["run"] for step in test_job["steps"] if "run" in step]
    cibw = workflow(root, cibuildwheel=True)["jobs"]["wheels"]["steps"][1]["env"]
    return [*commands, cibw["CIBW_BEFORE_BUILD"], cibw["CIBW_TEST_COMMAND"]]


def test_windows_commands_never_quote_with_single_quotes(tmp_path: Path) -> None:
    """cmd.exe passes single quotes through to the program (cibuildwheel runs its commands
    with shell=True): only double quotes quote in both bash and cmd."""
    with_tests = project_with(tmp_path, tests=True)
    for command in windows_commands(EXAMPLE) + windows_commands(with_tests):
        assert "'" not in command, command
        assert not re.search(r"\$\w|%\w+%", command), command  # no shell's variables either


def test_a_project_name_that_is_no_import_name_says_what_to_set(tmp_path: Path) -> None:
    root = project_with(tmp_path, 'name = "gohash"', 'name = "3dhash"')
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text.replace('python-package = "gohash"', ""))
    with pytest.raises(
        UsageError, match=r"add python-package = \"<import name>\" to \[tool\.crossgo\]"
    ):
        load_project(root, environ={})


def test_an_extension_module_that_is_no_import_name_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "goext"
    shutil.copytree(GOEXT, root)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"goext._core"', '"goext.class"'))
    with pytest.raises(UsageError, match=r"extension-modules names 'goext\.class'"):
        workflow_plan(load_project(root, environ={}))
    plan = workflow_plan(load_project(GOEXT, environ={}))
    assert plan.test_command("tests") == 'python -c "import goext._core"'


def test_targets_no_hosted_runner_can_test_are_refused(tmp_path: Path) -> None:
    line = 'targets = ["linux-64", "linux-aarch64", "osx-arm64", "win-64"]'
    root = project_with(tmp_path, line, 'targets = ["linux-ppc64le"]')
    with pytest.raises(UsageError, match=r"linux-ppc64le\) runs on a GitHub-hosted runner"):
        workflow_plan(load_project(root, environ={}))
