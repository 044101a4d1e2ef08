"""The routes users take, not crossgo's own venv: pip's build isolation from a second venv at
another path, the default toolchain on a machine with Debian's cross gccs, stripping with
every toolchain, and an editable install of a project that keeps its hand-written loader.

Every wheel here is built by ``pip wheel`` in build isolation: pip makes a fresh temporary
environment per build and installs crossgo (from the session's wheelhouse) and whatever the
backend asks for (ziglang) into it, so zig lives at a new path every time.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import crossgo
from tests.conftest import PACKAGES, REPO
from tests.support.commands import auditwheel_show, run_or_fail
from tests.support.mounts import read_only

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "gohash"
MAIN_TARGETS = ("linux-64", "linux-aarch64", "osx-arm64", "win-64")


@pytest.fixture(scope="session")
def user_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's venv: a second one, at another path, without crossgo in it."""
    venv = tmp_path_factory.mktemp("user-home") / "projects" / "venv"
    venv.parent.mkdir()
    run_or_fail([sys.executable, "-m", "venv", str(venv)], venv.parent)
    return venv


@pytest.fixture
def user_env(
    base_env: dict[str, str], user_venv: Path, wheelhouse: Path, crossgo_cache: Path
) -> dict[str, str]:
    """What such a user's shell has: their venv first on PATH, crossgo only as a wheel pip
    can find (as from an index), and crossgo's warm test cache."""
    dropped = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    env = {key: value for key, value in base_env.items() if key not in dropped}
    return {
        **env,
        "PATH": f"{user_venv / 'bin'}{os.pathsep}{base_env.get('PATH', '')}",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "CROSSGO_CACHE_DIR": str(crossgo_cache),
    }


def _pip(venv: Path, *args: str, env: Mapping[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    return done.stdout + done.stderr


def _copy(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("dist", "build"))
    return destination


def _one_wheel(directory: Path) -> Path:
    wheels = list(directory.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _members(wheel: Path) -> dict[str, str]:
    """Each file in the wheel with the sha256 of its bytes, read from the archive itself."""
    with zipfile.ZipFile(wheel) as archive:
        return {name: hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist()}


def _mingw_runtimes(cache: Path) -> set[Path]:
    """mingw's CRT and import libraries zig compiled into its cache (about two minutes of
    work): what a second isolated win-64 build must not compile again."""
    return set(cache.glob("o/*/*.lib"))


# --- reproducible across isolated builds ---------------------------------------------------


@pytest.mark.parametrize("target", MAIN_TARGETS)
def test_isolated_builds_from_two_directories_give_identical_wheels(
    target: str, tmp_path: Path, user_venv: Path, user_env: dict[str, str], test_cache: Path
) -> None:
    """Two copies of a project in different directories, each built by `pip wheel` in its
    own isolated environment (so zig sits at a new path each time), give the same bytes,
    with strip on and off; the second build compiles no new zig C runtime."""
    copies = [
        _copy(EXAMPLE, tmp_path / "alice" / "gohash"),
        _copy(EXAMPLE, tmp_path / "bob" / "work" / "checkout"),
    ]
    zig_cache = Path(user_env["ZIG_GLOBAL_CACHE_DIR"])
    for strip in ("true", "false"):
        wheels = []
        for index, project in enumerate(copies):
            before = _mingw_runtimes(zig_cache)
            homes = _zig_homes(user_env)
            out = tmp_path / f"dist-{strip}-{index}"
            settings = ["-C", f"target={target}", "-C", "toolchain=zig", "-C", f"strip={strip}"]
            _pip(user_venv, "wheel", "--no-deps", "-w", str(out), *settings, ".",
                 env=user_env, cwd=project)  # fmt: skip
            if index:  # zig ran from the first build's home and found its C runtimes there
                assert _zig_homes(user_env) == homes
                if target == "win-64":
                    assert _mingw_runtimes(zig_cache) == before
            wheels.append(_one_wheel(out))
        assert wheels[0].name == wheels[1].name
        assert _members(wheels[0]) == _members(wheels[1])
        assert wheels[0].read_bytes() == wheels[1].read_bytes()
        library = _library_of(wheels[0], tmp_path / f"unpacked-{strip}")
        if strip == "true":  # the promise "no debug information in the wheel", on this route
            assert _debug_left(library) == []


def _library_of(wheel: Path, into: Path) -> Path:
    with zipfile.ZipFile(wheel) as archive:
        binaries = (".so", ".dylib", ".dll")
        (name,) = [n for n in archive.namelist() if n.endswith(binaries)]
        return Path(archive.extract(name, into))


def _zig_homes(env: Mapping[str, str]) -> set[Path]:
    return set((Path(env["CROSSGO_CACHE_DIR"]) / "toolchains").glob("zig-*"))


def test_unstripped_library_names_no_build_path(
    tmp_path: Path, user_venv: Path, user_env: dict[str, str]
) -> None:
    """With strip = false the debug information stays, and names no directory of the
    machine: not the project, pip's build environment, zig, Go or crossgo's cache."""
    project = _copy(EXAMPLE, tmp_path / "somewhere" / "gohash")
    out = tmp_path / "dist"
    _pip(user_venv, "wheel", "--no-deps", "-w", str(out), "-C", "target=linux-64",
         "-C", "toolchain=zig", "-C", "strip=false", ".", env=user_env, cwd=project)  # fmt: skip
    with zipfile.ZipFile(_one_wheel(out)) as archive:
        library = archive.read("gohash/libgohash.so")
    sections = _readelf_sections(library, tmp_path)
    assert ".debug_info" in sections  # the test means something: debug information is there
    for machine_path in (str(tmp_path), "pip-build-env", str(user_env["CROSSGO_CACHE_DIR"])):
        assert machine_path.encode() not in library


def _readelf_sections(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "library.so"
    path.write_bytes(data)
    return subprocess.run(
        ["llvm-readelf", "-S", str(path)], capture_output=True, text=True, check=True
    ).stdout


# --- the default toolchain -----------------------------------------------------------------


# target: (Debian's compiler for it, which links glibc 2.36; the tag the wheel must get)
_SYSTEM_COMPILERS = {
    "linux-aarch64": ("aarch64-linux-gnu-gcc", "manylinux_2_17_aarch64"),
    "linux-64": ("gcc", "manylinux_2_17_x86_64"),
}


@pytest.mark.parametrize("target", sorted(_SYSTEM_COMPILERS))
def test_default_toolchain_gives_the_baseline_tag(
    target: str, tmp_path: Path, user_venv: Path, user_env: dict[str, str]
) -> None:
    """With Debian's gccs installed (they link glibc 2.36) and no setting, pip's isolated
    build still makes a manylinux_2_17 wheel: the backend asks for ziglang."""
    system_compiler, tag = _SYSTEM_COMPILERS[target]
    assert shutil.which(system_compiler, path=user_env["PATH"]), f"{system_compiler} missing"
    project = _copy(EXAMPLE, tmp_path / "gohash")
    out = tmp_path / "dist"
    log = _pip(user_venv, "wheel", "--no-deps", "-v", "-w", str(out), "-C", f"target={target}",
               ".", env=user_env, cwd=project)  # fmt: skip
    wheel = _one_wheel(out)
    assert wheel.name.endswith(f"-py3-none-{tag}.whl"), log[-3000:]
    assert "ziglang" in log  # pip was asked for it and installed it
    glibc, _arch, said = auditwheel_show(wheel)
    assert glibc <= (2, 17), said  # 2.17 or older is what it needs


def test_a_chosen_toolchain_is_used_as_chosen(
    tmp_path: Path, base_env: dict[str, str], crossgo_cache: Path
) -> None:
    """A user who sets the toolchain gets exactly that: Debian's cross gcc and an honest
    manylinux_2_36 tag with a note; a baseline it cannot meet is an error in pip's spelling."""
    project = _copy(EXAMPLE, tmp_path / "gohash")
    env = {**base_env, "CROSSGO_CACHE_DIR": str(crossgo_cache)}
    argv = [sys.executable, "-m", "crossgo", "wheel", str(project), "--target", "linux-aarch64",
            "-o", str(tmp_path / "dist"), "-C", "toolchain=system"]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert _one_wheel(tmp_path / "dist").name.endswith("-manylinux_2_36_aarch64.whl")
    assert "links against glibc 2.36" in done.stderr
    assert "-C toolchain=zig" in done.stderr
    refused = subprocess.run(
        [*argv[:-2], "-C", "toolchain=system", "-C", "glibc=2.17", "-o", str(tmp_path / "d2")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1, refused.stderr
    assert "-C toolchain=zig" in refused.stderr
    assert "--toolchain" not in refused.stderr
    assert not (tmp_path / "d2").exists() or not list((tmp_path / "d2").iterdir())


# --- editable installs with a hand-written loader ------------------------------------------


def _handloader_project(tmp_path: Path) -> Path:
    project = _copy(PACKAGES / "handloader", tmp_path / "handloader")
    (project / ".gitignore").write_text("__pycache__/\n")
    run_or_fail(["git", "init", "-q"], project)
    run_or_fail(["git", "add", "-A"], project)
    commit = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "1"]
    run_or_fail(commit, project)
    return project


def test_editable_install_serves_a_hand_written_loader(
    tmp_path: Path, user_venv: Path, user_env: dict[str, str]
) -> None:
    """`pip install -e .` of a package whose __init__.py opens
    Path(__file__).with_name("libhandloader.so"); an edit of the .go file is seen by the next
    process; git status stays clean."""
    project = _handloader_project(tmp_path)
    env = {**user_env}
    _pip(user_venv, "install", "crossgo", env=env, cwd=tmp_path)  # so that an import rebuilds
    _pip(user_venv, "install", "-e", ".", env=env, cwd=project)
    python = str(user_venv / "bin" / "python")
    use = "import handloader; print(handloader.add(40, 2), handloader.__file__)"
    first = subprocess.run([python, "-c", use], env=env, cwd=tmp_path, capture_output=True,
                           text=True, check=True).stdout.split()  # fmt: skip
    assert first == ["42", str(project / "handloader" / "__init__.py")]
    assert (project / "handloader" / "libhandloader.so").is_file()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    assert status == ""
    main = project / "go" / "main.go"
    main.write_text(main.read_text().replace("return a + b", "return a + b + 1000"))
    again = subprocess.run([python, "-c", use], env=env, cwd=tmp_path, capture_output=True,
                           text=True, check=True).stdout.split()  # fmt: skip
    assert again[0] == "1042"


def test_editable_install_into_a_read_only_package_says_what_to_do(
    tmp_path: Path, user_venv: Path, user_env: dict[str, str]
) -> None:
    project = _handloader_project(tmp_path)
    with read_only(project / "handloader"):
        done = subprocess.run(
            [str(user_venv / "bin" / "python"), "-m", "pip", "install", "-e", "."],
            env=user_env,
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
            timeout=1200,
        )
    assert done.returncode != 0
    assert "is not writable" in done.stderr
    assert "pip install ." in done.stderr


# --- stripping that strips -----------------------------------------------------------------

_STRIP_CASES = [
    *(("zig", target) for target in MAIN_TARGETS),
    ("system", "linux-64"),
    ("system", "linux-aarch64"),
    ("system", "win-64"),
]


def _debug_left(library: Path) -> list[str]:
    """What llvm's tools, not crossgo's reader, find of debug information or symbols."""
    headers = subprocess.run(
        ["llvm-objdump", "-h", str(library)], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split() for line in headers.splitlines()]
    names = [row[1] for row in rows if len(row) > 1 and row[0].isdigit()]  # "Idx Name Size.."
    left = [name for name in names if "debug" in name.lower() or name.startswith("__DWARF")]
    if library.suffix == ".so":
        sections = subprocess.run(
            ["llvm-readelf", "-S", str(library)], capture_output=True, text=True, check=True
        ).stdout
        left += [".symtab"] if " .symtab " in sections else []
    if library.suffix == ".dll":
        coff = subprocess.run(
            ["llvm-readobj", "--file-headers", "--coff-debug-directory", str(library)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        left += [line.strip() for line in coff.splitlines() if "CodeView" in line]
        left += [] if "PointerToSymbolTable: 0x0" in coff else ["COFF symbol table"]
    return left


@pytest.mark.parametrize(("toolchain", "target"), _STRIP_CASES)
def test_strip_leaves_no_debug_information(
    toolchain: str, target: str, build_in: Any, tmp_path: Path
) -> None:
    glibc = "2.36" if toolchain == "system" and target.startswith("linux") else None
    stripped = build_in(target, toolchain=toolchain, strip=True, glibc=glibc)
    assert _debug_left(stripped.library) == []
    assert [check.ok for check in stripped.checks if check.name == "stripped"] == [True]
    kept = build_in(
        target, toolchain=toolchain, strip=False, glibc=glibc, output_dir=tmp_path / "kept"
    )
    if target.startswith("osx"):  # a dylib keeps no DWARF either way: its symbols differ
        assert _symbol_count(stripped.library) * 5 < _symbol_count(kept.library)
    else:  # the same build unstripped does carry debug information
        assert _debug_left(kept.library)


def _symbol_count(library: Path) -> int:
    return len(
        subprocess.run(
            ["llvm-nm", "-a", str(library)], capture_output=True, text=True, check=True
        ).stdout.splitlines()
    )


def test_strip_check_fails_when_the_toolchain_ignores_it(tmp_path: Path, build_in: Any) -> None:
    """A compiler that drops -s (as zig let -g undo it) fails the build, naming it."""
    wrapper = tmp_path / "cc-that-keeps-symbols"
    wrapper.write_text(
        '#!/bin/sh\nfor arg do shift; [ "$arg" = -s ] || set -- "$@" "$arg"; done\n'
        'exec gcc "$@" -g\n'
    )
    wrapper.chmod(0o755)
    output = tmp_path / "out"
    with pytest.raises(crossgo.ArtifactCheckError) as raised:
        build_in("linux-64", cc=str(wrapper), strip=True, output_dir=output)
    message = str(raised.value)
    assert "stripped: still has" in message
    assert str(wrapper) in message
    assert "--toolchain zig" in message
    assert not output.exists()


def _path_without_c_compilers(directory: Path, path: str) -> str:
    """A PATH with every program of ``path`` but the C and C++ compilers: a machine that has
    no compiler of its own, where zig from PyPI is the only one."""
    compilers = re.compile(
        r"^(cc|c\+\+|c89|c99|cpp|gcc|g\+\+|clang|.*-(gcc|g\+\+|cc|c\+\+)(-\d+)?)"
    )
    directory.mkdir()
    for folder in reversed(path.split(os.pathsep)):
        for program in Path(folder).glob("*") if Path(folder).is_dir() else ():
            link = directory / program.name
            if not compilers.match(program.name) and not link.exists():
                link.symlink_to(program)
    return str(directory)


def test_a_machine_with_zig_only(tmp_path: Path, user_venv: Path, user_env: dict[str, str]) -> None:
    """No C compiler on PATH at all: the backend asks pip for ziglang, and the wheel for this
    machine is manylinux_2_17 and loads."""
    env = {**user_env, "PATH": _path_without_c_compilers(tmp_path / "bin", user_env["PATH"])}
    assert shutil.which("gcc", path=env["PATH"]) is None
    assert shutil.which("cc", path=env["PATH"]) is None
    project = _copy(EXAMPLE, tmp_path / "gohash")
    _pip(user_venv, "wheel", "--no-deps", "-w", str(tmp_path / "dist"), ".", env=env, cwd=project)
    wheel = _one_wheel(tmp_path / "dist")
    assert wheel.name.endswith("-py3-none-manylinux_2_17_x86_64.whl")
    _pip(user_venv, "install", "--no-deps", str(wheel), env=env, cwd=tmp_path)
    python = str(user_venv / "bin" / "python")
    done = subprocess.run([python, "-c", "import gohash; print(gohash.add(40, 2))"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, check=True)  # fmt: skip
    assert done.stdout.split() == ["42"]
