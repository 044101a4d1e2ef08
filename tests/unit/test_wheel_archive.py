"""The deterministic zip and tar writers, RECORD, and atomic publishing."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import tarfile
import threading
import time
import zipfile
from pathlib import Path
from typing import BinaryIO

import pytest

from crossgo.errors import OutputError
from crossgo.wheel.archive import ZIP_EPOCH, Entry, publish, record, write_sdist, write_wheel

DIST_INFO = "demo-1.0.dist-info"
ENTRIES = [
    Entry("demo/__init__.py", b"from demo._lib import *\n"),
    Entry("demo/libdemo.so", b"\x7fELF" + bytes(range(256)) * 40, executable=True),
    Entry(f"{DIST_INFO}/METADATA", b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"),
    Entry(f"{DIST_INFO}/WHEEL", b"Wheel-Version: 1.0\n"),
    Entry("demo/data, with comma.txt", b"quoted in RECORD\n"),
    Entry("a_first.py", b""),
]


def wheel_bytes(entries: list[Entry], epoch: int = 1_700_000_000) -> bytes:
    out = io.BytesIO()
    write_wheel(out, entries, dist_info=DIST_INFO, epoch=epoch)
    return out.getvalue()


def urlsafe_sha256(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def test_record_lists_every_file_with_hash_and_size() -> None:
    with zipfile.ZipFile(io.BytesIO(wheel_bytes(ENTRIES))) as archive:
        names = archive.namelist()
        rows = list(csv.reader(io.StringIO(archive.read(f"{DIST_INFO}/RECORD").decode())))
        for path, digest, size in rows[:-1]:
            data = archive.read(path)
            assert digest == f"sha256={urlsafe_sha256(data)}"
            assert "=" not in digest.removeprefix("sha256=")  # no base64 padding
            assert int(size) == len(data)
    assert rows[-1] == [f"{DIST_INFO}/RECORD", "", ""]
    assert sorted(row[0] for row in rows) == sorted(names)
    assert len(rows) == len(ENTRIES) + 1


def test_order_is_sorted_with_dist_info_last_and_record_at_the_end() -> None:
    with zipfile.ZipFile(io.BytesIO(wheel_bytes(ENTRIES))) as archive:
        names = archive.namelist()
    payload = [name for name in names if not name.startswith(DIST_INFO)]
    assert payload == sorted(payload)
    assert names[: len(payload)] == payload
    assert names[-1] == f"{DIST_INFO}/RECORD"


def test_same_entries_in_any_order_give_the_same_bytes() -> None:
    first = wheel_bytes(ENTRIES)
    assert wheel_bytes(list(reversed(ENTRIES))) == first
    assert wheel_bytes(ENTRIES, epoch=1_700_000_002) != first


def test_timestamps_permissions_and_system_are_fixed() -> None:
    with zipfile.ZipFile(io.BytesIO(wheel_bytes(ENTRIES, epoch=1_700_000_000))) as archive:
        for info in archive.infolist():
            assert info.date_time == time.gmtime(1_700_000_000)[:6]
            assert info.create_system == 3
            mode = info.external_attr >> 16
            assert mode == (0o100755 if info.filename.endswith(".so") else 0o100644)
            assert info.compress_type == zipfile.ZIP_DEFLATED


def test_times_before_1980_are_clamped() -> None:
    with zipfile.ZipFile(io.BytesIO(wheel_bytes(ENTRIES, epoch=0))) as archive:
        assert archive.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)
    assert time.gmtime(ZIP_EPOCH)[:3] == (1980, 1, 1)


def test_record_quotes_paths_like_csv() -> None:
    line = record([Entry('odd,"name".txt', b"x")], "d/RECORD").data.decode().splitlines()[0]
    assert next(csv.reader([line]))[0] == 'odd,"name".txt'


def test_sdist_is_deterministic_and_owned_by_nobody() -> None:
    def sdist(entries: list[Entry]) -> bytes:
        out = io.BytesIO()
        write_sdist(out, entries, root="demo-1.0", epoch=1_700_000_000)
        return out.getvalue()

    data = sdist(ENTRIES)
    assert sdist(list(reversed(ENTRIES))) == data
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = archive.getmembers()
    assert [m.name for m in members] == sorted(f"demo-1.0/{e.path}" for e in ENTRIES)
    for member in members:
        assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
        assert member.mtime == 1_700_000_000
        assert member.mode == (0o755 if member.name.endswith(".so") else 0o644)
    assert data[4:8] == (1_700_000_000).to_bytes(4, "little")  # the gzip header's time


def test_publish_leaves_nothing_when_the_writer_fails(tmp_path: Path) -> None:
    def broken(stream: BinaryIO) -> None:
        stream.write(b"half a wheel")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish(tmp_path / "dist" / "demo.whl", broken)
    assert list((tmp_path / "dist").iterdir()) == []


def test_publish_into_an_unwritable_place_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(OutputError, match="cannot write to"):
        publish(blocker / "demo.whl", lambda stream: None)


def test_concurrent_publishes_of_one_name_leave_one_whole_file(tmp_path: Path) -> None:
    final = tmp_path / "demo.whl"
    contents = [wheel_bytes(ENTRIES, epoch=1_700_000_000 + 2 * n) for n in range(8)]

    def slow_writer(data: bytes) -> None:
        def write(stream: BinaryIO) -> None:
            for start in range(0, len(data), 4096):
                stream.write(data[start : start + 4096])
                time.sleep(0.0005)

        publish(final, write)

    threads = [threading.Thread(target=slow_writer, args=(data,)) for data in contents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [path.name for path in tmp_path.iterdir()] == ["demo.whl"]
    assert final.read_bytes() in contents
    assert final.stat().st_mode & 0o777 == 0o644
