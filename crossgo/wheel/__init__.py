"""Wheels and sdists of Python packages backed by Go: what ``crossgo wheel`` and the PEP 517
backend (:mod:`crossgo.backend`) run.

::

    from crossgo.wheel import build_sdist, build_wheel, build_wheels, load_project

    project = load_project(Path("."))                      # pyproject.toml, read once
    result = build_wheel(project, "linux-aarch64", Path("dist"))
    result.path, result.tag                                # ..., "py3-none-manylinux_2_17_aarch64"
    batch = build_wheels(project, ["linux-64", "win-64"], Path("dist"), jobs=2)

Settings come from ``[tool.crossgo]``, ``CROSSGO_*`` and config settings
(:mod:`crossgo.settings`).
"""

from __future__ import annotations

from crossgo.wheel.builder import WheelResult, build_request, build_wheel
from crossgo.wheel.parallel import Batch, Failure, build_wheels, expand_targets
from crossgo.wheel.project import Project, load_project, source_date_epoch
from crossgo.wheel.sdist import build_sdist

__all__ = [
    "Batch",
    "Failure",
    "Project",
    "WheelResult",
    "build_request",
    "build_sdist",
    "build_wheel",
    "build_wheels",
    "expand_targets",
    "load_project",
    "source_date_epoch",
]
