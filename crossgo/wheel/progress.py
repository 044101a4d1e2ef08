"""What ``crossgo wheel`` shows while it works, and the table it ends with.

On a terminal, one live line per target, redrawn in place with plain ANSI escapes (no
dependency); in CI (``CI`` set), when stderr is not a terminal, or with ``-v`` (whose log
lines would break the redraw), one plain line per event. ``NO_COLOR`` turns colour off.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from crossgo.targets import Target
from crossgo.wheel.builder import WheelResult
from crossgo.wheel.parallel import Batch, Failure

__all__ = ["LiveReporter", "PlainReporter", "choose_reporter", "human_size", "summary"]

_SPINNER = "|/-\\"
_GREEN, _RED, _DIM, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[2m", "\x1b[0m"
_CLEAR_LINE = "\x1b[2K"


def _up(lines: int) -> str:
    return f"\x1b[{lines}F"  # to the start of the line `lines` above


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024 or unit == "MiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "failed"


class PlainReporter:
    """One line per event, for logs: ``crossgo: win-64: built ... in 3.1 s``."""

    def __init__(self, stream: TextIO) -> None:
        self._stream, self._lock = stream, threading.Lock()

    def _say(self, text: str) -> None:
        with self._lock:
            print(f"crossgo: {text}", file=self._stream, flush=True)

    def started(self, target: Target) -> None:
        self._say(f"{target.name}: building")

    def finished(self, result: WheelResult, seconds: float) -> None:
        self._say(f"{result.target.name}: built {result.path.name} in {seconds:.1f} s")

    def failed(self, failure: Failure, seconds: float) -> None:
        self._say(f"{failure.target.name}: FAILED after {seconds:.1f} s")

    def close(self) -> None:
        pass


@dataclass(slots=True)
class _Row:
    state: str = "waiting"  # waiting, building, built, failed
    started: float = 0.0
    detail: str = ""


class LiveReporter:
    """A line per target, redrawn ten times a second by a background thread."""

    def __init__(self, stream: TextIO, targets: Sequence[Target], *, colour: bool) -> None:
        self._stream, self._colour = stream, colour
        self._rows = {target.name: _Row() for target in targets}
        self._width = max((len(name) for name in self._rows), default=0)
        self._lock, self._done = threading.Lock(), threading.Event()
        self._drawn, self._tick = 0, 0
        self._ticker = threading.Thread(target=self._run, daemon=True, name="crossgo-progress")
        self._ticker.start()

    def started(self, target: Target) -> None:
        with self._lock:
            self._rows[target.name] = _Row("building", time.monotonic())

    def finished(self, result: WheelResult, seconds: float) -> None:
        detail = f"{result.tag}  {human_size(result.size)}  {seconds:.1f} s"
        with self._lock:
            self._rows[result.target.name] = _Row("built", detail=detail)

    def failed(self, failure: Failure, seconds: float) -> None:
        detail = f"{_first_line(failure.message)}  {seconds:.1f} s"
        with self._lock:
            self._rows[failure.target.name] = _Row("failed", detail=detail)

    def close(self) -> None:
        self._done.set()
        self._ticker.join()
        self._draw()

    def _run(self) -> None:
        while not self._done.wait(0.1):
            self._draw()

    def _draw(self) -> None:
        with self._lock:
            self._tick += 1
            lines = [self._line(name, row) for name, row in self._rows.items()]
            prefix = _up(self._drawn) if self._drawn else ""
            self._stream.write(prefix + "".join(f"{_CLEAR_LINE}{line}\n" for line in lines))
            self._stream.flush()
            self._drawn = len(lines)

    def _line(self, name: str, row: _Row) -> str:
        marker, colour, text = self._parts(row)
        text = f" {name.ljust(self._width)}  {text}"
        # A line that wraps would throw the redraw off by one: cut it to the terminal.
        room = shutil.get_terminal_size().columns - len(marker) - 1
        return self._paint(colour, marker) + text[: max(room, 0)]

    def _parts(self, row: _Row) -> tuple[str, str, str]:
        if row.state == "building":
            elapsed = time.monotonic() - row.started
            return _SPINNER[self._tick % len(_SPINNER)], "", f"building  {elapsed:.1f} s"
        if row.state == "built":
            return "ok", _GREEN, row.detail
        if row.state == "failed":
            return "FAILED", _RED, row.detail
        return " ", _DIM, "waiting"

    def _paint(self, colour: str, text: str) -> str:
        return f"{colour}{text}{_RESET}" if self._colour and colour else text


def choose_reporter(
    stream: TextIO, targets: Sequence[Target], env: Mapping[str, str], *, verbose: bool
) -> LiveReporter | PlainReporter:
    live = stream.isatty() and not env.get("CI") and env.get("TERM") != "dumb" and not verbose
    if live:
        return LiveReporter(stream, targets, colour="NO_COLOR" not in env)
    return PlainReporter(stream)


def summary(batch: Batch) -> str:
    """The closing table: target, tag, size, sha256, checks; failures with their reason."""
    rows = [("target", "tag", "size", "sha256", "checks")]
    for result in batch.results:
        passed = sum(check.ok for check in result.checks)
        rows.append(
            (
                result.target.name,
                result.tag,
                human_size(result.size),
                result.sha256,
                f"{passed}/{len(result.checks)} ok",
            )
        )
    rows += [(f.target.name, "FAILED", "", _first_line(f.message), "") for f in batch.failures]
    rows += [(t.name, "skipped", "", "(an earlier target failed)", "") for t in batch.skipped]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
