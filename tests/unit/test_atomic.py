"""crossgo._atomic: the final name holds a whole file or the old one, and nothing is left over."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from crossgo import _atomic

SIZE = 1 << 20  # large enough that a write is many system calls


def _leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name.endswith(".tmp"))


def test_a_new_file_is_written_whole_with_the_default_mode(tmp_path: Path) -> None:
    final = tmp_path / "a.whl"
    _atomic.write_bytes(final, b"wheel")
    assert final.read_bytes() == b"wheel"
    assert stat.S_IMODE(final.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.whl"]


def test_replacing_keeps_the_old_mode_unless_told(tmp_path: Path) -> None:
    final = tmp_path / "lib.dll"
    final.write_bytes(b"old")
    final.chmod(0o755)
    inode = final.stat().st_ino
    _atomic.write_bytes(final, b"new")
    assert (final.read_bytes(), stat.S_IMODE(final.stat().st_mode)) == (b"new", 0o755)
    assert final.stat().st_ino != inode  # a new file renamed over the old one
    _atomic.write_text(final, "text", mode=0o600)
    assert stat.S_IMODE(final.stat().st_mode) == 0o600


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_leaves_the_old_file_and_nothing_else(
    tmp_path: Path, failure: BaseException
) -> None:
    final = tmp_path / "probe.json"
    final.write_text("old")
    with pytest.raises(type(failure)), _atomic.replacing(final) as stream:
        stream.write(b"half of it")
        raise failure
    assert final.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["probe.json"]


def test_a_missing_directory_raises_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        _atomic.write_bytes(tmp_path / "no" / "such" / "dir.txt", b"x")
    assert list(tmp_path.iterdir()) == []


def test_concurrent_writers_never_show_a_mixture(tmp_path: Path) -> None:
    """Eight threads write the same name over and over, each its own byte; a reader never
    sees a file that is not one writer's whole content, and nothing is left over."""
    final = tmp_path / "shared.bin"
    _atomic.write_bytes(final, bytes([0]) * SIZE)
    barrier, stop = threading.Barrier(9), threading.Event()
    seen: list[str] = []

    def write(value: int) -> None:
        barrier.wait()
        for _ in range(5):
            _atomic.write_bytes(final, bytes([value]) * SIZE)

    def read() -> None:
        barrier.wait()
        while not stop.is_set():
            data = final.read_bytes()
            if len(data) != SIZE or data.count(data[:1]) != SIZE:
                seen.append(f"{len(data)} bytes, not all {data[:1]!r}")

    writers = [threading.Thread(target=write, args=(value,)) for value in range(1, 9)]
    reader = threading.Thread(target=read)
    for thread in [*writers, reader]:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    reader.join()
    assert seen == []
    assert final.read_bytes()[:1] in {bytes([value]) for value in range(1, 9)}
    assert _leftovers(tmp_path) == []


def test_move_into_place_renames_within_a_filesystem(tmp_path: Path) -> None:
    source, final = tmp_path / "staging" / "lib.so", tmp_path / "out" / "lib.so"
    source.parent.mkdir()
    final.parent.mkdir()
    source.write_bytes(b"library")
    inode = source.stat().st_ino
    _atomic.move_into_place(source, final)
    assert (final.read_bytes(), final.stat().st_ino) == (b"library", inode)
    assert not source.exists()


def test_move_into_place_copies_across_filesystems(tmp_path: Path) -> None:
    """/dev/shm is a tmpfs: a rename from there to the test directory fails with EXDEV."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs /dev/shm on a filesystem of its own (Linux)")
    source = shm / f"crossgo-test-{os.getpid()}.so"
    source.write_bytes(b"library")
    source.chmod(0o755)
    final = tmp_path / "lib.so"
    try:
        _atomic.move_into_place(source, final)
    finally:
        source.unlink(missing_ok=True)
    assert final.read_bytes() == b"library"
    assert stat.S_IMODE(final.stat().st_mode) == 0o755
    assert not source.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib.so"]
