"""Same source, two directories, two crossgo caches: byte-identical libraries."""

from __future__ import annotations

import hashlib
import shutil
import struct
from pathlib import Path

import pytest

from crossgo.binary import read_binary
from crossgo.macho_normalize import normalize_macho
from tests.conftest import EXAMPLE_GO, BuildFn

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("target", ["linux-64", "linux-aarch64", "osx-arm64", "win-64"])
def test_two_directories_two_caches_same_bytes(
    build_in: BuildFn, tmp_path: Path, target: str
) -> None:
    first_src = tmp_path / "a" / "gohash"
    second_src = tmp_path / "somewhere" / "else entirely" / "gohash"
    shutil.copytree(EXAMPLE_GO, first_src)
    shutil.copytree(EXAMPLE_GO, second_src)
    first = build_in(target, package_dir=first_src, output_dir=tmp_path / "out1")
    # A crossgo cache of its own (Go's build cache, module cache, wrappers); only zig's
    # libc cache, a toolchain input, is shared through ZIG_GLOBAL_CACHE_DIR.
    second = build_in(
        target,
        package_dir=second_src,
        output_dir=tmp_path / "out2",
        cache_dir=tmp_path / "fresh-cache",
    )
    assert first.library.read_bytes() == second.library.read_bytes()
    assert first.header.read_bytes() == second.header.read_bytes()
    assert first.sha256 == hashlib.sha256(second.library.read_bytes()).hexdigest()
    for path in (str(tmp_path), "/a/gohash", "else entirely"):
        assert path.encode() not in first.library.read_bytes()


def test_source_date_epoch_sets_the_pe_timestamp(
    build_in: BuildFn, base_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**base_env, "SOURCE_DATE_EPOCH": "1700000000"}
    stamped = build_in("win-64", env=env, output_dir=tmp_path / "stamped")
    assert read_binary(stamped.library).pe_timestamp == 1700000000
    plain = build_in("win-64", output_dir=tmp_path / "plain")
    assert read_binary(plain.library).pe_timestamp == 0


def _load_commands(data: bytes) -> dict[int, int]:
    """Load command -> file offset of its body (after cmd and cmdsize), for one of each."""
    ncmds = struct.unpack_from("<I", data, 16)[0]
    offset, found = 32, dict[int, int]()
    for _ in range(ncmds):
        command, size = struct.unpack_from("<2I", data, offset)
        found.setdefault(command, offset + 8)
        offset += size
    return found


def _code_signature_holds(data: bytes) -> bool:
    """Every page hash of every CodeDirectory matches its page (an ad-hoc signature)."""
    signature = struct.unpack_from("<I", data, _load_commands(data)[0x1D])[0]
    _, _, count = struct.unpack_from(">3I", data, signature)
    for index in range(count):
        blob = signature + struct.unpack_from(">2I", data, signature + 12 + index * 8)[1]
        if struct.unpack_from(">I", data, blob)[0] != 0xFADE0C02:
            continue
        hashes, _, _, slots, limit = struct.unpack_from(">5I", data, blob + 16)
        size, kind, _, page_log = struct.unpack_from(">4B", data, blob + 36)
        algorithm = {1: hashlib.sha1, 2: hashlib.sha256}[kind]
        page = 1 << page_log
        for slot in range(slots):
            want = data[blob + hashes + slot * size : blob + hashes + (slot + 1) * size]
            chunk = data[slot * page : min((slot + 1) * page, limit)]
            if algorithm(chunk).digest()[:size] != want:
                return False
    return True


def test_macos_bytes_do_not_depend_on_what_zig_left_in_memory(
    build_in: BuildFn, tmp_path: Path
) -> None:
    """zig leaves the last lazy-pointer indirect symbols unwritten and hashes its inputs
    into the UUID; crossgo normalises both, and the ad-hoc signature still holds."""
    built = build_in("osx-arm64", output_dir=tmp_path / "out", strip=True)
    original = built.library.read_bytes()
    assert _code_signature_holds(original)
    # A build with other memory contents and other input paths: scribble over the last
    # indirect symbols and the UUID, then let crossgo normalise the file again.
    commands = _load_commands(original)
    table, entries = struct.unpack_from("<2I", original, commands[0xB] + 48)  # LC_DYSYMTAB
    spoiled = bytearray(original)
    spoiled[table + 4 * (entries - 5) : table + 4 * entries] = b"eplatform=0,x509usep"
    spoiled[commands[0x1B] : commands[0x1B] + 16] = b"0123456789abcdef"  # LC_UUID
    copy = tmp_path / "spoiled.dylib"
    copy.write_bytes(bytes(spoiled))
    assert normalize_macho(copy)
    assert copy.read_bytes() == original
    assert not normalize_macho(built.library)  # already normal: nothing to change
