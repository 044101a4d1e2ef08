"""crossgo in real conda builds: rattler-build (py-rattler-build), a local channel, four targets.

examples/gohash/conda/recipe.yaml, and the recipe ``crossgo conda recipe`` writes for the
example's Go package, are built for linux-64, linux-aarch64, osx-arm64 and win-64 with
conda-forge's pinning and post-build relinking on. Then the packages are opened and their
libraries proven: the linux-64 package is installed into a fresh prefix with py-rattler and
called through ctypes; the linux-aarch64 library is called by an aarch64 CPython under qemu;
the win-64 DLL is called under wine, and a C program linked against its import library runs
there; the osx-arm64 dylib is read (nothing here runs Mach-O). See tests/support/conda_lab.py
for the channel and what in it stands in for conda-forge.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crossgo.binary import read_binary
from crossgo.checks import exports_from_header, run_checks
from crossgo.targets import get_target
from tests.conftest import REPO, run_crossgo
from tests.support import conda_lab, pinned
from tests.support.emulation import AArch64Python, WindowsRunner

pytestmark = pytest.mark.slow

TARGETS = ("linux-64", "linux-aarch64", "osx-arm64", "win-64")
EXAMPLE_RECIPE = REPO / "examples" / "gohash" / "conda"


@pytest.fixture(scope="session")
def lab(test_cache: Path, crossgo_cache: Path) -> conda_lab.CondaLab:
    return conda_lab.conda_lab(test_cache, test_cache / "zig", crossgo_cache)


@pytest.fixture(scope="session")
def generated_recipe(
    tmp_path_factory: pytest.TempPathFactory, cli_env_session: dict[str, str]
) -> Path:
    directory = tmp_path_factory.mktemp("generated") / "recipe"
    done = run_crossgo(
        "conda", "recipe", str(REPO / "examples" / "gohash" / "go"), "-o", str(directory),
        "--license", "MIT", env=cli_env_session,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return directory


@pytest.fixture(scope="session", params=["example", "generated"])
def recipe(request: pytest.FixtureRequest, generated_recipe: Path) -> Path:
    return EXAMPLE_RECIPE if request.param == "example" else generated_recipe


@pytest.fixture(scope="session")
def packages(
    lab: conda_lab.CondaLab, recipe: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, conda_lab.Built]]:
    """target -> (the package's files, unpacked; the build), for one recipe."""
    output = tmp_path_factory.mktemp("conda-out")
    found = {}
    for target in TARGETS:
        built = lab.build(recipe / "recipe.yaml", target, output)
        assert len(built.packages) == 1, built.log
        unpacked = lab.extract(built.packages[0], output / "unpacked" / target)
        found[target] = (unpacked, built)
    return found


def _files(target: str) -> dict[str, Path]:
    if target == "win-64":
        return {
            "library": Path("Library/bin/libgohash.dll"),
            "import_library": Path("Library/lib/libgohash.lib"),
            "header": Path("Library/include/libgohash.h"),
        }
    suffix = get_target(target).library_suffix
    return {"library": Path(f"lib/libgohash{suffix}"), "header": Path("include/libgohash.h")}


@pytest.mark.parametrize("target", TARGETS)
def test_packages_hold_the_conda_layout_and_pass_the_checks(
    packages: dict[str, tuple[Path, conda_lab.Built]], target: str
) -> None:
    root, built = packages[target]
    payload = sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] != "info"
    )
    assert payload == sorted(path.as_posix() for path in _files(target).values()), built.log
    files = {name: root / path for name, path in _files(target).items()}
    checks = run_checks(
        read_binary(files["library"]),  # after rattler-build's relinking
        get_target(target),
        exports=exports_from_header(files["header"].read_text()),
        filename=files["library"].name,
        macos_version="13.0",
    )
    assert all(check.ok for check in checks), checks
    assert any("crossgo: installed" in line for line in built.log)


@pytest.mark.parametrize("target", TARGETS)
def test_no_build_path_is_left_in_any_file(
    packages: dict[str, tuple[Path, conda_lab.Built]], target: str
) -> None:
    root, _ = packages[target]
    output = root.parent.parent  # the build's output directory holds bld/ (PREFIX & co.)
    needles = [str(output).encode(), b"_placehold", b"rattler-build_gohash"]
    for path in root.rglob("*"):
        if path.is_file() and path.relative_to(root).parts[0] != "info":
            data = path.read_bytes()
            assert not [n for n in needles if n in data], path


def test_linux_64_installs_and_loads_from_the_prefix(
    lab: conda_lab.CondaLab,
    packages: dict[str, tuple[Path, conda_lab.Built]],
    tmp_path: Path,
) -> None:
    _, built = packages["linux-64"]
    prefix = tmp_path / "env with space"
    lab.install(["gohash"], prefix, [built.packages[0].parent.parent])
    code = (
        "import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]); "
        "lib.Add.restype = ctypes.c_longlong; print(lib.Add(40, 2), lib.Fib(10))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(prefix / "lib" / "libgohash.so")],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["42", "55"]
    rpaths = read_binary(prefix / "lib" / "libgohash.so").rpaths
    assert rpaths and all(path.startswith("$ORIGIN") for path in rpaths)


def test_linux_aarch64_loads_in_the_emulated_python(
    packages: dict[str, tuple[Path, conda_lab.Built]], aarch64_python: AArch64Python
) -> None:
    root, _ = packages["linux-aarch64"]
    library = root / "lib" / "libgohash.so"
    done = aarch64_python.run(
        f"import ctypes; lib = ctypes.CDLL({str(library)!r}); print(lib.Add(40, 2), lib.Fib(10))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["42", "55"]


def test_win_64_dll_runs_and_links_through_its_import_library(
    packages: dict[str, tuple[Path, conda_lab.Built]],
    windows_runner: WindowsRunner,
    tmp_path: Path,
) -> None:
    root, _ = packages["win-64"]
    dll = root / "Library" / "bin" / "libgohash.dll"
    assert windows_runner.call(dll, "Add", 40, 2) == 42
    # C code links against the import library, and the program finds the DLL at run time.
    program = tmp_path / "use_gohash.c"
    program.write_text(
        '#include <stdio.h>\n#include "libgohash.h"\n'
        'int main(void) { printf("%lld\\n", (long long)Add(40, 2)); return 0; }\n'
    )
    exe = tmp_path / "use_gohash.exe"
    subprocess.run(
        [
            "x86_64-w64-mingw32-gcc", "-o", str(exe), str(program),
            f"-I{root / 'Library' / 'include'}", str(root / "Library" / "lib" / "libgohash.lib"),
        ],
        check=True, timeout=300,
    )  # fmt: skip
    (tmp_path / "libgohash.dll").write_bytes(dll.read_bytes())
    ran = windows_runner.run(exe)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "42"
    assert "libgohash.dll" in read_binary(exe).needed


def test_osx_arm64_dylib_is_relocatable_and_signed(
    packages: dict[str, tuple[Path, conda_lab.Built]],
) -> None:
    from macholib.MachO import MachO  # noqa: PLC0415

    root, _ = packages["osx-arm64"]
    library = root / "lib" / "libgohash.dylib"
    info = read_binary(library)
    assert info.machine == "aarch64"
    assert info.soname == "@rpath/libgohash.dylib"
    assert info.rpaths and all(path.startswith("@loader_path") for path in info.rpaths)
    assert info.macos_minos == pinned.MACOS_FLOOR
    commands = {load.cmd for load, _, _ in MachO(str(library)).headers[0].commands}
    assert 0x1D in commands  # LC_CODE_SIGNATURE: re-signed after relinking


# conda-forge's compiler and stdlib packages for each target (conda-forge-pinning-feedstock's
# conda_build_config.yaml, August 2026; the lab's stand-ins carry the same names).
CONDA_FORGE_BUILD = {
    "linux-64": ["gcc_linux-64 15.*", "sysroot_linux-64 2.17.*"],
    "linux-aarch64": ["gcc_linux-aarch64 15.*", "sysroot_linux-aarch64 2.17.*"],
    "osx-arm64": ["clang_osx-arm64 21.*", "macosx_deployment_target_osx-arm64"],
    "win-64": ["gcc_win-64 15.*", "m2w64-sysroot_win-64 12.*"],
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kind", ["python", "library"])
def test_a_generated_recipe_renders_with_its_own_variants_file_only(
    tmp_path: Path, cli_env_session: dict[str, str], target: str, kind: str
) -> None:
    """`rattler-build build -m variants.yaml` as the docs say: no other pins. No conda Python
    is reachable here, so the Python package's recipe is rendered, not built; the backend's
    conda-build behaviour is built for real in test_conda_install.py."""
    project = REPO / "examples" / "gohash" / ("go" if kind == "library" else "")
    done = run_crossgo(
        "conda", "recipe", str(project), "-o", str(tmp_path / "r"), env=cli_env_session
    )
    assert done.returncode == 0, done.stderr
    (rendered,) = conda_lab.render(
        tmp_path / "r" / "recipe.yaml", target, tmp_path / "r" / "variants.yaml"
    )
    build = [str(spec) for spec in rendered["requirements"]["build"]]
    compiler, stdlib = CONDA_FORGE_BUILD[target]
    assert compiler in build
    assert any(spec.startswith(stdlib) for spec in build), build  # osx: Go's floor
    assert f"go-cgo_{target}" in build
    cross = target != "linux-64"
    if kind == "library":
        assert "crossgo" in build
        return
    assert ("cross-python_" + target in build) is cross
    assert ("crossgo" in build) is cross
    requirements = rendered["requirements"]
    assert [str(spec) for spec in requirements["host"]] == ["python", "pip", "crossgo"]
    assert "pip install . --no-deps --no-build-isolation" in str(rendered["build"]["script"])
    (test,) = rendered["tests"]
    assert test["python"]["imports"] == ["gohash"]
    assert test["python"].get("pip_check", True) is True  # rendering leaves out the default


def test_a_recipe_without_a_c_compiler_builds_with_its_own_zig(
    lab: conda_lab.CondaLab, test_cache: Path, tmp_path: Path
) -> None:
    """No compiler('c'): crossgo falls back to the recipe's zig package, and says so."""
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(
        "package: {name: gohash-zig, version: '0.1.0'}\n"
        f"source: {{path: {REPO / 'examples' / 'gohash' / 'go'}}}\n"
        "build: {number: 0, script: [crossgo conda install . --name gohash]}\n"
        "requirements: {build: [go, zig, crossgo]}\n"
    )
    # A fixed output directory keeps BUILD_PREFIX's path, so zig's cache for the zig in it
    # stays warm; an earlier package there would be reused instead of built, so it goes.
    output = test_cache / "conda-zig-out"
    shutil.rmtree(output, ignore_errors=True)
    built = lab.build(recipe, "linux-64", output, variants={})
    log = "\n".join(built.log)
    assert "no conda compiler was used for linux-64: zig cc -target x86_64-linux-gnu.2.17" in log
    assert "($BUILD_PREFIX/bin/zig, from PATH)" in log
    assert len(built.packages) == 1


@pytest.fixture(scope="session")
def cli_env_session(base_env: dict[str, str], crossgo_cache: Path) -> dict[str, str]:
    return {**base_env, "CROSSGO_CACHE_DIR": str(crossgo_cache)}
