"""A job of a GitHub Actions workflow, run here step by step as a Linux runner would run it.

No GitHub runner is reachable from this machine, so a generated workflow is proven by
running its own text: each ``run:`` step of the job, in order, with bash as the runner
invokes it (``bash --noprofile --norc -eo pipefail``, the ``shell: bash`` of GitHub's
docs), in the step's ``working-directory``, with the workflow's, job's and step's ``env``,
``GITHUB_OUTPUT`` collected into ``steps.<id>.outputs``. ``${{ ... }}`` expressions are
filled from a context the test gives; one it does not give fails the run, so nothing in the
workflow goes unread. ``uses:`` steps are done by the test's stand-ins, keyed by action name
(``actions/checkout``), which get the step's ``with:`` values, expressions filled.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["JobRun", "StepFailed", "load_workflow", "run_job"]

Stand_in = Callable[[Mapping[str, str], "JobRun"], None]
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class StepFailed(AssertionError):
    pass


def load_workflow(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), path
    return document


@dataclass
class JobRun:
    """What a job's steps share: the context expressions read, PATH and env additions."""

    context: dict[str, str]
    path: list[str] = field(default_factory=list)  # prepended to PATH, first wins
    env: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def fill(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            if match[1] not in self.context:
                msg = f"the test gives no value for ${{{{ {match[1]} }}}} (in {text!r})"
                raise StepFailed(msg)
            return self.context[match[1]]

        return _EXPRESSION.sub(value, text)

    def environment(self, base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
        env = {**base, **self.env, **{key: self.fill(str(v)) for key, v in extra.items()}}
        env["PATH"] = os.pathsep.join([*self.path, base.get("PATH", "")])
        return env


def _run_step(
    step: Mapping[str, Any], job_run: JobRun, base_env: Mapping[str, str], env: Mapping[str, str]
) -> None:
    with tempfile.NamedTemporaryFile("r", suffix=".output") as output:
        script = job_run.fill(step["run"])
        full_env = job_run.environment(base_env, {**env, **step.get("env", {})})
        full_env["GITHUB_OUTPUT"] = output.name
        cwd = job_run.fill(step.get("working-directory", "${{ github.workspace }}"))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=cwd, env=full_env, capture_output=True, text=True, check=False, timeout=1800,
        )  # fmt: skip
        job_run.log.append(f"$ {script}\n{done.stdout}{done.stderr}")
        if done.returncode != 0:
            msg = (
                f"step {step.get('name', script)!r} failed ({done.returncode}):\n{job_run.log[-1]}"
            )
            raise StepFailed(msg)
        for line in Path(output.name).read_text().splitlines():
            name, _, value = line.partition("=")
            job_run.context[f"steps.{step['id']}.outputs.{name}"] = value


def run_job(
    workflow: Mapping[str, Any],
    job: str,
    job_run: JobRun,
    *,
    stand_ins: Mapping[str, Stand_in],
    skip: Mapping[str, str] = {},
    base_env: Mapping[str, str],
) -> None:
    """Run ``job``'s steps in order. ``skip`` maps a step's name to why the test does what
    it does instead (written into the log, so a skipped step is never silent)."""
    shell = workflow.get("defaults", {}).get("run", {}).get("shell")
    assert shell == "bash", f"the workflow's run steps use {shell!r}, not bash"
    env = {**workflow.get("env", {}), **workflow["jobs"][job].get("env", {})}
    for step in workflow["jobs"][job]["steps"]:
        if step.get("name") in skip:
            job_run.log.append(f"# skipped {step['name']!r}: {skip[step['name']]}")
        elif "uses" in step:
            action = step["uses"].split("@", 1)[0]
            assert action in stand_ins, f"no stand-in for {step['uses']}"
            with_ = {key: job_run.fill(str(value)) for key, value in step.get("with", {}).items()}
            stand_ins[action](with_, job_run)
        else:
            _run_step(step, job_run, base_env, env)
