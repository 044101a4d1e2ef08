"""Go extension modules for free-threaded CPython, proven with a free-threaded CPython 3.13.5
built from Debian's source (the ``free_threaded`` fixture; no 3.14t: sid's sources are not
served here).

* linux-64: a venv of that CPython installs the ``cp313-cp313t`` wheel and imports the module;
  eight threads call into Go at once, and the GIL is still off afterwards. Built with that
  CPython's own ``pyconfig.h`` and with crossgo's, from crossgo on the GIL CPython;
* the module without ``{Py_mod_gil, Py_MOD_GIL_NOT_USED}``: the build fails with the reason,
  and, built anyway (``--gil-used``), that CPython warns and turns the GIL on;
* ``pip wheel`` in build isolation, run by that CPython, gives the ``cp313-cp313t`` wheel;
  the same project gives the ``cp39-abi3`` wheel on the GIL CPython;
* linux-aarch64: imported the same way by an aarch64 3.13.5t cross-built from the same source,
  under qemu-user (tests/support/free_threaded_aarch64.py);
* linux-aarch64, osx-arm64 and win-64: built and read (CPU, tag, the slot, where CPython's
  symbols come from). osx-arm64 and win-64 are not imported: no macOS or Windows CPython
  runs here;
* crossgo's free-threaded ``pyconfig.h`` gives the layouts of CPython's own;
* bad input: abi3 with free-threaded, headers older than 3.13, no headers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from crossgo.binary import read_binary
from crossgo.cache import CacheDir
from crossgo.extmod.gil import declares_gil_not_used
from crossgo.extmod.headers import free_threaded_headers
from crossgo.targets import get_target
from crossgo.toolchain.zig import find_executable as find_zig
from crossgo.wheel import WheelResult, build_wheel, load_project
from tests.conftest import PACKAGES, run_crossgo
from tests.support.commands import run_or_fail
from tests.support.emulation import AArch64Python
from tests.support.free_threaded_aarch64 import free_threaded_aarch64
from tests.support.objects import read_object_data
from tests.support.python_headers import aarch64_python_headers

pytestmark = pytest.mark.slow

GOFT = PACKAGES / "goft"
NO_SLOT = "-DGOFT_WITHOUT_GIL_SLOT"
USE = """
import json, platform, sys, threading, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import goft, goft._core
results = [None] * 8
def work(index):
    results[index] = goft.sum_squares(300_000 + index)
threads = [threading.Thread(target=work, args=(index,)) for index in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({
    "gil": sys._is_gil_enabled(), "results": results, "file": goft._core.__file__,
    "machine": platform.machine(),
    "free_threaded_build": goft.free_threaded_build(), "slot": goft._core.SLOT_DECLARED,
    "warnings": [f"{w.category.__name__}: {w.message}" for w in caught],
}))
"""


def _expected(count: int) -> list[int]:
    return [sum(i * i % 7 for i in range(300_000 + index)) for index in range(count)]


def _include(python: Path) -> Path:
    return python.parent.parent / "include" / "python3.13t"


def _gil_style_include(python: Path, tmp_path: Path) -> Path:
    """The same 3.13 headers with the GIL build's pyconfig.h (Py_GIL_DISABLED taken out):
    crossgo must then supply the free-threaded pyconfig.h itself, as for a cross target."""
    include = shutil.copytree(_include(python), tmp_path / "gil-headers" / "python3.13")
    pyconfig = include / "pyconfig.h"
    lines = pyconfig.read_text().splitlines(keepends=True)
    pyconfig.write_text("".join(line for line in lines if "Py_GIL_DISABLED" not in line))
    return include


def _venv(python: Path, where: Path) -> Path:
    where.parent.mkdir(parents=True, exist_ok=True)
    run_or_fail([str(python), "-m", "venv", str(where)], where.parent)
    return where / "bin" / "python"


def _run(python: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(python), *args], capture_output=True, text=True, check=False, env=env, timeout=1200
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    return done.stdout


def _use(venv_python: Path, wheel: Path) -> dict[str, object]:
    _run(venv_python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel))
    used: dict[str, object] = json.loads(_run(venv_python, "-c", USE))
    return used


def _copy(tmp_path: Path, name: str = "goft") -> Path:
    return shutil.copytree(GOFT, tmp_path / name, ignore=shutil.ignore_patterns("dist", "build"))


def _wheel(
    project: Path, target: str, config: dict[str, str], env: dict[str, str], cache: Path
) -> WheelResult:
    loaded = load_project(project, config={"free-threaded": "true", **config}, environ={})
    return build_wheel(loaded, target, project / "dist", env=env, cache_dir=cache)


def _record(wheel: Path) -> dict[str, object]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith("crossgo_build.json"))
        module: dict[str, object] = json.loads(archive.read(name))["extension_modules"][0]
        return module


@pytest.mark.parametrize("pyconfig", ["cpython", "crossgo"])
def test_free_threaded_cpython_imports_the_module_with_the_gil_off(
    pyconfig: str,
    free_threaded: Path,
    tmp_path: Path,
    base_env: dict[str, str],
    crossgo_cache: Path,
) -> None:
    """crossgo runs on the GIL CPython; the headers are 3.13t's, with its own pyconfig.h or
    with crossgo's (the path every cross target takes)."""
    include = _include(free_threaded)
    if pyconfig == "crossgo":
        include = _gil_style_include(free_threaded, tmp_path)
    project = _copy(tmp_path)
    built = _wheel(project, "linux-64", {"python-include": str(include)}, base_env, crossgo_cache)
    assert built.tag == "cp313-cp313t-manylinux_2_17_x86_64"
    record = _record(built.path)
    assert record["file"] == "goft/_core/_core.cpython-313t-x86_64-linux-gnu.so"
    assert record["free_threaded"] is True
    expected_pyconfig = "crossgo-free-threaded" if pyconfig == "crossgo" else "pyconfig.h"
    assert str(record["pyconfig"]).endswith(expected_pyconfig)
    checks = {check["name"]: check for check in record["checks"]}  # type: ignore[attr-defined]
    assert checks["gil"]["ok"] and "Py_MOD_GIL_NOT_USED" in checks["gil"]["detail"]
    used = _use(_venv(free_threaded, tmp_path / "venv"), built.path)
    assert used["results"] == _expected(8)
    assert used["gil"] is False  # still off after the import and eight threads in Go
    assert used["warnings"] == []
    assert (used["free_threaded_build"], used["slot"]) == (True, 1)
    assert str(used["file"]).endswith("_core.cpython-313t-x86_64-linux-gnu.so")


def test_a_module_without_the_slot_fails_the_build_and_takes_the_gil(
    free_threaded: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    common = ["build", "-t", "linux-64", "--extension-module", "goft._core", "--free-threaded"]
    common += ["--python-include", str(_include(free_threaded)), f"--cflags={NO_SLOT}"]
    refused = run_crossgo(*common, "-o", str(tmp_path / "refused"), str(GOFT / "go"), env=cli_env)
    assert refused.returncode == 1, refused.stderr
    assert "gil: _core.cpython-313t-x86_64-linux-gnu.so does not declare Py_MOD_GIL_NOT_USED" in (
        refused.stderr
    )
    assert 'say why: --gil-used "<reason>"' in refused.stderr  # the CLI's spelling
    assert not (tmp_path / "refused").exists()  # nothing left at the output path

    site = tmp_path / "site"
    reason = "a test of CPython's own guard"
    out = site / "goft"  # the plain file, as the import system finds it: goft/_core.cpython-...
    done = run_crossgo(*common, "--gil-used", reason, "-o", str(out), str(GOFT / "go"), env=cli_env)
    assert done.returncode == 0, done.stderr
    shutil.copy(GOFT / "src" / "goft" / "__init__.py", out)
    binary = out / "_core.cpython-313t-x86_64-linux-gnu.so"
    assert not declares_gil_not_used(binary.read_bytes(), (4, 4))
    env = {"PYTHONPATH": str(site), "PATH": os.environ.get("PATH", "")}
    used = json.loads(_run(free_threaded, "-c", USE, env=env))
    assert used["results"] == _expected(8)
    assert used["slot"] == 0
    assert used["gil"] is True  # CPython turned the GIL back on to load the module
    assert any(
        warning.startswith("RuntimeWarning: The global interpreter lock (GIL) has been enabled")
        for warning in used["warnings"]
    ), used["warnings"]


CROSS = {  # target: binary format, CPU, wheel platform
    "linux-aarch64": ("elf", "aarch64", "manylinux_2_17_aarch64"),
    "osx-arm64": ("macho", "aarch64", "macosx_"),
    "win-64": ("pe", "x86_64", "win_amd64"),
}


@pytest.mark.parametrize("target", CROSS)
def test_cross_targets_read_as_free_threaded_modules(
    target: str,
    free_threaded: Path,
    tmp_path: Path,
    base_env: dict[str, str],
    crossgo_cache: Path,
) -> None:
    """Built from this machine's 3.13t headers with crossgo's pyconfig.h for the target; read,
    not imported (no free-threaded CPython for these platforms runs here)."""
    binary_format, machine, platform = CROSS[target]
    config = {"python-include": str(_include(free_threaded))}
    built = _wheel(_copy(tmp_path), target, config, base_env, crossgo_cache)
    assert built.tag.startswith("cp313-cp313t-") and platform in built.tag
    record = _record(built.path)
    assert record["pyconfig"] == "crossgo-free-threaded"
    with zipfile.ZipFile(built.path) as archive:
        binary = tmp_path / Path(str(record["file"])).name
        binary.write_bytes(archive.read(str(record["file"])))
    info = read_binary(binary)
    assert (info.format, info.machine) == (binary_format, machine)
    assert "PyInit__core" in info.exports
    assert declares_gil_not_used(binary.read_bytes(), (4, 4))
    checks = {check["name"]: check for check in record["checks"]}  # type: ignore[attr-defined]
    assert all(check["ok"] for check in checks.values())
    assert "Py_MOD_GIL_NOT_USED" in checks["gil"]["detail"]
    python = {lib for name, lib in info.imports if name.startswith(("Py", "_Py"))}
    if target == "win-64":
        assert binary.name == "_core.cp313t-win_amd64.pyd"
        assert python == {"python313t.dll"}  # the full API, from 3.13t's own DLL
    elif target == "osx-arm64":
        assert binary.name == "_core.cpython-313t-darwin.so"
        assert "flat (dynamic) lookup" in checks["python-link"]["detail"]
    else:
        assert binary.name == "_core.cpython-313t-aarch64-linux-gnu.so"
        assert python == {None}  # left undefined, for the interpreter that loads it


@pytest.fixture(scope="session")
def aarch64_free_threaded(
    free_threaded: Path, test_cache: Path, aarch64_python: AArch64Python
) -> list[str]:
    """How to run an aarch64 free-threaded CPython 3.13.5 (cross-built once) under qemu-user."""
    python = free_threaded_aarch64(test_cache, free_threaded)
    return [str(aarch64_python.qemu), "-L", str(aarch64_python.root), str(python)]


def test_aarch64_free_threaded_cpython_imports_the_module_under_qemu(
    aarch64_free_threaded: list[str],
    free_threaded: Path,
    tmp_path: Path,
    base_env: dict[str, str],
    crossgo_cache: Path,
) -> None:
    """The linux-aarch64 wheel (crossgo's pyconfig.h for aarch64), unpacked and imported by
    the aarch64 3.13t under qemu-user: eight threads in Go, the GIL still off."""
    config = {"python-include": str(_include(free_threaded))}
    built = _wheel(_copy(tmp_path), "linux-aarch64", config, base_env, crossgo_cache)
    site = tmp_path / "site"
    with zipfile.ZipFile(built.path) as archive:
        archive.extractall(site)
    code = f"import sys; sys.path.insert(0, {str(site)!r})\n{USE}"
    done = subprocess.run(
        [*aarch64_free_threaded, "-I", "-c", code], capture_output=True, text=True,
        check=False, timeout=600, env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-6000:]
    used = json.loads(done.stdout)
    assert (used["machine"], used["gil"], used["warnings"]) == ("aarch64", False, [])
    assert used["results"] == _expected(8)
    assert str(used["file"]).endswith("_core.cpython-313t-aarch64-linux-gnu.so")


def test_pip_wheel_in_build_isolation_on_313t_gives_a_cp313t_wheel(
    free_threaded: Path,
    tmp_path: Path,
    base_env: dict[str, str],
    crossgo_cache: Path,
    wheelhouse: Path,
) -> None:
    """The route users take: the free-threaded CPython runs pip, pip's isolated environment
    gets crossgo as a wheel; nothing says free-threaded but the interpreter. The same project
    built by crossgo on the GIL CPython is the cp39-abi3 wheel: one project, both wheels."""
    venv_python = _venv(free_threaded, tmp_path / "user" / "venv")
    project = _copy(tmp_path, "project")
    env = _isolated_env(venv_python, base_env, wheelhouse, crossgo_cache)
    out = tmp_path / "wheels"
    built = _pip_wheel(venv_python, project, out, env)
    assert built.startswith("exit 0"), built[-6000:]
    (wheel,) = out.glob("*.whl")
    assert wheel.name == "goft-0.1.0-cp313-cp313t-manylinux_2_17_x86_64.whl"
    used = _use(venv_python, wheel)
    assert (used["gil"], used["results"], used["warnings"]) == (False, _expected(8), [])

    gil = build_wheel(load_project(project, environ={}), "linux-64", tmp_path / "gil",
                      env=base_env, cache_dir=crossgo_cache)  # fmt: skip
    assert gil.path.name == "goft-0.1.0-cp39-abi3-manylinux_2_17_x86_64.whl"


def _isolated_env(
    venv_python: Path, base_env: Mapping[str, str], wheelhouse: Path, cache: Path
) -> dict[str, str]:
    """A user's shell: their venv first on PATH, crossgo only as a wheel pip can find."""
    dropped = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    env = {key: value for key, value in base_env.items() if key not in dropped}
    return env | {
        "PATH": f"{venv_python.parent}{os.pathsep}{base_env.get('PATH', '')}",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "CROSSGO_CACHE_DIR": str(cache),
    }


def _pip_wheel(venv_python: Path, project: Path, out: Path, env: Mapping[str, str]) -> str:
    done = subprocess.run(
        [str(venv_python), "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(project)],
        capture_output=True, text=True, check=False, env=dict(env), timeout=1200,
    )  # fmt: skip
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}"


def test_the_setuptools_golang_drop_in_on_313t(
    free_threaded: Path,
    tmp_path: Path,
    base_env: dict[str, str],
    crossgo_cache: Path,
    wheelhouse: Path,
) -> None:
    """pip on the free-threaded CPython builds setuptools-golang projects free-threaded: one
    whose PyInit calls PyUnstable_Module_SetGIL (single-phase) is cp313t and keeps the GIL
    off; sgo-sum, which says nothing, is refused with what to add. (py_limited_api with
    free-threaded: test_extension_modules.py, with CROSSGO_FREE_THREADED.)"""
    venv_python = _venv(free_threaded, tmp_path / "user" / "venv")
    env = _isolated_env(venv_python, base_env, wheelhouse, crossgo_cache)
    built = _pip_wheel(venv_python, shutil.copytree(PACKAGES / "sgo-ft", tmp_path / "ft"),
                       tmp_path / "w1", env)  # fmt: skip
    assert built.startswith("exit 0"), built[-6000:]
    (wheel,) = (tmp_path / "w1").glob("*.whl")
    assert wheel.name == "sgo_ft-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl"
    _run(venv_python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel))
    code = (
        "import json, sys, warnings\nwarnings.simplefilter('error')\nimport ftsum\n"
        "print(json.dumps([ftsum.sum(40, 2), sys._is_gil_enabled(), ftsum.__file__]))"
    )
    total, gil, path = json.loads(_run(venv_python, "-c", code))
    assert (total, gil) == (42, False)
    assert path.endswith("ftsum.cpython-313t-x86_64-linux-gnu.so")

    project = shutil.copytree(PACKAGES / "sgo-sum", tmp_path / "sgo-sum")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"setuptools-golang"', '"crossgo[zig]"'))
    refused = _pip_wheel(venv_python, project, tmp_path / "w2", env)
    message = "sum.cpython-313t-x86_64-linux-gnu.so does not declare Py_MOD_GIL_NOT_USED"
    assert not refused.startswith("exit 0") and message in refused, refused[-6000:]
    assert "build_golang={'root': ..., 'gil_used': '<reason>'}" in refused


def _headers_of(version: str, python: Path, tmp_path: Path) -> Path:
    """3.13t's headers relabelled as another CPython version's (only patchlevel.h changes)."""
    include = shutil.copytree(_include(python), tmp_path / f"python{version}")
    patchlevel = include / "patchlevel.h"
    minor = version.split(".")[1]
    text = patchlevel.read_text().replace("PY_MINOR_VERSION        13", f"PY_MINOR_VERSION {minor}")
    patchlevel.write_text(text)
    return include


def test_free_threaded_bad_input(
    free_threaded: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    base = ["build", "-t", "linux-64", "--extension-module", "goft._core", "--free-threaded"]
    package = str(GOFT / "go")
    out = tmp_path / "out"
    abi3 = run_crossgo(*base, "--abi3", "3.9", "-o", str(out), package, env=cli_env)
    assert abi3.returncode == 2, abi3.stderr
    assert "no free-threaded variant" in abi3.stderr and "PEP 803" in abi3.stderr
    old = _headers_of("3.12", free_threaded, tmp_path)
    too_old = run_crossgo(*base, "--python-include", str(old), "-o", str(out), package, env=cli_env)
    assert too_old.returncode == 2, too_old.stderr
    assert "needs the headers of CPython 3.13 or newer" in too_old.stderr
    assert "holds 3.12's" in too_old.stderr and "set python-include" in too_old.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = run_crossgo(
        *base, "--python-include", str(empty), "-o", str(out), package, env=cli_env
    )
    assert missing.returncode == 2, missing.stderr
    assert f"{empty} holds no CPython headers (Python.h and patchlevel.h)" in missing.stderr
    assert not out.exists()


# --- crossgo's free-threaded pyconfig.h against CPython's own ------------------------------

PROBE = """
#include <Python.h>
#include <stddef.h>
unsigned short layout[] = {
    sizeof(Py_ssize_t), sizeof(PyObject), sizeof(PyVarObject), offsetof(PyObject, ob_type),
    offsetof(PyObject, ob_ref_shared), offsetof(PyObject, ob_tid), offsetof(PyVarObject, ob_size),
    sizeof(PyMethodDef), sizeof(PyModuleDef), sizeof(PyModuleDef_Base), sizeof(PyModuleDef_Slot),
    sizeof(PyTypeObject), offsetof(PyTypeObject, tp_flags), offsetof(PyTypeObject, tp_dealloc),
    sizeof(PyListObject), sizeof(PyTupleObject), sizeof(PyBytesObject), sizeof(PyFloatObject),
    sizeof(PyASCIIObject), sizeof(PyCompactUnicodeObject), sizeof(PyDictObject),
    sizeof(Py_buffer), sizeof(PyCriticalSection), sizeof(PyCriticalSection2), sizeof(PyMutex),
    sizeof(Py_tss_t), sizeof(PyGetSetDef), sizeof(PyMemberDef), sizeof(PyHeapTypeObject),
    sizeof(PyLongObject), sizeof(long), sizeof(wchar_t), sizeof(PyThreadState),
    offsetof(PyThreadState, interp), sizeof(PyStructSequence_Desc), sizeof(PyType_Spec),
};
"""


def _layout(zig: Path, zig_target: str, include: Path, tmp_path: Path) -> bytes:
    """The probe's bytes, compiled for ``zig_target`` (the object's only data)."""
    source, obj = tmp_path / "probe.c", tmp_path / f"probe-{zig_target}.o"
    source.write_text(PROBE)
    argv = [str(zig), "cc", "-target", zig_target, "-fno-sanitize=undefined", "-w"]
    run_or_fail([*argv, f"-I{include}", "-c", str(source), "-o", str(obj)], tmp_path)
    layout = read_object_data(obj)
    assert len(layout) >= 2 * PROBE.count("sizeof(") + 2 * PROBE.count("offsetof(")
    return layout


def test_crossgos_free_threaded_pyconfig_gives_cpythons_own_layout(
    free_threaded: Path, tmp_path: Path, test_cache: Path
) -> None:
    """The full API's types (the free-threaded PyObject, PyTypeObject, Py_tss_t, the critical
    sections, ...) with crossgo's free-threaded pyconfig.h, against 3.13t's own pyconfig.h for
    x86_64 and against Debian's arm64 one (3.11's configure, Py_GIL_DISABLED added) for
    aarch64: the same bytes."""
    zig = find_zig(os.environ.get("PATH", ""))
    assert zig is not None
    cache = CacheDir(tmp_path / "cache")
    gil_style = _gil_style_include(free_threaded, tmp_path)
    ours = {
        name: free_threaded_headers(gil_style, get_target(name), cache, (3, 13), own=False)
        for name in ("linux-64", "linux-aarch64", "win-64")
    }
    assert {headers.pyconfig for headers in ours.values()} == {"crossgo-free-threaded"}
    real = _layout(zig[0], "x86_64-linux-gnu.2.17", _include(free_threaded), tmp_path)
    assert _layout(zig[0], "x86_64-linux-gnu.2.17", ours["linux-64"].include, tmp_path) == real
    debian = aarch64_python_headers(test_cache) / "usr" / "include" / "aarch64-linux-gnu"
    arm_include = shutil.copytree(gil_style, tmp_path / "arm" / "python3.13")
    debian_pyconfig = (debian / "python3.11" / "pyconfig.h").read_text()
    (arm_include / "pyconfig.h").write_text(f"#define Py_GIL_DISABLED 1\n{debian_pyconfig}")
    arm = _layout(zig[0], "aarch64-linux-gnu.2.17", arm_include, tmp_path)
    assert _layout(zig[0], "aarch64-linux-gnu.2.17", ours["linux-aarch64"].include, tmp_path) == arm
    windows = _layout(zig[0], "x86_64-windows-gnu", ours["win-64"].include, tmp_path)
    assert windows != real  # long and wchar_t are narrower there; PyObject is the same
    assert windows[:8] == real[:8]
