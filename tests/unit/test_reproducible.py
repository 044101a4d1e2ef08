"""normalize_pe on DLLs that real Windows toolchains link twice while the tests run.

Each toolchain links the same C source twice, from two directories, with two
SOURCE_DATE_EPOCH values standing in for two links at two different times (both
GNU ld and zig's lld honour it, which makes "the clock moved" reproducible here).
The DLLs must differ before normalize_pe and be byte-identical after it.
"""

from __future__ import annotations

import importlib.util
import shutil
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pefile  # type: ignore[import-untyped, unused-ignore]
import pytest

from crossgo.binary import BinaryFormatError, read_binary
from crossgo.reproducible import normalize_pe
from tests.support.commands import run_or_fail

SOURCE = r"""
#include <stdio.h>
#include <stdlib.h>
__declspec(dllexport) int crossgo_answer = 42;
__declspec(dllexport) int crossgo_add(int a, int b) { return a + b + CROSSGO_BIAS; }
__declspec(dllexport) void *crossgo_hello(const char *name) {
    printf("hello %s\n", name);
    return malloc(16);
}
"""

NORMALIZED = 1_700_000_000  # the timestamp normalize_pe is asked to write
EXPORTS = frozenset({"crossgo_add", "crossgo_answer", "crossgo_hello"})


@dataclass(frozen=True)
class Toolchain:
    label: str
    argv: tuple[str, ...]
    install: str

    def require(self) -> None:
        if self.argv[1:3] == ("-m", "ziglang"):
            found = importlib.util.find_spec("ziglang") is not None
        else:
            found = shutil.which(self.argv[0]) is not None
        if not found:
            pytest.skip(f"{self.label} is not installed: {self.install}")


MINGW_GCC = Toolchain(
    "x86_64-w64-mingw32-gcc", ("x86_64-w64-mingw32-gcc",), "apt-get install gcc-mingw-w64-x86-64"
)
ZIG = Toolchain(
    "zig cc",
    (sys.executable, "-m", "ziglang", "cc", "-target", "x86_64-windows-gnu"),
    "pip install ziglang (not packaged by Debian)",
)


class Linker:
    """Links crossgo.dll once per (toolchain, directory, epoch, bias) in a session.

    Links run in ``env``, the session's, so zig's cache is the test cache's (as in
    test_binary: zig's Windows C runtime takes minutes to build).
    """

    def __init__(self, root: Path, env: Mapping[str, str]) -> None:
        self._root = root
        self._env = dict(env)
        self._linked: dict[tuple[object, ...], bytes] = {}

    def link(self, toolchain: Toolchain, directory: str, epoch: int, bias: int = 0) -> bytes:
        toolchain.require()
        key = (toolchain, directory, epoch, bias)
        if key not in self._linked:
            where = self._root / f"{len(self._linked)}" / directory
            where.mkdir(parents=True)
            (where / "lib.c").write_text(SOURCE, encoding="utf-8")
            env = {**self._env, "SOURCE_DATE_EPOCH": str(epoch)}
            flags = ("-shared", f"-DCROSSGO_BIAS={bias}", "-o", "crossgo.dll", "lib.c")
            run_or_fail([*toolchain.argv, *flags], where, env)
            self._linked[key] = (where / "crossgo.dll").read_bytes()
        return self._linked[key]


@pytest.fixture(scope="session")
def linker(tmp_path_factory: pytest.TempPathFactory, base_env: dict[str, str]) -> Linker:
    return Linker(tmp_path_factory.mktemp("crossgo-reproducible"), base_env)


def copy_to(tmp_path: Path, name: str, image: bytes) -> Path:
    """A private copy, since normalize_pe rewrites the file it is given."""
    (tmp_path / name).mkdir()
    path = tmp_path / name / "crossgo.dll"
    path.write_bytes(image)
    return path


def parse(path: Path) -> Any:
    return pefile.PE(data=path.read_bytes())


def codeview_guids(pe: Any) -> list[str]:
    entries = getattr(pe, "DIRECTORY_ENTRY_DEBUG", [])
    return [e.entry.Signature_String for e in entries if hasattr(e.entry, "Signature_String")]


@pytest.fixture(params=[MINGW_GCC, ZIG], ids=["mingw-gcc", "zig"])
def two_links(request: pytest.FixtureRequest, linker: Linker, tmp_path: Path) -> tuple[Path, Path]:
    """The same DLL linked twice, from directories a/ and b/, a second apart."""
    toolchain: Toolchain = request.param
    first = linker.link(toolchain, "a", epoch=1_600_000_000)
    second = linker.link(toolchain, "b", epoch=1_600_000_001)
    return copy_to(tmp_path, "a", first), copy_to(tmp_path, "b", second)


@pytest.mark.slow
def test_two_links_are_identical_after_normalize_pe(two_links: tuple[Path, Path]) -> None:
    first, second = two_links
    assert first.read_bytes() != second.read_bytes()

    assert normalize_pe(first, NORMALIZED) is True
    assert normalize_pe(second, NORMALIZED) is True

    assert first.read_bytes() == second.read_bytes()


def directory_stamps(pe: Any) -> list[int]:
    """Export directory, then debug directory entries: the stamps besides the COFF one."""
    debug = [entry.struct for entry in getattr(pe, "DIRECTORY_ENTRY_DEBUG", [])]
    return [s.TimeDateStamp for s in [pe.DIRECTORY_ENTRY_EXPORT.struct, *debug]]


@pytest.mark.slow
def test_normalized_dll_still_parses_with_valid_fields(two_links: tuple[Path, Path]) -> None:
    path, _ = two_links
    before = parse(path)
    had_checksum = before.OPTIONAL_HEADER.CheckSum != 0

    normalize_pe(path, NORMALIZED)

    after = parse(path)
    assert after.FILE_HEADER.TimeDateStamp == NORMALIZED
    # Stamps the linker set are rewritten; the ones it left 0 ("none") stay 0.
    expected = [NORMALIZED if stamp else 0 for stamp in directory_stamps(before)]
    assert directory_stamps(after) == expected
    assert any(expected)  # each toolchain sets at least one: export (GNU ld), debug (lld)
    # GNU ld writes a checksum (it must now match the new bytes); lld leaves it 0.
    assert (after.OPTIONAL_HEADER.CheckSum != 0) == had_checksum
    if had_checksum:
        assert after.verify_checksum()
    info = read_binary(path)
    assert (info.exports, info.pe_timestamp) == (EXPORTS, NORMALIZED)


@pytest.mark.slow
def test_normalize_pe_is_idempotent(two_links: tuple[Path, Path]) -> None:
    path, _ = two_links
    normalize_pe(path, NORMALIZED)
    normalized = path.read_bytes()

    assert normalize_pe(path, NORMALIZED) is False
    assert path.read_bytes() == normalized
    assert normalize_pe(path, NORMALIZED + 1) is True


@pytest.mark.slow
def test_codeview_guid_follows_content_not_the_link(linker: Linker, tmp_path: Path) -> None:
    first = copy_to(tmp_path, "a", linker.link(ZIG, "a", epoch=1_600_000_000))
    second = copy_to(tmp_path, "b", linker.link(ZIG, "b", epoch=1_600_000_001))
    other_code = copy_to(tmp_path, "c", linker.link(ZIG, "c", epoch=1_600_000_000, bias=1))
    linked_guids = codeview_guids(parse(first)) + codeview_guids(parse(second))
    assert len(set(linked_guids)) == 2  # lld derives them from the link's paths

    for path in (first, second, other_code):
        normalize_pe(path, NORMALIZED)

    [guid] = codeview_guids(parse(first))
    assert codeview_guids(parse(second)) == [guid]
    assert guid not in linked_guids
    assert codeview_guids(parse(other_code)) != [guid]


@pytest.mark.slow
def test_normalize_pe_replaces_the_file_atomically(linker: Linker, tmp_path: Path) -> None:
    path = copy_to(tmp_path, "a", linker.link(MINGW_GCC, "a", epoch=1_600_000_000))
    path.chmod(0o751)
    inode_before = path.stat().st_ino

    assert normalize_pe(path, NORMALIZED) is True

    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert path.stat().st_ino != inode_before  # a new file was renamed over the old one
    assert sorted(p.name for p in path.parent.iterdir()) == ["crossgo.dll"]


def test_non_pe_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    elf = tmp_path / "python"
    shutil.copyfile(Path(sys.executable).resolve(), elf)  # a real ELF, not a DLL
    original = elf.read_bytes()

    with pytest.raises(BinaryFormatError, match="not a PE image"):
        normalize_pe(elf, NORMALIZED)

    assert elf.read_bytes() == original


@pytest.mark.slow
def test_signed_dll_is_refused(linker: Linker, tmp_path: Path) -> None:
    osslsigncode, openssl = shutil.which("osslsigncode"), shutil.which("openssl")
    if osslsigncode is None or openssl is None:
        pytest.skip("signing tools are not installed: apt-get install osslsigncode openssl")
    unsigned = copy_to(tmp_path, "a", linker.link(MINGW_GCC, "a", epoch=1_600_000_000))
    signed = tmp_path / "signed.dll"
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subject = ("-subj", "/CN=crossgo test", "-days", "1")
    keys = ("-keyout", str(key), "-out", str(cert))
    run_or_fail(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", *keys, *subject], tmp_path
    )
    files = ("-in", str(unsigned), "-out", str(signed))
    run_or_fail([osslsigncode, "sign", "-certs", str(cert), "-key", str(key), *files], tmp_path)
    original = signed.read_bytes()

    with pytest.raises(BinaryFormatError, match="Authenticode-signed"):
        normalize_pe(signed, NORMALIZED)

    assert signed.read_bytes() == original


@pytest.mark.slow
@pytest.mark.parametrize("timestamp", [-1, 2**32])
def test_timestamp_must_fit_the_field(linker: Linker, tmp_path: Path, timestamp: int) -> None:
    path = copy_to(tmp_path, "a", linker.link(MINGW_GCC, "a", epoch=1_600_000_000))

    with pytest.raises(ValueError, match="32-bit"):
        normalize_pe(path, timestamp)
