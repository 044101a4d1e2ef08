"""``crossgo generate-ci github``: a GitHub Actions workflow for a crossgo project.

By default one Linux job builds the sdist and every wheel with ``crossgo wheel --target
all`` (cross-compiled: no Docker, no emulation); test jobs on Linux x86_64 and arm64, macOS
arm64 and Windows each install the wheel for their platform and run the project's tests
(``pytest tests`` when the project has a ``tests/`` directory, else an import); a tag
publishes everything to PyPI with trusted publishing. With ``--cibuildwheel`` it writes the
cibuildwheel matrix instead, with crossgo's ``before-build`` hook. The templates are
package data (``crossgo/ci/templates``); rendering is pure.
"""

from __future__ import annotations

import importlib.resources
import re
import shlex
from pathlib import Path
from typing import Final

from crossgo.errors import OutputError, UsageError
from crossgo.wheel import Project

__all__ = ["CIBUILDWHEEL_VERSION", "render_github_workflow", "write_github_workflow"]

CIBUILDWHEEL_VERSION: Final = "4.3.5"  # the release the hook and documentation are tested with
WORKFLOW: Final = Path(".github") / "workflows" / "wheels.yml"


def _test_commands(project: Project) -> tuple[str, str]:
    """(the test job's command, cibuildwheel's test-command) for the project."""
    if (project.root / "tests").is_dir():
        return "python -m pip install pytest && python -m pytest tests", "pytest {project}/tests"
    check = shlex.quote(f"import {project.python_package}")
    return f"python -c {check}", f"python -c {check}"


def render_github_workflow(project: Project, *, cibuildwheel: bool = False) -> str:
    test, cibw_test = _test_commands(project)
    values = {
        "NAME": project.metadata.name,
        "TEST_COMMAND": test,
        "CIBW_TEST_COMMAND": cibw_test,
        "CIBW_VERSION": CIBUILDWHEEL_VERSION,
    }
    name = "cibuildwheel.yml" if cibuildwheel else "crossgo-wheels.yml"
    template = (importlib.resources.files("crossgo.ci") / "templates" / name).read_text()
    text = re.sub(r"@([A-Z_]+)@", lambda m: values[m[1]], template)
    if "CIBW_TEST_REQUIRES" not in text and cibw_test.startswith("pytest"):
        text = text.replace(
            "          CIBW_TEST_COMMAND:",
            "          CIBW_TEST_REQUIRES: pytest\n          CIBW_TEST_COMMAND:",
        )
    return text


def write_github_workflow(project: Project, *, cibuildwheel: bool = False) -> Path:
    """Write ``.github/workflows/wheels.yml`` in the project; refuse to overwrite one."""
    path = project.root / WORKFLOW
    if path.exists():
        msg = f"{path} already exists: remove it, or move it aside, to write a new one."
        raise UsageError(msg)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_github_workflow(project, cibuildwheel=cibuildwheel))
    except OSError as error:
        msg = f"cannot write {path} ({error.strerror or error})."
        raise OutputError(msg) from error
    return path
