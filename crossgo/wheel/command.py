"""``crossgo wheel``: build a project's wheels for several targets, show progress, sum up.

``crossgo.cli`` parses the arguments and calls :func:`run`, which returns the exit code:
0 when every wheel was written, else the code of the first failure (1 for a failed build,
see :mod:`crossgo.errors`), after naming every target that failed and why.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from crossgo.errors import UsageError
from crossgo.settings import ConfigSettings
from crossgo.wheel.parallel import Batch, build_wheels, expand_targets
from crossgo.wheel.progress import choose_reporter, summary
from crossgo.wheel.project import load_project

__all__ = ["parse_config_settings", "run"]


def parse_config_settings(pairs: Sequence[str]) -> dict[str, str | list[str]]:
    """``["strip=false", "tags=a", "tags=b"]`` -> ``{"strip": "false", "tags": ["a", "b"]}``,
    the shape pip and build give a PEP 517 backend."""
    config: dict[str, str | list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            msg = f"-C {pair!r} is not KEY=VALUE (e.g. -C strip=false)."
            raise UsageError(msg)
        previous = config.get(key)
        if previous is None:
            config[key] = value
        else:
            config[key] = [*([previous] if isinstance(previous, str) else previous), value]
    return config


def run(
    project_dir: Path,
    *,
    targets: Sequence[str] | None = None,
    config: Sequence[str] = (),
    toolchain: str | None = None,
    output_dir: Path | None = None,
    jobs: int | None = None,
    keep_going: bool = False,
    cache_dir: Path | None = None,
    verbose: bool = False,
) -> int:
    settings: ConfigSettings = {
        **parse_config_settings(config),
        **({"targets": ",".join(targets)} if targets else {}),
        **({"toolchain": toolchain} if toolchain else {}),
    }
    project = load_project(project_dir, config=settings)
    chosen = expand_targets(project.settings.targets)
    reporter = choose_reporter(sys.stderr, chosen, os.environ, verbose=verbose)
    try:
        batch = build_wheels(
            project,
            chosen,
            output_dir or project.root / "dist",
            jobs=jobs,
            keep_going=keep_going,
            cache_dir=cache_dir,
            reporter=reporter,
        )
    finally:
        reporter.close()
    return _report(batch, sys.stdout, sys.stderr)


def _report(batch: Batch, out: TextIO, err: TextIO) -> int:
    for failure in batch.failures:
        if failure.output.strip():
            print(f"--- {failure.target.name}: what go build printed ---", file=err)
            print(failure.output.rstrip(), file=err)
    for result in batch.results:
        for note in result.notes:
            print(f"crossgo: note: {note}", file=err)
    print(summary(batch), file=out, flush=True)
    if not batch.failures:
        return 0
    total = len(batch.results) + len(batch.failures) + len(batch.skipped)
    reasons = "; ".join(f"{f.target.name}: {f.message}" for f in batch.failures)
    print(f"crossgo: error: {len(batch.failures)} of {total} targets failed. {reasons}", file=err)
    return batch.failures[0].exit_code
