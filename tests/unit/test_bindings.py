"""The bindings generator without a build: cgo's header and Go's declarations in, text out.

``data/liballtypes.h`` is the header Go 1.27's cgo wrote for tests/packages/alltypes (built
with `crossgo build --bindings`); the Windows variant differs only by cgo's
``__declspec(dllexport)``. The generated module is checked with ruff and mypy --strict.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crossgo.bindings import generate
from crossgo.bindings.gosource import EXPORTS_FORMAT, exports_text, parse_exports, signature
from crossgo.bindings.header import parse_header
from crossgo.bindings.model import build_module, python_name
from crossgo.bindings.overlay import overlay_source
from crossgo.environment import go_build_args
from crossgo.errors import UsageError
from crossgo.settings import load_settings
from tests.conftest import PACKAGES, REPO

HEADER = Path(__file__).parent / "data" / "liballtypes.h"
GO_SOURCE = PACKAGES / "alltypes" / "go" / "main.go"


def _functions() -> dict[str, object]:
    return {f.name: f for f in parse_exports([GO_SOURCE.read_text()])}


def test_header_types_resolve_to_c_base_types() -> None:
    header = parse_header(HEADER.read_text(), HEADER)
    functions = {f.name: f for f in header.functions}
    assert header.package == "example.com/alltypes"
    ints = [(p.name, p.type.base) for p in functions["Ints"].params]
    assert ints == [
        ("a", "long long"), ("b", "unsigned long long"), ("c", "size_t"), ("d", "long"),
        ("e", "size_t"), ("f", "int32_t"), ("g", "uint64_t"),
    ]  # fmt: skip
    assert (functions["Upper"].result.base, functions["Upper"].result.pointers) == ("char", 1)
    assert functions["Sum"].params[0].type.base == "GoSlice"
    assert functions["RuneCount"].params[0].type.base == "GoString"
    assert [f.type.spelled for f in functions["DivMod"].result_fields] == [
        "GoInt",
        "GoInt",
        "char*",
    ]
    assert functions["Nap"].result.is_void
    assert "crossgo_free" in functions  # the overlay's helpers are in the header too


def test_windows_headers_parse_the_same() -> None:
    text = HEADER.read_text()
    windows = text.replace("\nextern ", "\nextern __declspec(dllexport) ")
    assert windows != text
    assert parse_header(windows, HEADER) == parse_header(text, HEADER)


def test_a_header_cgo_did_not_make_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "mine.h"
    with pytest.raises(UsageError, match=r"mine\.h is not a header cgo made"):
        parse_header("int add(int a, int b);\n", path)


def test_a_header_without_exports_is_refused_by_name(tmp_path: Path) -> None:
    text = HEADER.read_text().split("#ifdef __cplusplus\nextern")[0]
    with pytest.raises(UsageError, match=r"empty\.h declares no exported functions"):
        parse_header(text, tmp_path / "empty.h")


GO = """package main

import "C"

// "func Fake(" in a comment, and a literal with /* in it: neither confuses the reader.
var s = "/* not a comment"

//export Add
func Add(a, b C.longlong) C.longlong { return a + b }

//export Split
func Split(
	data *C.char, // the bytes
	n C.int,
) (head int, tail *C.char) {
	return 0, nil
}

//export Unnamed
func Unnamed(int, []byte) (int, bool) { return 0, false }
"""


def test_go_declarations_and_their_signature_text() -> None:
    functions = {f.name: f for f in parse_exports([GO])}
    assert [p.type for p in functions["Add"].params] == ["C.longlong", "C.longlong"]
    assert signature(functions["Add"]) == "Add(C.longlong,C.longlong)C.longlong"
    assert signature(functions["Split"]) == "Split(*C.char,C.int)(int,*C.char)"
    assert [p.name for p in functions["Split"].params] == ["data", "n"]
    assert signature(functions["Unnamed"]) == "Unnamed(int,[]byte)(int,bool)"
    text = exports_text(functions.values())
    assert text.splitlines()[0] == EXPORTS_FORMAT
    assert "Add(C.longlong,C.longlong)C.longlong" in text.splitlines()


def test_type_mapping() -> None:
    header = parse_header(HEADER.read_text(), HEADER)
    module = build_module("alltypes", header, parse_exports([GO_SOURCE.read_text()]))
    by_name = {b.symbol: b for b in module.bindings}
    assert by_name["Not"].arguments[0].annotation == "bool"  # GoUint8 refined by Go's bool
    assert by_name["Not"].result.annotation == "bool"
    assert by_name["CNot"].arguments[0].ctypes == ("ctypes.c_bool",)
    assert by_name["Upper"].result.kind == "text"
    checksum = by_name["Checksum"].arguments
    assert [(a.name, a.kind, a.ctypes) for a in checksum] == [
        ("data", "buffer", ("ctypes.c_void_p", "ctypes.c_size_t"))
    ]
    assert (by_name["Sum"].arguments[0].kind, by_name["Sum"].arguments[0].itemsize) == ("slice", 8)
    assert by_name["DivMod"].result.annotation == "tuple[int, int, str | None]"
    assert by_name["Alloc"].result.annotation == "int | None"
    assert {s.symbol for s in module.skipped} == {"Conjugate", "Keys", "Describe", "Drain"}
    assert "complex" in next(str(s) for s in module.skipped if s.symbol == "Conjugate")
    assert "crossgo_free" not in by_name


def test_python_names() -> None:
    assert python_name("Sha256Hex") == "sha256_hex"
    assert python_name("GoVersion") == "go_version"
    assert python_name("HTTPGet") == "http_get"
    assert python_name("Not") == "not_"  # a keyword
    assert python_name("Sum") == "sum_"  # a builtin the module itself uses


def test_strict_makes_a_skip_an_error() -> None:
    functions = parse_exports([GO_SOURCE.read_text()])
    with pytest.raises(UsageError, match=r"Conjugate: GoComplex128 is a complex number"):
        generate(HEADER, functions, "alltypes", strict=True)


def test_generated_code_passes_ruff_and_mypy_strict(tmp_path: Path) -> None:
    generated = generate(HEADER, parse_exports([GO_SOURCE.read_text()]), "alltypes")
    package = tmp_path / "alltypes"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_alltypes.py").write_text(generated.source)
    (package / "_alltypes.pyi").write_text(generated.stub)
    config = str(REPO / "pyproject.toml")
    for argv in (
        ["ruff", "check", "--config", config, "."],
        ["ruff", "format", "--check", "--config", config, "alltypes/_alltypes.pyi"],
        ["mypy", "--strict", "--no-incremental", "--config-file", config, "alltypes/_alltypes.py"],
        ["mypy", "--strict", "--no-incremental", "--config-file", config, "alltypes"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", *argv], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, (argv, done.stdout + done.stderr)
    assert max(len(line) for line in generated.source.splitlines()) <= 100


def test_overlay_and_build_arguments(tmp_path: Path) -> None:
    source = overlay_source(parse_exports([GO]))
    assert "//export crossgo_free" in source and "//export crossgo_exports" in source
    assert "Add(C.longlong,C.longlong)C.longlong" in source
    from crossgo.environment import BuildSpec  # noqa: PLC0415
    from crossgo.targets import get_target  # noqa: PLC0415

    spec = BuildSpec(
        package=None, target=get_target("linux-64"), output_dir=tmp_path, library_name="x",
        overlay=tmp_path / "overlay.json",
    )  # fmt: skip
    assert go_build_args(spec)[-1] == f"-overlay={tmp_path / 'overlay.json'}"


def test_bindings_setting() -> None:
    table = {"go-package": "go", "bindings": True}
    assert load_settings(table).bindings is True
    assert load_settings({"go-package": "go"}).bindings is False
    assert load_settings({"go-package": "go"}, environ={"CROSSGO_BINDINGS": "yes"}).bindings
    with pytest.raises(UsageError, match=r"tool\.crossgo\.bindings must be a boolean"):
        load_settings({"go-package": "go", "bindings": "maybe"})
