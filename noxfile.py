"""Development sessions: `nox -s lint tests` is what CI runs; `nox -s bench` measures;
`nox -s wheels` builds the example project's wheels into dist/."""

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
    """Cold and warm builds beside raw `go build`; figures go to bench/results.json,
    `crossgo wheel --target all` (-j1, -j2) beside the raw sum to bench/wheels.json, and a
    conda recipe's first and second rattler-build to bench/conda.json, a Bazel rebuild after a
    .go edit to bench/bazel.json, two Go runtimes in one process to bench/go_runtimes.json,
    what the SBOM and license files add to a wheel build to bench/sbom.json, and the first and
    second `pip wheel` in build isolation to bench/isolated.json."""
    session.install("-e", DEV)
    session.run("python", "bench/bench.py", "--output", "bench/results.json", *session.posargs)
    session.run("python", "bench/wheels.py", "--output", "bench/wheels.json", *session.posargs)
    session.run("python", "bench/conda.py", "--output", "bench/conda.json")
    session.run("python", "bench/bazel.py", "--output", "bench/bazel.json", *session.posargs)
    session.run("python", "bench/go_runtimes.py", "--output", "bench/go_runtimes.json")
    session.run("python", "bench/sbom.py", "--output", "bench/sbom.json")
    session.run("python", "bench/isolated.py", "--output", "bench/isolated.json")


@nox.session(venv_backend="none")
def wheels(session: nox.Session) -> None:
    """The example project's wheels (its [tool.crossgo] targets) into dist/, built in-process
    by the helper users call from their own noxfiles."""
    import crossgo.nox  # noqa: PLC0415 (only this session needs crossgo beside nox)

    crossgo.nox.build_wheels(session, project="examples/gohash", dist="dist")
