"""The one place crossgo starts other programs.

Every command is logged (``+ go build ...``) at INFO level on the ``crossgo`` logger, with the
environment variables it sets beyond the caller's. A command that fails raises
:class:`CommandFailed` carrying the command, its exit status and its output; call sites turn
that into the domain error that says what to do.

:func:`stream` shows a command's output on stderr, unless :func:`output_to` redirects it for
the current thread: builds running side by side (``crossgo wheel -j N``) keep their output
apart that way, to show it whole when one fails.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import BinaryIO

from crossgo.errors import CrossgoError

__all__ = ["CommandFailed", "capture", "output_to", "stream"]

log = logging.getLogger("crossgo")

# Where stream() writes; None is stderr. A context variable, so each thread has its own.
_output: ContextVar[BinaryIO | None] = ContextVar("crossgo_output", default=None)


@contextlib.contextmanager
def output_to(sink: BinaryIO) -> Iterator[None]:
    """Send what :func:`stream` shows to ``sink`` instead of stderr, in this thread."""
    token = _output.set(sink)
    try:
        yield
    finally:
        _output.reset(token)


class CommandFailed(CrossgoError):
    """A program exited non-zero, or could not be started."""

    def __init__(self, argv: Sequence[str], returncode: int, output: str) -> None:
        self.argv = tuple(argv)
        self.returncode = returncode
        self.output = output
        tail = output.strip()
        detail = f":\n{tail}" if tail else ""
        super().__init__(f"`{shlex.join(self.argv)}` exited with status {returncode}{detail}")


def _log_command(argv: Sequence[str], env: Mapping[str, str] | None, cwd: Path | None) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    changed = {} if env is None else {k: v for k, v in env.items() if os.environ.get(k) != v}
    prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(changed.items()))
    where = f" (in {cwd})" if cwd else ""
    log.info("+ %s%s%s", f"{prefix} " if prefix else "", shlex.join(argv), where)


def capture(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
) -> str:
    """Run a command to completion and return its stdout; raise CommandFailed on failure."""
    _log_command(argv, env, cwd)
    try:
        done = subprocess.run(
            list(argv),
            env=None if env is None else dict(env),
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CommandFailed(argv, -1, str(error)) from error
    if done.returncode != 0:
        raise CommandFailed(argv, done.returncode, done.stderr + done.stdout)
    return done.stdout


def stream(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> None:
    """Run a command whose output the user must see unchanged (``go build``).

    Both streams go to our stderr as they arrive (stdout stays free for ``--json``) and a
    copy is kept for the error, so failure hints can read it.
    """
    _log_command(argv, env, cwd)
    try:
        process = subprocess.Popen(
            list(argv),
            env=None if env is None else dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    except OSError as error:
        raise CommandFailed(argv, -1, str(error)) from error
    copy = bytearray()
    sink = _output.get() or sys.stderr.buffer
    assert process.stdout is not None
    with process:
        try:
            for chunk in iter(process.stdout.readline, b""):
                copy += chunk
                sink.write(chunk)
                sink.flush()
        except BaseException:
            # Interrupted: stop the child before the caller cleans up its files.
            process.kill()
            raise
    if process.returncode != 0:
        raise CommandFailed(argv, process.returncode, copy.decode(errors="replace"))
