"""``crossgo cibuildwheel before-build``: the hook a project puts in cibuildwheel's
``before-build``, run once per build identifier before the wheel is built.

It says which target this identifier builds (the same choice the backend makes, from the
variables cibuildwheel and the manylinux images set: :mod:`crossgo.detect`), checks Go and
the C toolchain for it with the doctor's checks, downloads the Go modules of every
``go-package`` into crossgo's module cache (so every identifier, and the backend's
isolated build, find them there), and prints the build plan. Something missing fails the
hook at once, with the doctor's message and fix, before cibuildwheel starts a build.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crossgo import _run
from crossgo.backend import wheel_target
from crossgo.build import BuildPlan, plan
from crossgo.detect import TargetChoice
from crossgo.doctor import DoctorRequest, Report, Status, diagnose
from crossgo.errors import BuildFailedError, ToolchainError
from crossgo.hints import hint_for
from crossgo.wheel import Project, build_request, load_project
from crossgo.wheel.builder import extension_request

__all__ = ["BeforeBuild", "before_build"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BeforeBuild:
    choice: TargetChoice
    identifier: str | None  # CIBUILDWHEEL_BUILD_IDENTIFIER
    report: Report
    plans: tuple[BuildPlan, ...]


def _problems(report: Report) -> str:
    lines = [
        f"  {finding.id}: {finding.summary}\n    fix: {finding.fix}"
        for finding in report.findings
        if finding.status is Status.FAIL
    ]
    return "\n".join(lines)


def _download_modules(build_plan: BuildPlan) -> None:
    """``go mod download`` into crossgo's module cache, unless the module is vendored."""
    package = build_plan.spec.package
    assert package is not None
    if package.has_vendor or package.module is None:
        return
    env = build_plan.env.apply(build_plan.caller_env)
    env["GOFLAGS"] = " ".join(flag for flag in env["GOFLAGS"].split() if flag != "-mod=vendor")
    build_plan.cache.ensure(build_plan.cache.gomodcache)
    argv = [str(build_plan.go.go), "mod", "download", "-x"]
    try:
        _run.stream(argv, env=env, cwd=package.module.path.parent)
    except _run.CommandFailed as error:
        msg = f"go mod download failed in {package.module.path.parent}; its output is above."
        if hint := hint_for(error.output, build_plan.spec.target, build_plan.frontend):
            msg += f"\nhint: {hint}"
        raise BuildFailedError(msg) from error


def _plans(project: Project, choice: TargetChoice, env: Mapping[str, str]) -> list[BuildPlan]:
    """What the backend will build, with the target's source as the backend chose it."""
    requests = [build_request(project, choice.target, package) for package in project.go_packages]
    requests += [
        extension_request(project, choice.target, module)
        for module in project.settings.extension_modules
    ]
    return [
        dataclasses.replace(plan(request, env), target_source=choice.source) for request in requests
    ]


def before_build(project_dir: Path, env: Mapping[str, str] | None = None) -> BeforeBuild:
    """Check, fetch and plan ``project_dir``'s build for this identifier; raise on trouble."""
    caller = {**(os.environ if env is None else env)}
    project = load_project(project_dir, environ=caller)
    caller |= project.settings.env
    choice = wheel_target(project, caller)  # a musllinux identifier stops here
    targets = tuple(target.name for target in choice.target.slice_targets())
    request = DoctorRequest(targets=targets, package_dir=project.source_packages[0])
    report = diagnose(request, caller, cwd=project.root)
    if not report.ok:
        msg = (
            f"crossgo cannot build {project.distribution} for {choice.target.name} here "
            f"({choice.source}):\n{_problems(report)}"
        )
        raise ToolchainError(msg)
    plans = _plans(project, choice, caller)
    for build_plan in plans:
        _download_modules(build_plan.slices[0] if build_plan.slices else build_plan)
    identifier = caller.get("CIBUILDWHEEL_BUILD_IDENTIFIER")
    return BeforeBuild(choice=choice, identifier=identifier, report=report, plans=tuple(plans))
