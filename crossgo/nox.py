"""Build wheels from a noxfile: a thin adapter over :func:`crossgo.wheel.build_wheels`.

::

    # noxfile.py
    import nox
    import crossgo.nox

    @nox.session(venv_backend="none")
    def wheels(session: nox.Session) -> None:
        crossgo.nox.build_wheels(session, targets=["linux-64", "win-64"])

The build runs in nox's own process, so crossgo (with Go and a C toolchain, e.g.
``crossgo[go,zig]``) must be installed beside nox: ``pipx inject nox 'crossgo[go,zig]'``, or
the noxfile's PEP 723 ``dependencies``. ``session.env`` is added to the environment, and
``nox -s wheels -- linux-aarch64`` overrides ``targets`` from the command line. A failed
target fails the session (``session.error``) after its build output has been logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn, Protocol

from crossgo.settings import ConfigSettings
from crossgo.targets import Target
from crossgo.wheel import WheelResult, load_project
from crossgo.wheel import build_wheels as _build_wheels
from crossgo.wheel.parallel import Failure

__all__ = ["build_wheels"]


class Session(Protocol):
    """The part of ``nox.Session`` this module uses (nox itself is not imported)."""

    @property
    def posargs(self) -> Sequence[str]: ...
    @property
    def env(self) -> Mapping[str, str | None]: ...
    def log(self, message: str) -> None: ...
    def error(self, message: str) -> NoReturn: ...


class _SessionReporter:
    def __init__(self, session: Session) -> None:
        self._session = session

    def started(self, target: Target) -> None:
        self._session.log(f"crossgo: {target.name}: building")

    def finished(self, result: WheelResult, seconds: float) -> None:
        self._session.log(f"crossgo: {result.target.name}: {result.path} in {seconds:.1f} s")

    def failed(self, failure: Failure, seconds: float) -> None:
        self._session.log(f"crossgo: {failure.target.name}: FAILED after {seconds:.1f} s")


def _environ(session: Session) -> dict[str, str]:
    merged: dict[str, str | None] = {**os.environ, **session.env}
    return {key: value for key, value in merged.items() if value is not None}


def build_wheels(
    session: Session,
    *,
    targets: Sequence[str] | None = None,
    project: str | Path = ".",
    dist: str | Path = "dist",
    jobs: int | None = None,
    keep_going: bool = False,
    config: ConfigSettings | None = None,
) -> list[Path]:
    """Build ``project``'s wheels into ``dist``; return their paths. The targets are the
    session's positional arguments, else ``targets``, else ``[tool.crossgo] targets``."""
    environ = _environ(session)
    loaded = load_project(Path(project), config=config or {}, environ=environ)
    batch = _build_wheels(
        loaded,
        session.posargs or targets or loaded.settings.targets,
        Path(dist),
        jobs=jobs,
        keep_going=keep_going,
        env=environ,
        reporter=_SessionReporter(session),
    )
    for failure in batch.failures:
        session.log(f"crossgo: {failure.target.name}:\n{failure.output}{failure.message}")
    if batch.failures:
        failed = ", ".join(failure.target.name for failure in batch.failures)
        session.error(f"crossgo: no wheel for {failed}")
    return [result.path for result in batch.results]
