"""Reading go.mod and package sources, and finding Go."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from crossgo.cache import CacheDir
from crossgo.checks import exports_from_header
from crossgo.errors import PackageError, ToolchainError
from crossgo.golang import (
    GoInstall,
    check_go_version,
    find_go,
    is_vendored,
    parse_exports,
    parse_go_mod,
    parse_package_clause,
    scan_package,
)
from tests.conftest import EXAMPLE_GO, PACKAGES


def test_parse_go_mod() -> None:
    module = parse_go_mod(
        "module example.com/x\n\ngo 1.22.3\n\ntoolchain go1.23.4\n", Path("go.mod")
    )
    assert (module.module, module.go, module.toolchain) == ("example.com/x", "1.22.3", "1.23.4")


def test_package_clause_ignores_comments() -> None:
    source = '/* package fake */\n// Package doc\npackage main\n\nimport "C"\n'
    assert parse_package_clause(source) == "main"


def test_exports() -> None:
    assert parse_exports("//export Add\nfunc Add() {}\n// export Not\n//export Sub\n") == (
        "Add",
        "Sub",
    )


def test_scan_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLE_GO.parent)
    package = scan_package(Path("go"))  # relative, as users type it
    assert package.directory == EXAMPLE_GO
    assert set(package.exports) == {"Add", "Fib", "Sha256Hex", "GoVersion", "FreeString"}
    assert package.default_library_name == "gohash"


@pytest.mark.parametrize(
    ("name", "message"), [("notmain", "not main"), ("noexport", "exports no functions")]
)
def test_scan_refuses(name: str, message: str) -> None:
    with pytest.raises(PackageError, match=message):
        scan_package(PACKAGES / name)


def test_go_version_check() -> None:
    go = GoInstall(go=Path("go"), goroot=Path("/g"), version="1.26.8", source="PATH")
    newer = parse_go_mod("go 1.27\n", Path("go.mod"))
    with pytest.raises(ToolchainError, match=r"asks for Go >= 1.27.*1.26.8"):
        check_go_version(go, newer)
    suggested = parse_go_mod("go 1.22\ntoolchain go1.27.1\n", Path("go.mod"))
    assert "nothing is downloaded" in (check_go_version(go, suggested) or "")


def test_go_missing_names_the_fixes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "go" else real_find_spec(name, *a),
    )
    with pytest.raises(ToolchainError, match=r"Go was not found.*crossgo\[go\].*conda install go"):
        find_go({"PATH": str(tmp_path)}, CacheDir(tmp_path / "cache"))


def test_bad_crossgo_go_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ToolchainError, match="CROSSGO_GO="):
        find_go({"PATH": "", "CROSSGO_GO": str(tmp_path / "go")}, CacheDir(tmp_path))


def test_header_exports() -> None:
    header = """
extern size_t _GoStringLen(_GoString_ s);
/* End of boilerplate cgo prologue.  */
extern GoInt64 Add(GoInt64 a, GoInt64 b);
extern __declspec(dllexport) char* GoVersion(void);
extern void FreeString(char* p);
"""
    assert exports_from_header(header) == ("Add", "GoVersion", "FreeString")


def test_vendored_means_what_go_reads(tmp_path: Path) -> None:
    """Go reads vendor/modules.txt; a vendor/ directory without it is not vendoring."""
    (tmp_path / "go.mod").write_text("module example.com/v\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(
        'package main\n\nimport "C"\n\n//export Add\nfunc Add() {}\n\nfunc main() {}\n'
    )
    (tmp_path / "vendor").mkdir()
    assert not is_vendored(tmp_path)
    assert not scan_package(tmp_path).has_vendor
    (tmp_path / "vendor" / "modules.txt").write_text("# example.com/dep v1.0.0\n")
    assert is_vendored(tmp_path)
    assert scan_package(tmp_path).has_vendor
