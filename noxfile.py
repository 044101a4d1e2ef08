"""Development sessions: `nox -s lint tests` is what CI runs; `nox -s bench` measures."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

DEV = ".[dev]"


@nox.session
def lint(session: nox.Session) -> None:
    """ruff and mypy --strict over the package, tests, bench and this file."""
    session.install("-e", DEV)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """Every test: real builds for every target, proven under qemu, wine and by parsing."""
    session.install("-e", DEV)
    session.run("pytest", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Cold and warm builds beside raw `go build`; figures go to bench/results.json."""
    session.install("-e", DEV)
    session.run("python", "bench/bench.py", "--output", "bench/results.json", *session.posargs)
