"""Writing a file so that its final name only ever holds the whole of it.

Every writer puts the bytes in a uniquely named temporary file in the destination directory
(``.NAME.<random>.tmp``), flushes them to the disk (fsync), sets the mode, and renames the
file over the final name. A reader sees the old file or the new one, never a part; two
writers never share a temporary file, so the last rename wins, whole; a power cut after the
rename cannot leave an empty file under the final name. When anything fails, an exception
or an interrupt included, the temporary file is removed and the final name is untouched.

The directory is not fsynced: after a crash the rename may be undone, which leaves the old
file (or none), never a broken one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

__all__ = ["FILE_MODE", "move_into_place", "replacing", "write_bytes", "write_text"]

FILE_MODE: Final = 0o644  # what a new file gets; mkstemp's own 0600 would hide it from others


def _mode_for(final: Path, mode: int | None) -> int:
    """``mode``, else the mode of the file being replaced, else FILE_MODE."""
    if mode is not None:
        return mode
    try:
        return stat.S_IMODE(final.stat().st_mode)
    except FileNotFoundError:
        return FILE_MODE


@contextlib.contextmanager
def replacing(final: Path, *, mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary stream whose bytes replace ``final`` whole when the block ends normally.

    ``mode`` defaults to that of the file being replaced (a new file gets FILE_MODE).
    Raises OSError when the temporary file cannot be made (a missing or read-only
    directory); the caller says what to do about it.
    """
    descriptor, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(_mode_for(final, mode))
        temporary.replace(final)  # atomic within one directory
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(final: Path, data: bytes, *, mode: int | None = None) -> None:
    with replacing(final, mode=mode) as stream:
        stream.write(data)


def write_text(final: Path, text: str, *, mode: int | None = None) -> None:
    write_bytes(final, text.encode("utf-8"), mode=mode)


def move_into_place(source: Path, final: Path) -> None:
    """Move the finished file ``source`` to ``final``: flushed to the disk, then renamed, or,
    across filesystems, copied beside ``final`` under a unique name and renamed."""
    with source.open("r+b") as stream:  # write access: Windows cannot flush otherwise
        os.fsync(stream.fileno())
    try:
        source.replace(final)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        mode = stat.S_IMODE(source.stat().st_mode)
        with source.open("rb") as data, replacing(final, mode=mode) as out:
            shutil.copyfileobj(data, out)
        source.unlink()
