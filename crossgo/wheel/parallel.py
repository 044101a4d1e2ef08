"""Build one project's wheels for several targets side by side.

Threads are enough: the work happens in ``go build`` and the C compiler, in other processes.
Every job shares Go's build and module caches and zig's cache (both are safe to share between
concurrent builds), so the standard library is compiled once per target and reused.
Each job's ``go build`` output is kept apart (:func:`crossgo._run.output_to`) so that a
failure can be shown whole. Without ``keep_going`` the first failure stops jobs that have
not started yet; the running ones finish.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from crossgo import _run
from crossgo.errors import CrossgoError
from crossgo.targets import Target, get_target, single_targets
from crossgo.wheel.builder import WheelResult, build_wheel
from crossgo.wheel.project import Project

__all__ = ["Batch", "Failure", "Reporter", "build_wheels", "expand_targets"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """A target whose wheel was not built: why, and what its tools printed."""

    target: Target
    message: str
    exit_code: int
    output: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """The outcome of :func:`build_wheels`, in the order the targets were given."""

    results: tuple[WheelResult, ...]
    failures: tuple[Failure, ...]
    skipped: tuple[Target, ...]  # never started: an earlier target failed

    @property
    def ok(self) -> bool:
        return not self.failures and not self.skipped


class Reporter(Protocol):
    """What a progress display is told; called from worker threads."""

    def started(self, target: Target) -> None: ...
    def finished(self, result: WheelResult, seconds: float) -> None: ...
    def failed(self, failure: Failure, seconds: float) -> None: ...


class _Silent:
    def started(self, target: Target) -> None:
        pass

    def finished(self, result: WheelResult, seconds: float) -> None:
        pass

    def failed(self, failure: Failure, seconds: float) -> None:
        pass


def expand_targets(names: Iterable[str]) -> tuple[Target, ...]:
    """Resolve names (each may be a comma-separated list; ``all`` is every single-platform
    target, which leaves out universal2: it repeats osx-64 and osx-arm64), once each."""
    chosen: list[Target] = []
    for name in (part.strip() for item in names for part in item.split(",") if part.strip()):
        for target in single_targets() if name == "all" else (get_target(name),):
            if target not in chosen:
                chosen.append(target)
    return tuple(chosen)


def build_wheels(
    project: Project,
    targets: Iterable[str | Target],
    dist: Path,
    *,
    jobs: int | None = None,
    keep_going: bool = False,
    env: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
    reporter: Reporter | None = None,
) -> Batch:
    """Build a wheel per target into ``dist``, up to ``jobs`` at a time (default: one per
    CPU). Errors of one target become a :class:`Failure`; anything else propagates."""
    chosen = expand_targets(t.name if isinstance(t, Target) else t for t in targets)
    job = _Job(
        project=project,
        dist=dist,
        env=env,
        cache_dir=cache_dir,
        reporter=reporter or _Silent(),
        keep_going=keep_going,
    )
    workers = max(1, min(jobs or os.cpu_count() or 1, len(chosen)))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crossgo-wheel")
    try:
        outcomes = list(pool.map(job.run, chosen))
    except BaseException:
        job.stop.set()  # interrupted: start nothing more, let running builds clean up
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return _batch(outcomes)


def _batch(outcomes: Sequence[WheelResult | Failure | Target]) -> Batch:
    return Batch(
        results=tuple(o for o in outcomes if isinstance(o, WheelResult)),
        failures=tuple(o for o in outcomes if isinstance(o, Failure)),
        skipped=tuple(o for o in outcomes if isinstance(o, Target)),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Job:
    """One target's build, as the pool runs it, with what every job shares."""

    project: Project
    dist: Path
    env: Mapping[str, str] | None
    cache_dir: Path | None
    reporter: Reporter
    keep_going: bool
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, target: Target) -> WheelResult | Failure | Target:
        if self.stop.is_set():
            return target
        self.reporter.started(target)
        output, start = io.BytesIO(), time.monotonic()
        try:
            with _run.output_to(output):
                result = build_wheel(
                    self.project, target, self.dist, env=self.env, cache_dir=self.cache_dir
                )
        except CrossgoError as error:
            failure = Failure(
                target=target,
                message=str(error),
                exit_code=error.exit_code,
                output=output.getvalue().decode(errors="replace"),
            )
            if not self.keep_going:
                self.stop.set()
            self.reporter.failed(failure, time.monotonic() - start)
            return failure
        self.reporter.finished(result, time.monotonic() - start)
        return result
