"""What a generated workflow needs to know about a project: where its wheels are tested,
what each test job installs, and the command that tests the installed wheel.

Pure: it reads a loaded :class:`~crossgo.wheel.Project` and nothing else. Every command it
writes runs the same in bash and in cmd.exe (cibuildwheel runs its commands with
``shell=True``, so through cmd.exe on Windows): arguments are quoted with double quotes or
not at all, never with single quotes, and nothing relies on a shell's globbing or
variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from packaging.utils import canonicalize_name

from crossgo.errors import UsageError
from crossgo.wheel import Project, expand_targets
from crossgo.wheel.project import is_import_name

__all__ = ["BUILD_TARGET", "RUNNERS", "Runner", "WorkflowPlan", "workflow_plan"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Runner:
    """A GitHub-hosted runner that installs and tests one platform's wheel."""

    label: str  # what runs-on names
    title: str  # what the job is called


# The GitHub-hosted runner each target's wheel is tested on. universal2 installs on an arm64
# Mac like osx-arm64's wheel; linux-ppc64le has no hosted runner (built, not tested).
RUNNERS: Final[Mapping[str, Runner]] = {
    "linux-64": Runner(label="ubuntu-latest", title="Linux x86_64"),
    "linux-aarch64": Runner(label="ubuntu-24.04-arm", title="Linux arm64"),
    "osx-64": Runner(label="macos-15-intel", title="macOS x86_64"),
    "osx-arm64": Runner(label="macos-15", title="macOS arm64"),
    "osx-universal2": Runner(label="macos-15", title="macOS arm64"),
    "win-64": Runner(label="windows-latest", title="Windows x86_64"),
    "win-arm64": Runner(label="windows-11-arm", title="Windows arm64"),
}
BUILD_TARGET: Final = "linux-64"  # what `native` is on the build job's ubuntu-latest
_TEST_EXTRAS: Final = ("test", "tests")


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowPlan:
    """How a project's wheels are installed and tested, wherever a workflow runs them."""

    distribution: str  # the name pip installs
    targets: tuple[str, ...]  # [tool.crossgo] targets, resolved as the build job resolves them
    runners: tuple[Runner, ...]  # one test job each
    untested: tuple[str, ...]  # targets no GitHub-hosted runner can load
    imports: tuple[str, ...]  # what proves the Go library loads when there are no tests
    has_tests: bool  # a tests/ directory: pytest runs it
    extra: str | None  # the optional dependencies the tests need ("test"), if declared

    @property
    def requirement(self) -> str:
        """The project (with its test extra) as pip names it, to fetch its dependencies."""
        if self.extra is None:
            return self.distribution
        return f'"{self.distribution}[{self.extra}]"'  # double quotes: bash and cmd alike

    def dependencies_command(self) -> str:
        """Installs what the wheel needs from the index; the wheel itself is already there."""
        tools = " pytest" if self.has_tests else ""
        return f"python -m pip install {self.requirement}{tools}"

    def test_command(self, tests_dir: str) -> str:
        """The tests (``tests_dir`` is their absolute path), else an import of the package.
        ``--import-mode=importlib`` keeps pytest from putting the checkout on sys.path, where
        a flat layout's source folder (without the library) would shadow the wheel."""
        if self.has_tests:
            return f'python -m pytest --import-mode=importlib "{tests_dir}"'
        return f'python -c "import {", ".join(self.imports)}"'


def _imports(project: Project) -> tuple[str, ...]:
    names = [project.python_package] if project.settings.go_package else []
    names += [module.name for module in project.settings.extension_modules]
    for name in names:  # python-package is checked by load_project; modules are not yet
        if not is_import_name(name):
            msg = (
                f"tool.crossgo.extension-modules names {name!r}, which cannot follow `import`: "
                "a workflow could not test the installed wheel. Give the module's dotted "
                "import name."
            )
            raise UsageError(msg)
    return tuple(dict.fromkeys(names))


def _targets(project: Project) -> tuple[str, ...]:
    names = [BUILD_TARGET if name == "native" else name for name in project.settings.targets]
    return tuple(target.name for target in expand_targets(names))


def _extra(project: Project) -> str | None:
    declared = {canonicalize_name(name) for name in project.metadata.optional_dependencies}
    return next((extra for extra in _TEST_EXTRAS if extra in declared), None)


def workflow_plan(project: Project) -> WorkflowPlan:
    targets = _targets(project)
    runners = tuple(dict.fromkeys(RUNNERS[t] for t in targets if t in RUNNERS))
    if not runners:
        msg = (
            f"none of tool.crossgo.targets ({', '.join(targets)}) runs on a GitHub-hosted "
            "runner, so no job could test a wheel: add one, e.g. linux-64."
        )
        raise UsageError(msg)
    has_tests = (project.root / "tests").is_dir()
    return WorkflowPlan(
        distribution=canonicalize_name(project.metadata.name),
        targets=targets,
        runners=runners,
        untested=tuple(t for t in targets if t not in RUNNERS),
        imports=_imports(project),
        has_tests=has_tests,
        extra=_extra(project) if has_tests else None,
    )
