"""Deterministic archives: the same entries and epoch give the same bytes, every time.

Wheels are zip files and sdists gzipped tar files. Both writers sort the entries, set every
timestamp to one epoch (SOURCE_DATE_EPOCH, see :func:`crossgo.wheel.project.source_date_epoch`),
fix permissions (0644, 0755 for executables such as the Go library) and owners, and write
nothing that depends on the machine or the clock. A wheel's RECORD lists each file's
urlsafe-base64 SHA-256 (no padding) and size, and itself with neither.

:func:`publish` puts an archive in place atomically (:mod:`crossgo._atomic`): it is written
to a uniquely named temporary file in the destination directory, flushed to the disk and
renamed over the final name, so a failed or interrupted build leaves no partial file, and two
builds into one directory do not corrupt each other (the last rename wins, whole).
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import io
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from crossgo import _atomic
from crossgo.errors import OutputError

__all__ = ["ZIP_EPOCH", "Entry", "publish", "record", "write_sdist", "write_wheel"]

ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z: the earliest time a zip file can hold
_FILE_MODE, _EXECUTABLE_MODE = 0o644, 0o755
_UNIX = 3  # zip "version made by" host system, so that readers honour the Unix modes
# zlib's default: level 9 takes three times as long for 0.5% smaller Go libraries.
_DEFLATE_LEVEL = 6


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of an archive: its path inside it (``/``-separated) and its bytes."""

    path: str
    data: bytes
    executable: bool = False

    @property
    def mode(self) -> int:
        return _EXECUTABLE_MODE if self.executable else _FILE_MODE


def _urlsafe_digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def record(entries: Iterable[Entry], record_path: str) -> Entry:
    """The RECORD file for ``entries`` (CSV: path, sha256=..., size), listing itself last."""
    lines = [f"{_csv(e.path)},sha256={_urlsafe_digest(e.data)},{len(e.data)}" for e in entries]
    lines.append(f"{_csv(record_path)},,")
    return Entry(record_path, ("\n".join(lines) + "\n").encode())


def _csv(path: str) -> str:
    """Quote a path the way the csv module would (RECORD is CSV), without the module."""
    if any(char in path for char in ',"\n\r'):
        return '"' + path.replace('"', '""') + '"'
    return path


def _wheel_order(dist_info: str) -> Callable[[Entry], tuple[bool, str]]:
    # The wheel spec asks for .dist-info last, so that a reader can find it at the end.
    return lambda entry: (entry.path.startswith(f"{dist_info}/"), entry.path)


def _zip_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    year, month, day, hour, minute, second = time.gmtime(max(epoch, ZIP_EPOCH))[:6]
    return year, month, day, hour, minute, second


def write_wheel(stream: BinaryIO, entries: Sequence[Entry], *, dist_info: str, epoch: int) -> None:
    """Write a wheel: ``entries`` sorted (``dist_info``/ last), then its RECORD."""
    ordered = sorted(entries, key=_wheel_order(dist_info))
    ordered.append(record(ordered, f"{dist_info}/RECORD"))
    with zipfile.ZipFile(stream, "w") as archive:
        for entry in ordered:
            info = zipfile.ZipInfo(entry.path, date_time=_zip_time(epoch))
            info.create_system = _UNIX
            info.external_attr = (0o100000 | entry.mode) << 16  # a regular file, and its mode
            archive.writestr(info, entry.data, zipfile.ZIP_DEFLATED, _DEFLATE_LEVEL)


def write_sdist(stream: BinaryIO, entries: Sequence[Entry], *, root: str, epoch: int) -> None:
    """Write a .tar.gz with every entry under ``root``/, owned by root, stamped ``epoch``."""
    # No file name and a fixed time in the gzip header, which would otherwise vary.
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=stream, mtime=epoch) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        for entry in sorted(entries, key=lambda entry: entry.path):
            info = tarfile.TarInfo(f"{root}/{entry.path}")
            info.size, info.mtime, info.mode = len(entry.data), epoch, entry.mode
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            archive.addfile(info, io.BytesIO(entry.data))


def publish(final: Path, write: Callable[[BinaryIO], object]) -> None:
    """Run ``write`` into a unique temporary file next to ``final``, then rename it there
    (:func:`crossgo._atomic.replacing`)."""
    with contextlib.ExitStack() as stack:
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            stream = stack.enter_context(_atomic.replacing(final, mode=_FILE_MODE))
        except OSError as error:
            msg = (
                f"cannot write to {final.parent} ({error.strerror or error}); "
                "choose another output directory."
            )
            raise OutputError(msg) from error
        write(stream)
