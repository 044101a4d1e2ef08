"""The pure parts of extension modules: the stable ABI data, names and tags, settings, the
header directories, the checks, dyld's binding information, the loader, and the sources the
setuptools plugin accepts."""

from __future__ import annotations

import ast
import dataclasses
import importlib.resources
import string
from collections.abc import Sequence
from pathlib import Path

import pytest

from crossgo.binary import BinaryInfo
from crossgo.cache import CacheDir
from crossgo.errors import UsageError
from crossgo.extmod.checks import extension_checks
from crossgo.extmod.dyldinfo import FLAT_LOOKUP, parse_bind_opcodes, parse_chained_imports
from crossgo.extmod.headers import PythonHeaders, abi3_headers, versioned
from crossgo.extmod.loader import module_directory, render_loader
from crossgo.extmod.module import ExtensionModule, PythonBuild, module_filename, parse_abi3
from crossgo.extmod.python3dll import python3_definitions
from crossgo.extmod.stable_abi import parse_stable_abi, stable_abi
from crossgo.extmod.wheel import python_tags
from crossgo.implib import def_file
from crossgo.settings import ExtensionModuleSettings, load_settings
from crossgo.setuptools import _setup_error, go_sources
from crossgo.targets import get_target
from tests.support.python_headers import fake_include as _include

# --- the stable ABI ----------------------------------------------------------------------


def test_the_stable_abi_data_matches_abi3info() -> None:
    """Every entry is abi3info's (CPython's Misc/stable_abi.toml): regenerate with
    `python -m crossgo.extmod.stable_abi` when CPython adds to it."""
    abi3info = pytest.importorskip("abi3info")
    theirs = {f.symbol.name: (f, "function") for f in abi3info.FUNCTIONS.values()}
    theirs |= {d.symbol.name: (d, "data") for d in abi3info.DATAS.values()}
    ours = stable_abi()
    assert len(ours) > 900
    for name, symbol in ours.items():
        item, kind = theirs[name]
        assert (symbol.kind, symbol.added) == (kind, (item.added.major, item.added.minor))
        assert symbol.ifdef == (item.ifdef.name if item.ifdef else None)


def test_symbols_are_limited_to_their_platforms() -> None:
    known = stable_abi()
    assert known["PyLong_FromLong"].on("linux") and known["PyLong_FromLong"].on("windows")
    assert known["PyErr_SetFromWindowsErr"].on("windows")
    assert not known["PyErr_SetFromWindowsErr"].on("linux")
    assert known["PyOS_AfterFork_Child"].on("darwin")
    assert not known["PyOS_AfterFork_Child"].on("windows")
    assert known["PyExc_TypeError"].kind == "data"
    assert known["PyModule_AddObjectRef"].added == (3, 10)


def test_the_data_file_is_read_strictly() -> None:
    parsed = parse_stable_abi("# comment\nPyFoo function 3.12 MS_WINDOWS\n\nPyBar data 3.2\n")
    assert parsed["PyFoo"].ifdef == "MS_WINDOWS"
    assert parsed["PyBar"].added_text == "3.2"
    with pytest.raises(ValueError, match="cannot read"):
        parse_stable_abi("PyFoo macro 3.2\n")


def test_python3_dll_exports_what_windows_cpython_has() -> None:
    functions, data = python3_definitions()
    assert {"PyLong_FromLong", "PyErr_SetFromWindowsErr", "Py_IncRef"} <= set(functions)
    assert "PyOS_AfterFork_Child" not in functions  # HAVE_FORK
    assert {"_Py_NoneStruct", "PyExc_ZeroDivisionError", "PyLong_Type"} <= set(data)
    text = def_file("python3.dll", functions, data)
    assert text.startswith("LIBRARY python3.dll\nEXPORTS\n")
    assert "    PyExc_TypeError DATA\n" in text
    assert "    PyLong_FromLong\n" in text


# --- names, versions and tags ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "version"), [("3.9", (3, 9)), ("cp312", (3, 12)), ("3.2", (3, 2))]
)
def test_abi3_minimums(text: str, version: tuple[int, int]) -> None:
    assert parse_abi3(text) == version


@pytest.mark.parametrize("text", ["3.1", "2.7", "three", "4.0", "3"])
def test_bad_abi3_minimums_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="not a CPython version with a stable ABI"):
        parse_abi3(text)


def test_module_names_are_import_names() -> None:
    assert ExtensionModule(name="pkg._go").init_function == "PyInit__go"
    with pytest.raises(UsageError, match="not a Python module name"):
        ExtensionModule(name="pkg.my-module")


@pytest.mark.parametrize(
    ("target", "version", "filename"),
    [
        ("linux-64", None, "x.abi3.so"),
        ("linux-64", (3, 11), "x.cpython-311-x86_64-linux-gnu.so"),
        ("linux-aarch64", (3, 12), "x.cpython-312-aarch64-linux-gnu.so"),
        ("linux-ppc64le", (3, 11), "x.cpython-311-powerpc64le-linux-gnu.so"),
        ("osx-arm64", None, "x.abi3.so"),
        ("osx-arm64", (3, 13), "x.cpython-313-darwin.so"),
        ("win-64", None, "x.pyd"),
    ],
)
def test_module_file_names(target: str, version: tuple[int, int] | None, filename: str) -> None:
    assert module_filename("pkg.x", get_target(target), version) == filename


def _build(name: str, minimum: tuple[int, int] | None, version: tuple[int, int]) -> PythonBuild:
    headers = PythonHeaders(include=Path("/i"), version=version, source=Path("/s"), pyconfig="x")
    target = get_target("linux-64")
    return PythonBuild(
        module=ExtensionModule(name=name, abi3=None),
        target=target,
        headers=headers,
        filename=module_filename(name, target, None if minimum else version),
        minimum=minimum,
        cflags=(),
        ldflags=(),
    )


def test_wheel_tags_say_which_cpython_serves() -> None:
    assert python_tags([]) == ("py3", "none")
    assert python_tags([_build("a", (3, 9), (3, 11)), _build("b", (3, 10), (3, 11))]) == (
        "cp310",
        "abi3",
    )
    assert python_tags([_build("a", (3, 9), (3, 11)), _build("b", None, (3, 12))]) == (
        "cp312",
        "cp312",
    )
    with pytest.raises(UsageError, match=r"CPython 3\.11, 3\.12 cannot share one wheel"):
        python_tags([_build("a", None, (3, 11)), _build("b", None, (3, 12))])
    with pytest.raises(UsageError, match=r"a need CPython above 3\.11"):
        python_tags([_build("a", (3, 12), (3, 12)), _build("b", None, (3, 11))])


# --- settings ----------------------------------------------------------------------------


def test_extension_modules_are_declared_in_pyproject() -> None:
    table = {
        "extension-modules": [
            {"name": "pkg._go", "go-package": "go"},
            {"name": "pkg._v", "go-package": "v", "abi3": False},
            {"name": "pkg._n", "go-package": "n", "abi3": "3.12"},
        ],
        "python-include": "include",
    }
    settings = load_settings(table)
    assert settings.go_package == ()  # libraries are optional beside modules
    assert settings.extension_modules == (
        ExtensionModuleSettings(name="pkg._go", go_package="go", abi3="3.9"),
        ExtensionModuleSettings(name="pkg._v", go_package="v", abi3=None),
        ExtensionModuleSettings(name="pkg._n", go_package="n", abi3="3.12"),
    )
    assert settings.python_include == "include"
    environ = {"CROSSGO_PYTHON_INCLUDE": "/usr/include/python3.11"}
    assert load_settings(table, environ=environ).python_include == "/usr/include/python3.11"


@pytest.mark.parametrize(
    ("modules", "environ", "message"),
    [
        ({"name": "x"}, {}, r"must be an array of tables \(\[\[tool\.crossgo\.extension-modules"),
        (
            [{"name": "x", "go-pakage": "go"}],
            {},
            r"extension-modules\[0\]\.go-pakage\. Did you mean go-package",
        ),
        ([{"go-package": "go"}], {}, r"extension-modules\[0\]\.name must be a non-empty string"),
        (
            [{"name": "x", "go-package": "go", "abi3": 3.9}],
            {},
            r"abi3 must be a version .* or false",
        ),
        ([{"name": "x", "go-package": "g"}] * 2, {}, r"declares x more than once"),
        (None, {"CROSSGO_EXTENSION_MODULES": "x"}, r"cannot be set there: declare extension"),
    ],
)
def test_bad_extension_module_settings_name_the_key(
    modules: object, environ: dict[str, str], message: str
) -> None:
    table = {"go-package": "go"} if modules is None else {"extension-modules": modules}
    with pytest.raises(UsageError, match=message):
        load_settings(table, environ=environ)


# --- headers -----------------------------------------------------------------------------


def test_abi3_headers_get_crossgos_pyconfig(tmp_path: Path) -> None:
    include = _include(tmp_path)
    headers = abi3_headers(include, (3, 9), CacheDir(tmp_path / "cache"))
    crossgo = importlib.resources.files("crossgo.extmod") / "pyconfig.h"
    assert (headers.include / "pyconfig.h").read_text() == crossgo.read_text()
    assert (headers.include / "Python.h").is_file() and headers.version == (3, 11)
    assert abi3_headers(include, (3, 9), CacheDir(tmp_path / "cache")).include == headers.include
    with pytest.raises(UsageError, match=r"abi3 3\.12 needs the headers of CPython 3\.12 or newer"):
        abi3_headers(include, (3, 12), CacheDir(tmp_path / "cache"))


def test_debians_multiarch_pyconfig_is_resolved_for_the_target(tmp_path: Path) -> None:
    wrapper = (
        "#if defined(__x86_64__)\n#include <x86_64-linux-gnu/python3.11/pyconfig.h>\n"
        "#elif defined(__aarch64__)\n#include <aarch64-linux-gnu/python3.11/pyconfig.h>\n#endif\n"
    )
    include = _include(tmp_path, pyconfig=wrapper)
    arch = tmp_path / "usr" / "include" / "aarch64-linux-gnu" / "python3.11"
    arch.mkdir(parents=True)
    (arch / "pyconfig.h").write_text("#define SIZEOF_VOID_P 8\n#define SIZEOF_LONG 8\n")
    headers = versioned(include, get_target("linux-aarch64"), CacheDir(tmp_path / "cache"))
    assert (headers.include / "pyconfig.h").read_text() == (arch / "pyconfig.h").read_text()
    with pytest.raises(UsageError, match=r"the one for linux-64 .*x86_64-linux-gnu.* is not at"):
        versioned(include, get_target("linux-64"), CacheDir(tmp_path / "cache"))


@pytest.mark.parametrize(
    ("pyconfig", "target", "message"),
    [
        (
            "#define Py_GIL_DISABLED 1\n",
            "linux-64",
            "from a free-threaded CPython.*free-threaded = true",
        ),
        (
            "#define SIZEOF_VOID_P 8\n#define SIZEOF_LONG 8\n#define Py_DEBUG 1\n",
            "linux-64",
            "built with Py_DEBUG",
        ),
        (
            "#define SIZEOF_VOID_P 8\n#define SIZEOF_LONG 8\n#define HAVE_GCC_ASM_FOR_X87 1\n",
            "linux-aarch64",
            "is not linux-aarch64's",
        ),
        ("#define SIZEOF_VOID_P 8\n#define SIZEOF_LONG 8\n", "osx-arm64", None),
    ],
)
def test_version_specific_pyconfig_is_checked(
    pyconfig: str, target: str, message: str | None, tmp_path: Path
) -> None:
    include = _include(tmp_path, pyconfig=pyconfig)
    if message is None:
        versioned(include, get_target(target), CacheDir(tmp_path / "cache"))
        return
    with pytest.raises(UsageError, match=message):
        versioned(include, get_target(target), CacheDir(tmp_path / "cache"))


def test_an_include_directory_without_python_h_is_named(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="holds no CPython headers"):
        abi3_headers(tmp_path, (3, 9), CacheDir(tmp_path / "cache"))


# --- checks ------------------------------------------------------------------------------


def _info(
    fmt: str,
    exports: set[str],
    imports: Sequence[tuple[str, str | None]],
    needed: tuple[str, ...] = (),
) -> BinaryInfo:
    return BinaryInfo(
        path=Path("/x"), format=fmt,  # type: ignore[arg-type]
        machine="x86_64", exports=frozenset(exports), needed=needed, imports=tuple(imports),
    )  # fmt: skip


def _module(
    name: str = "pkg._go", minimum: tuple[int, int] | None = (3, 9), target: str = "linux-64"
) -> PythonBuild:
    build = _build(name, minimum, (3, 11))
    return dataclasses.replace(build, target=get_target(target))


def _failed(info: BinaryInfo, python: PythonBuild) -> dict[str, str]:
    return {check.name: check.detail for check in extension_checks(info, python) if not check.ok}


def test_a_good_module_passes() -> None:
    info = _info("elf", {"PyInit__go"}, [("PyLong_FromLong", None), ("malloc", None)])
    assert _failed(info, _module()) == {}


def test_the_init_function_is_named() -> None:
    failed = _failed(_info("elf", {"PyInit_other"}, []), _module())
    assert "does not export PyInit__go (it exports PyInit_other)" in failed["init"]


def test_stable_abi_failures_name_each_symbol() -> None:
    imports = [
        ("PyModule_AddObjectRef", None),
        ("_PyBytes_Resize", None),
        ("PyErr_SetFromWindowsErr", None),
    ]
    failed = _failed(_info("elf", {"PyInit__go", "PyHelper"}, imports), _module())
    assert failed["stable-abi"] == (
        "abi3 3.9: PyErr_SetFromWindowsErr is not in the stable ABI on linux-64; "
        "PyModule_AddObjectRef joined the stable ABI in 3.10, after 3.9; "
        "_PyBytes_Resize is not in the stable ABI; PyHelper is defined here, in CPython's namespace"
    )
    assert "stable-abi" not in _failed(_info("elf", {"PyInit__go"}, imports), _module(minimum=None))


def test_libpython_is_never_linked() -> None:
    info = _info("elf", {"PyInit__go"}, [("PyLong_FromLong", None)], ("libpython3.11.so.1.0",))
    assert "needs libpython3.11.so.1.0" in _failed(info, _module())["python-link"]


def test_windows_modules_import_python3_dll_only() -> None:
    imports = [("PyLong_FromLong", "python311.dll"), ("PyErr_SetFromWindowsErr", "python3.dll")]
    failed = _failed(_info("pe", {"PyInit__go"}, imports), _module(target="win-64"))
    assert failed == {
        "python-link": "imports CPython from python311.dll: an abi3 module imports python3.dll only"
    }


# --- dyld's binding information ----------------------------------------------------------


def test_bind_opcodes() -> None:
    stream = (
        b"\x11\x40_printf\0\x90"  # dylib 1, symbol, bind
        + b"\x3e\x40_PyLong_FromLong\0\x51\x72\x10\x90"  # flat lookup, type, segment+offset
        + b"\x20\x85\x01\x40_far\0\xa0\x08"  # ordinal 133 (ULEB), bind and add (ULEB)
        + b"\x3f\x40_main\0\xc0\x02\x08\x00"  # the main executable, bind N times
    )
    assert list(parse_bind_opcodes(stream)) == [
        ("_printf", 1), ("_PyLong_FromLong", FLAT_LOOKUP), ("_far", 133), ("_main", -1),
    ]  # fmt: skip


def test_chained_fixup_imports() -> None:
    names = b"\0_PyLong_FromLong\0_free\0"
    imports_at, symbols_at = 28, 28 + 8
    header = [0, 0, imports_at, symbols_at, 2, 1, 0]
    entries = [0xFE | (1 << 9), 0x01 | (18 << 9)]  # flat lookup, then dylib 1
    blob = b"".join(value.to_bytes(4, "little") for value in (*header, *entries)) + names
    assert list(parse_chained_imports(blob)) == [("_PyLong_FromLong", FLAT_LOOKUP), ("_free", 1)]


# --- the loader --------------------------------------------------------------------------


def _functions(source: str, names: set[str]) -> dict[str, str]:
    tree = ast.parse(source)
    return {
        node.name: ast.unparse(node)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name in names
    }


def test_the_loader_keeps_the_bindings_registry_protocol() -> None:
    """The module loader and the bindings loader apply one policy, word for word."""
    loader = render_loader("pkg._go")
    compile(loader, "__init__.py", "exec")
    assert '"""Loader of pkg._go, a CPython extension module written in Go.' in loader
    template = importlib.resources.files("crossgo.bindings") / "templates" / "loader.py.tmpl"
    bindings = string.Template(template.read_text()).substitute(
        library="x", version="0", all='"f"', exports='    "crossgo-exports 1",'
    )
    shared = {"_registry", "_policy", "_second_runtime"}
    assert _functions(loader, shared) == _functions(bindings, shared)
    assert len(_functions(loader, shared)) == 3
    assert module_directory("pkg._go").as_posix() == "pkg/_go"


# --- the setuptools plugin's sources -----------------------------------------------------


def test_go_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.go").write_text("package main\n")
    assert go_sources("x", ["x.go"]) == Path("x.go")
    assert go_sources("c", ["c.c"]) is None
    for sources, message in (
        (["x.go", "lib/helper.c"], "`x`: it mixes Go and other sources (x.go, lib/helper.c)"),
        (["x.go", "y.go"], "sources must be a single file in the `main` package"),
        (["nope.go"], "nope.go does not exist"),
    ):
        with pytest.raises(type(_setup_error("")), match=None) as raised:
            go_sources("x", sources)
        assert message in str(raised.value)
