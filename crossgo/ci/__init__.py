"""``crossgo generate-ci github``: a GitHub Actions workflow for a crossgo project.

By default one Linux job builds the sdist and the wheels for the project's targets
(``[tool.crossgo] targets``) with ``crossgo wheel`` (cross-compiled: no Docker, no
emulation), caching pip and crossgo's cache (Go's module and build caches and zig's live
there). A test job per platform installs that platform's wheel from the build's ``dist``
only, then its dependencies, and runs the project's tests (``pytest tests`` when there is a
``tests/`` directory, else an import) from outside the checkout, so a flat layout's source
folder cannot stand in for the wheel. A tag publishes to PyPI with trusted publishing and
build-provenance attestations; each wheel's SBOM is kept as an artifact beside the wheels.
With ``--cibuildwheel`` it writes the cibuildwheel matrix instead, with crossgo's
``before-build`` hook. Actions are pinned by release tag (:data:`ACTIONS`). The templates are
package data (``crossgo/ci/templates``); rendering is pure (:mod:`crossgo.ci.plan` reads the
project).
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from crossgo.ci.plan import WorkflowPlan, workflow_plan
from crossgo.errors import OutputError, UsageError
from crossgo.wheel import Project

__all__ = [
    "ACTIONS",
    "CIBUILDWHEEL_VERSION",
    "WorkflowPlan",
    "render_github_workflow",
    "workflow_plan",
    "write_github_workflow",
]

CIBUILDWHEEL_VERSION: Final = "4.3.5"  # the release the hook and documentation are tested with
PYTHON: Final = "3.13"  # the CPython that builds and tests; the wheels serve every CPython 3
WORKFLOW: Final = Path(".github") / "workflows" / "wheels.yml"

# Every action the workflows use, pinned by its release tag (placeholder -> action@tag).
ACTIONS: Final[Mapping[str, str]] = {
    "CHECKOUT": "actions/checkout@v7.0.1",
    "SETUP_PYTHON": "actions/setup-python@v7.0.0",
    "CACHE": "actions/cache@v5.0.5",
    "UPLOAD_ARTIFACT": "actions/upload-artifact@v7.0.0",
    "DOWNLOAD_ARTIFACT": "actions/download-artifact@v8.0.1",
    "ATTEST_BUILD_PROVENANCE": "actions/attest-build-provenance@v4.1.0",
    "PYPI_PUBLISH": "pypa/gh-action-pypi-publish@v1.14.2",
    "CIBUILDWHEEL": f"pypa/cibuildwheel@v{CIBUILDWHEEL_VERSION}",
}


def _template(name: str) -> str:
    return (importlib.resources.files("crossgo.ci") / "templates" / name).read_text()


def _fill(template: str, values: Mapping[str, str]) -> str:
    return re.sub(r"@([A-Z_]+)@", lambda m: values[m[1]], template)


def _matrix(plan: WorkflowPlan) -> str:
    lines = []
    for runner in plan.runners:
        lines += [f"          - name: {runner.title}", f"            os: {runner.label}"]
    for target in plan.untested:
        lines.append(f"          # {target}: no GitHub-hosted runner; built, not tested")
    return "\n".join(lines)


def _cibuildwheel_test(plan: WorkflowPlan) -> str:
    lines = []
    if plan.has_tests:
        lines.append("          CIBW_TEST_REQUIRES: pytest")
    if plan.extra:
        lines.append(f"          CIBW_TEST_EXTRAS: {plan.extra}")
    # cibuildwheel runs it from a temporary directory, through cmd.exe on Windows
    command = plan.test_command("{project}/tests")
    lines += ["          CIBW_TEST_COMMAND: >-", f"            {command}"]
    return "\n".join(lines)


def _values(plan: WorkflowPlan) -> dict[str, str]:
    return {
        **ACTIONS,
        "NAME": plan.distribution,
        "PYTHON": PYTHON,
        "TARGETS": ", ".join(plan.targets),
        "MATRIX": _matrix(plan),
        "DEPENDENCIES_COMMAND": plan.dependencies_command(),
        "TEST_COMMAND": plan.test_command("${{ github.workspace }}/tests"),
        "CIBW_TEST": _cibuildwheel_test(plan),
        "SBOMS": _fill(_template("sboms.yml"), ACTIONS).rstrip("\n"),
    }


def render_github_workflow(project: Project, *, cibuildwheel: bool = False) -> str:
    values = _values(workflow_plan(project))
    template = _template("cibuildwheel.yml" if cibuildwheel else "crossgo-wheels.yml")
    return _fill(template, values)


def write_github_workflow(project: Project, *, cibuildwheel: bool = False) -> Path:
    """Write ``.github/workflows/wheels.yml`` in the project; refuse to overwrite one."""
    path = project.root / WORKFLOW
    if path.exists():
        msg = f"{path} already exists: remove it, or move it aside, to write a new one."
        raise UsageError(msg)
    text = render_github_workflow(project, cibuildwheel=cibuildwheel)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    except OSError as error:
        msg = f"cannot write {path} ({error.strerror or error})."
        raise OutputError(msg) from error
    return path
