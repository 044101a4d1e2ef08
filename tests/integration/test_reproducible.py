"""Same source, two directories, two crossgo caches: byte-identical libraries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crossgo.binary import read_binary
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
    assert first.sha256 == second.sha256
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
