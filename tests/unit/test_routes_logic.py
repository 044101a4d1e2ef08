"""The pure parts behind the routes users take: stripping flags, prefix maps, zig's facts,
settings in the caller's spelling, the C library a compiler links, and editable installs'
git exclusion."""

from __future__ import annotations

import dataclasses
import shlex
import subprocess
from pathlib import Path

import pytest

from crossgo.binary import glibc_provided
from crossgo.cache import CacheDir
from crossgo.editable import exclude_from_git
from crossgo.environment import compute
from crossgo.hints import hint_for
from crossgo.spelling import option
from crossgo.toolchain.zig import parse_zig_env
from tests.unit.test_environment import CACHE, GO, ZIG, spec

ZIG_IN_CACHE = dataclasses.replace(
    ZIG, source_roots={"/crossgo-zig": "/cache/crossgo/toolchains/zig-0.17.1-abc/lib"}
)


def test_a_stripped_build_never_passes_g_and_ends_the_link_with_s() -> None:
    stripped = dataclasses.replace(spec("linux-aarch64"), strip=True)
    caller = {"PATH": "/usr/bin", "CGO_LDFLAGS": "-g -Wl,--as-needed"}
    variables = compute(stripped, ZIG, GO, CACHE, caller).variables
    ldflags = shlex.split(variables["CGO_LDFLAGS"])
    assert "-g" not in shlex.split(variables["CGO_CFLAGS"])
    assert ldflags[0] == "-O2" and ldflags[-1] == "-s"  # after the caller's -g: -s wins
    assert "-g" in ldflags  # the caller's own flags are kept, before it


def test_an_unstripped_build_keeps_debug_information() -> None:
    variables = compute(spec("linux-aarch64"), ZIG, GO, CACHE, {"PATH": "/usr/bin"}).variables
    assert shlex.split(variables["CGO_CFLAGS"])[:2] == ["-O2", "-g"]
    assert "-s" not in shlex.split(variables["CGO_LDFLAGS"])


def test_every_machine_directory_is_mapped_the_most_specific_last() -> None:
    variables = compute(spec("linux-64"), ZIG_IN_CACHE, GO, CACHE, {"PATH": "/"}).variables
    maps = [flag for flag in shlex.split(variables["CGO_CFLAGS"]) if "prefix-map" in flag]
    assert maps == [
        "-ffile-prefix-map=/cache/crossgo=/crossgo-cache",
        "-ffile-prefix-map=/cache/crossgo/toolchains/zig-0.17.1-abc/lib=/crossgo-zig",
    ]  # gcc and clang apply the last matching map, so zig's wins inside the cache
    assert maps == [f for f in shlex.split(variables["CGO_CXXFLAGS"]) if "prefix-map" in f]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('.{\n    .lib_dir = "lib/zig",\n    .version = "0.17.1",\n}', "/usr/lib/zig"),
        ('{"lib_dir": "/opt/zig/lib", "version": "0.13.0"}', "/opt/zig/lib"),
    ],
)
def test_zig_env_is_read_in_both_formats(text: str, expected: str) -> None:
    facts = parse_zig_env(text, Path("/usr"))
    assert facts["lib_dir"] == expected
    assert facts["version"] in {"0.17.1", "0.13.0"}


def test_settings_are_named_as_each_caller_spells_them() -> None:
    assert option("cli", "toolchain", "zig") == "--toolchain zig"
    assert option("config", "toolchain", "zig").startswith("-C toolchain=zig")
    assert option("setuptools", "glibc", "2.28") == "CROSSGO_GLIBC=2.28"
    assert option("cmake", "no-strip") == "drop STRIP from crossgo_add_library()"
    hint = hint_for("version `GLIBC_2.34' not found", "linux-64", "config")
    assert hint is not None
    assert "-C toolchain=zig" in hint
    assert "--toolchain" not in hint


def test_the_c_library_a_compiler_links_is_read_from_its_version_definitions() -> None:
    libc = subprocess.run(
        ["gcc", "-print-file-name=libc.so.6"], capture_output=True, text=True, check=True
    ).stdout.strip()
    found = glibc_provided(Path(libc))
    assert found is not None
    assert found >= (2, 17)
    assert glibc_provided(Path("/nonexistent/libc.so.6")) is None


def test_editable_files_are_excluded_in_the_clone_and_its_worktrees(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    package = repository / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    library = package / "libpkg.so"
    library.write_bytes(b"\x7fELF")
    exclude_from_git(repository, [library])
    exclude_from_git(repository, [library])  # idempotent
    lines = (repository / ".git" / "info" / "exclude").read_text().splitlines()
    assert lines.count("/src/pkg/libpkg.so") == 1
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repository,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "libpkg.so" not in status
    assert "__init__.py" in status  # only the placed file is hidden


def test_flags_are_quoted_the_way_go_splits_them() -> None:
    """Go splits CGO_CFLAGS on spaces, honouring '...' and "..." without escapes: a path
    holding a single quote must be double-quoted, never shell-escaped ('"'"')."""
    cache = CacheDir(Path("/home/o'brien/cache dir"))
    variables = compute(spec("linux-64"), ZIG, GO, cache, {"PATH": "/"}).variables
    assert variables["CGO_CFLAGS"].endswith(
        """"-ffile-prefix-map=/home/o'brien/cache dir=/crossgo-cache\""""
    )
