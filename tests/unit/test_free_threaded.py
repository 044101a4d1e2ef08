"""Free-threaded extension modules: the pure parts (settings, names, tags, headers, the slot
reader, python3XYt.dll's exports). Real builds: tests/integration/test_free_threaded.py."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from crossgo.cache import CacheDir
from crossgo.errors import UsageError
from crossgo.extmod import free_threaded_default
from crossgo.extmod.gil import declares_gil_not_used, slot_numbers
from crossgo.extmod.headers import PythonHeaders, free_threaded_headers
from crossgo.extmod.module import ExtensionModule, PythonBuild, module_filename
from crossgo.extmod.pythondll import declared_exports, dll_name
from crossgo.extmod.wheel import python_tags
from crossgo.settings import load_settings
from crossgo.targets import get_target
from tests.support.python_headers import fake_include

MODULE = {"name": "pkg._go", "go-package": "go"}
NUMBERS = (4, 4)  # Py_mod_gil, _Py_mod_LAST_SLOT in CPython 3.13 and 3.14


def _slots(*entries: tuple[int, int]) -> bytes:
    return b"".join(struct.pack("<iIQ", slot, 0, value) for slot, value in entries)


@pytest.mark.parametrize(
    ("image", "found"),
    [
        (b"\xff" * 8 + _slots((2, 0), (4, 1), (0, 0)), True),  # exec's pointer: 0 under RELA
        (b"\xff" * 8 + _slots((2, 0x140001000), (3, 2), (4, 1), (0, 0)), True),  # PE's address
        (b"\xff" * 8 + _slots((2, 0), (4, 0), (0, 0)), False),  # Py_MOD_GIL_USED
        (b"\xff" * 8 + _slots((4, 1), (9, 5), (0, 0)), False),  # no such slot: not an array
        (b"\xff" * 8 + _slots((4, 1)) + b"\x07" * 16, False),  # no {0, NULL} end
        (b"\xff" * 4 + _slots((4, 1), (0, 0)), False),  # not 8-byte aligned
        (b"\xff" * 8 + _slots((4, 1)), False),  # the file ends
    ],
)
def test_the_slot_reader_wants_a_whole_slot_array(image: bytes, found: bool) -> None:
    assert declares_gil_not_used(image, NUMBERS) is found


def test_slot_numbers_come_from_the_headers(tmp_path: Path) -> None:
    (tmp_path / "moduleobject.h").write_text(
        "#define Py_mod_exec 2\n#  define Py_mod_gil 4\n#define _Py_mod_LAST_SLOT 4\n"
    )
    assert slot_numbers(tmp_path) == (4, 4)
    (tmp_path / "moduleobject.h").write_text("#define Py_mod_exec 2\n")  # CPython 3.12
    assert slot_numbers(tmp_path) is None


def test_file_names_are_cpythons_free_threaded_suffixes() -> None:
    def name(target: str) -> str:
        return module_filename("pkg._go", get_target(target), (3, 13), free_threaded=True)

    assert name("linux-64") == "_go.cpython-313t-x86_64-linux-gnu.so"
    assert name("linux-aarch64") == "_go.cpython-313t-aarch64-linux-gnu.so"
    assert name("osx-arm64") == "_go.cpython-313t-darwin.so"
    assert name("win-64") == "_go.cp313t-win_amd64.pyd"
    assert module_filename("x", get_target("win-64"), (3, 14), free_threaded=True) == (
        "x.cp314t-win_amd64.pyd"
    )


def _build(name: str, *, threaded: bool, version: tuple[int, int] = (3, 13)) -> PythonBuild:
    headers = PythonHeaders(include=Path("/i"), version=version, source=Path("/s"), pyconfig="x")
    target = get_target("linux-64")
    minimum = None if threaded else (3, 9)
    return PythonBuild(
        module=ExtensionModule(name=name, abi3=None if threaded else "3.9", free_threaded=threaded),
        target=target,
        headers=headers,
        filename=module_filename(name, target, version, free_threaded=threaded),
        minimum=minimum,
        cflags=(),
        ldflags=(),
    )


def test_wheel_tags_of_free_threaded_modules() -> None:
    assert python_tags([_build("a", threaded=True)]) == ("cp313", "cp313t")
    assert python_tags([_build("a", threaded=True, version=(3, 14))]) == ("cp314", "cp314t")
    with pytest.raises(UsageError, match=r"b \(GIL or abi3\) cannot share a wheel"):
        python_tags([_build("a", threaded=True), _build("b", threaded=False)])
    with pytest.raises(UsageError, match="cp313-cp313t, cp314-cp314t cannot share"):
        python_tags([_build("a", threaded=True), _build("b", threaded=True, version=(3, 14))])


def test_abi3_and_free_threaded_are_refused_together() -> None:
    with pytest.raises(
        UsageError, match=r"no free-threaded variant.*abi3t \(PEP 803, from CPython 3\.15\)"
    ):
        ExtensionModule(name="pkg._go", abi3="3.9", free_threaded=True)
    table = {"extension-modules": [{**MODULE, "abi3": "3.10", "free-threaded": True}]}
    with pytest.raises(UsageError, match=r"sets both abi3 and free-threaded.*PEP 803"):
        load_settings(table, environ={})


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"free-threaded": "yes"}, "free-threaded must be true or false"),
        ({"gil-used": ""}, "gil-used must say why"),
        ({"gil-used": 3}, "gil-used must say why"),
    ],
)
def test_bad_module_settings(entry: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load_settings({"extension-modules": [{**MODULE, **entry}]}, environ={})


@pytest.mark.parametrize(
    ("environ", "config", "expected"),
    [
        ({"CIBUILDWHEEL_BUILD_IDENTIFIER": "cp314t-manylinux_x86_64"}, {}, True),
        ({"CIBUILDWHEEL_BUILD_IDENTIFIER": "cp314-win_amd64"}, {}, False),
        ({"CIBUILDWHEEL_BUILD_IDENTIFIER": "cp314-win_amd64"}, {"free-threaded": "true"}, True),
        ({"CROSSGO_FREE_THREADED": "1"}, {}, True),
        ({"CROSSGO_FREE_THREADED": "0"}, {"free-threaded": "on"}, True),
    ],
)
def test_the_build_is_free_threaded_as_said(
    environ: dict[str, str], config: dict[str, str], expected: bool
) -> None:
    table = {"extension-modules": [MODULE]}
    assert load_settings(table, config=config, environ=environ).free_threaded is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), (" On ", True), ("false", False), ("0", False), ("", None), ("  ", None)],
)
def test_the_drop_in_reads_crossgo_free_threaded_as_the_settings_do(
    value: str, expected: bool | None
) -> None:
    """The setuptools drop-in's CROSSGO_FREE_THREADED: the settings' words; empty is unset."""
    from crossgo.setuptools import _free_threaded  # noqa: PLC0415

    environ = {"CROSSGO_FREE_THREADED": value, "CIBUILDWHEEL_BUILD_IDENTIFIER": "cp314t-x"}
    assert _free_threaded(environ) is (True if expected is None else expected)
    with pytest.raises(Exception, match="CROSSGO_FREE_THREADED=maybe is not true or false"):
        _free_threaded({"CROSSGO_FREE_THREADED": "maybe"})


def test_without_an_identifier_the_running_cpython_decides() -> None:
    import sysconfig  # noqa: PLC0415

    running = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    assert free_threaded_default({}) is running
    assert free_threaded_default({"CIBUILDWHEEL_BUILD_IDENTIFIER": "pp311-x"}) is running


def test_free_threaded_headers(tmp_path: Path) -> None:
    cache = CacheDir(tmp_path / "cache")
    linux = get_target("linux-64")
    old = fake_include(tmp_path / "old", "3.12", "#define SIZEOF_VOID_P 8\n#define SIZEOF_LONG 8\n")
    with pytest.raises(UsageError, match=r"CPython 3\.13 or newer.*holds 3\.12's.*python-include"):
        free_threaded_headers(old, linux, cache, (3, 13), own=True)
    gil = fake_include(tmp_path / "gil", "3.13", "#define SIZEOF_VOID_P 8\n#define SIZEOF_LONG 8\n")
    made = free_threaded_headers(gil, linux, cache, (3, 13), own=True)
    assert made.pyconfig == "crossgo-free-threaded"
    assert (made.include / "pyconfig.h").read_text().startswith("#define Py_GIL_DISABLED 1\n")
    real = "#define SIZEOF_VOID_P 8\n#define SIZEOF_LONG 8\n#define Py_GIL_DISABLED 1\n"
    threaded = fake_include(tmp_path / "ft", "3.14", real)
    assert free_threaded_headers(threaded, linux, cache, (3, 13), own=True).version == (3, 14)
    assert (
        free_threaded_headers(threaded, linux, cache, (3, 13), own=True).include / "pyconfig.h"
    ).read_text() == real
    # another target's: the same headers, crossgo's pyconfig.h (long is 4 bytes on Windows)
    windows = free_threaded_headers(threaded, get_target("win-64"), cache, (3, 13), own=True)
    assert windows.pyconfig == "crossgo-free-threaded"
    assert free_threaded_headers(threaded, linux, cache, (3, 13), own=False).pyconfig == (
        "crossgo-free-threaded"
    )


def test_python3xyt_dll_exports_come_from_the_declarations() -> None:
    text = """
#define PyAPI_FUNC(RTYPE) RTYPE
PyAPI_FUNC(PyObject *) PyLong_FromLong(long);
PyAPI_FUNC(void) _Py_NO_RETURN Py_FatalError(const char *message);
PyAPI_FUNC(int)
PyUnstable_Module_SetGIL(PyObject *module, void *gil);
PyAPI_DATA(PyTypeObject) PyLong_Type;
PyAPI_DATA(PyObject *) PyExc_ValueError;
PyAPI_DATA(const char *) Py_FileSystemDefaultEncoding[1];
PyAPI_FUNC(int) pthread_create(pthread_t *, void *, void *(*)(void *), void *);
"""
    functions, data = declared_exports(text)
    assert functions == {"PyLong_FromLong", "Py_FatalError", "PyUnstable_Module_SetGIL"}
    assert data == {"PyLong_Type", "PyExc_ValueError", "Py_FileSystemDefaultEncoding"}
    assert dll_name((3, 13), free_threaded=True) == "python313t.dll"
