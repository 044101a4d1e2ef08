"""conda-forge toolchains, modelled as conda lays them out, backed by real compilers.

No conda channel is reachable here, so each prefix is built the way conda-forge's packages
lay it out (``conda-meta/<pkg>-<ver>-<build>.json``, triplet-named compilers in ``bin/``,
Go's GOROOT in ``<prefix>/go`` with ``bin/go`` linking into it) and the environment is the
one conda-build's activation scripts export. The triplet-named compilers run Debian's real
gcc, aarch64 cross gcc and mingw-w64.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import crossgo
from crossgo.binary import read_binary
from tests.conftest import EXAMPLE_GO, PACKAGES, BuildFn
from tests.support.emulation import AArch64Python, WindowsRunner

pytestmark = pytest.mark.slow

# conda's gcc links against its glibc 2.17 sysroot; the Debian gccs standing in for it
# link against Debian 12's glibc 2.36, so these builds declare that baseline.
STAND_IN_GLIBC = "2.36"

REAL = {
    "x86_64-conda-linux-gnu-cc": "gcc",
    "aarch64-conda-linux-gnu-cc": "aarch64-linux-gnu-gcc",
    "x86_64-w64-mingw32-gcc": "x86_64-w64-mingw32-gcc",
}


def conda_prefix(root: Path, package: str, compiler: str, *, go: bool = False) -> Path:
    """A prefix with one compiler package installed, as conda would leave it."""
    (root / "conda-meta").mkdir(parents=True)
    (root / "bin").mkdir()
    record = {
        "name": package,
        "version": "15.1.0",
        "build": "h3b3b3b3_2",
        "files": [f"bin/{compiler}"],
    }
    (root / "conda-meta" / f"{package}-15.1.0-h3b3b3b3_2.json").write_text(json.dumps(record))
    real = shutil.which(REAL[compiler])
    assert real, f"{REAL[compiler]} is installed by .ci/install-system-deps.sh"
    script = root / "bin" / compiler
    script.write_text(f'#!/bin/sh\nexec {real} "$@"\n')
    script.chmod(0o755)
    if go:
        goroot = Path(
            subprocess.run(
                ["go", "env", "GOROOT"], capture_output=True, text=True, check=True
            ).stdout.strip()
        )
        (root / "go").symlink_to(goroot, target_is_directory=True)
        (root / "bin" / "go").symlink_to("../go/bin/go")
    return root


def conda_build_env(
    base: dict[str, str],
    *,
    build_prefix: Path,
    prefix: Path,
    target: str,
    cc: str,
    cflags: str,
    cross: bool,
) -> dict[str, str]:
    """What conda-build plus the gcc activation export inside a build script."""
    env = {key: value for key, value in base.items() if not key.startswith("CONDA")}
    env.update(
        {
            "CONDA_BUILD": "1",
            "PREFIX": str(prefix),
            "BUILD_PREFIX": str(build_prefix),
            "SRC_DIR": str(prefix.parent / "work"),
            "target_platform": target,
            "build_platform": "linux-64",
            "CONDA_BUILD_CROSS_COMPILATION": "1" if cross else "",
            "PATH": f"{build_prefix / 'bin'}{os.pathsep}{base['PATH']}",
            "CC": cc,
            "CFLAGS": f"{cflags} -isystem {prefix}/include",
            "CPPFLAGS": f"-DNDEBUG -D_FORTIFY_SOURCE=2 -O2 -isystem {prefix}/include",
            "LDFLAGS": (
                "-Wl,-O2 -Wl,--sort-common -Wl,--as-needed -Wl,-z,relro -Wl,-z,now "
                "-Wl,--disable-new-dtags -Wl,--gc-sections -Wl,--allow-shlib-undefined "
                f"-Wl,-rpath,{prefix}/lib -Wl,-rpath-link,{prefix}/lib -L{prefix}/lib"
            ),
            "GOFLAGS": "-modcacherw -buildmode=pie -trimpath",  # go-activation's, on purpose
        }
    )
    return env


def test_conda_build_native_linux_64(
    build_in: BuildFn, base_env: dict[str, str], tmp_path: Path
) -> None:
    build_prefix = conda_prefix(
        tmp_path / "_build_env", "gcc_linux-64", "x86_64-conda-linux-gnu-cc", go=True
    )
    prefix = tmp_path / "_h_env"
    (prefix / "lib").mkdir(parents=True)
    env = conda_build_env(
        base_env,
        build_prefix=build_prefix,
        prefix=prefix,
        target="linux-64",
        cc="x86_64-conda-linux-gnu-cc",
        cross=False,
        cflags="-march=nocona -mtune=haswell -ftree-vectorize -fPIC -fstack-protector-strong "
        "-fno-plt -O2 -ffunction-sections -pipe",
    )
    site = prefix / "lib" / "python3.11" / "site-packages" / "gohash"
    result = build_in("linux-64", env=env, output_dir=site, glibc=STAND_IN_GLIBC)
    assert result.toolchain.kind == "conda"
    assert result.toolchain.cc == str(build_prefix / "bin" / "x86_64-conda-linux-gnu-cc")
    plan = crossgo.plan(
        crossgo.BuildRequest(package_dir=EXAMPLE_GO, target="linux-64", output_dir=site), env
    )
    assert plan.go.source == "conda-build BUILD_PREFIX"
    assert plan.spec.prefix == prefix  # $PREFIX is the default host prefix
    info = read_binary(result.library)
    assert info.rpaths == ("$ORIGIN/../../..",)
    lib = ctypes.CDLL(str(result.library))
    assert lib.Fib(10) == 55


def test_conda_build_cross_linux_aarch64_with_host_library(
    build_in: BuildFn, base_env: dict[str, str], tmp_path: Path, aarch64_python: AArch64Python
) -> None:
    build_prefix = conda_prefix(
        tmp_path / "_build_env", "gcc_linux-aarch64", "aarch64-conda-linux-gnu-cc", go=True
    )
    prefix = tmp_path / "_h_env"
    (prefix / "lib").mkdir(parents=True)
    (prefix / "include").mkdir()
    # The C library exists only in the host prefix, built for the target.
    shutil.copy(PACKAGES / "greet" / "c" / "greet.h", prefix / "include")
    subprocess.run(
        [
            "aarch64-linux-gnu-gcc",
            "-shared",
            "-fPIC",
            "-Wl,-soname,libgreet.so",
            "-o",
            str(prefix / "lib" / "libgreet.so"),
            str(PACKAGES / "greet" / "c" / "greet.c"),
        ],
        check=True,
    )
    env = conda_build_env(
        base_env,
        build_prefix=build_prefix,
        prefix=prefix,
        target="linux-aarch64",
        # An older activation: $CC as an absolute path.
        cc=str(build_prefix / "bin" / "aarch64-conda-linux-gnu-cc"),
        cross=True,
        cflags="-ftree-vectorize -fPIC -fstack-protector-strong -fno-plt -O3 -pipe",
    )
    env["CC_FOR_BUILD"] = "x86_64-conda-linux-gnu-cc"
    site = prefix / "lib" / "python3.11" / "site-packages" / "greet"
    result = build_in(
        "linux-aarch64",
        package_dir=PACKAGES / "greet" / "go",
        env=env,
        output_dir=site,
        glibc=STAND_IN_GLIBC,
    )
    assert result.toolchain.kind == "conda"
    info = read_binary(result.library)
    assert info.machine == "aarch64"
    assert info.rpaths == ("$ORIGIN/../../..",)
    assert "libgreet.so" in info.needed
    assert str(tmp_path) not in result.library.read_bytes().decode("latin-1")
    run = aarch64_python.run(
        f"import ctypes; print(ctypes.CDLL({str(result.library)!r}).Answer(2))"
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "42"


def test_conda_build_for_another_platform_is_not_used(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    build_prefix = conda_prefix(
        tmp_path / "_build_env", "gcc_linux-64", "x86_64-conda-linux-gnu-cc"
    )
    env = conda_build_env(
        base_env,
        build_prefix=build_prefix,
        prefix=tmp_path / "h",
        target="linux-64",
        cc="x86_64-conda-linux-gnu-cc",
        cross=False,
        cflags="-O2",
    )
    with pytest.raises(crossgo.ToolchainError, match="builds for 'linux-64', not linux-aarch64"):
        crossgo.plan(
            crossgo.BuildRequest(package_dir=EXAMPLE_GO, target="linux-aarch64", toolchain="conda"),
            env,
        )


def test_activated_environment_win_64(
    build_in: BuildFn, base_env: dict[str, str], tmp_path: Path, windows_runner: WindowsRunner
) -> None:
    env_prefix = conda_prefix(tmp_path / "envs" / "gowin", "gcc_win-64", "x86_64-w64-mingw32-gcc")
    env = {
        **base_env,
        "CONDA_PREFIX": str(env_prefix),
        "CC": "x86_64-conda-linux-gnu-cc",
        "CFLAGS": "-march=nocona",
    }  # host leftovers
    result = build_in("win-64", env=env)
    assert result.toolchain.kind == "conda"
    assert "gcc_win-64 15.1.0" in result.toolchain.origin
    assert windows_runner.call(result.library, "Add", 40, 2) == 42


def test_conda_prefix_option_without_the_compiler_falls_through(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    other = conda_prefix(tmp_path / "env", "gcc_linux-64", "x86_64-conda-linux-gnu-cc")
    plan = crossgo.plan(
        crossgo.BuildRequest(package_dir=EXAMPLE_GO, target="linux-aarch64", conda_prefix=other),
        base_env,
    )
    assert plan.toolchain.kind == "zig"
    with pytest.raises(crossgo.ToolchainError, match="has no gcc_linux-aarch64 package"):
        crossgo.plan(
            crossgo.BuildRequest(
                package_dir=EXAMPLE_GO,
                target="linux-aarch64",
                conda_prefix=other,
                toolchain="conda",
            ),
            base_env,
        )
