"""conda-forge's compilers: inside a conda-build / rattler-build script, or in a prefix.

Inside a build script (``CONDA_BUILD=1``) the compiler activation has already set ``$CC``
and the *target's* CFLAGS/CPPFLAGS/LDFLAGS; crossgo uses them when ``target_platform`` is the
target asked for. ``$CC`` is a bare triplet name (gcc >= 14.4, clang) or an absolute path
(older activations); both are accepted. Outside a build script, a prefix (``--conda-prefix``
or the active ``$CONDA_PREFIX``) qualifies when its ``conda-meta`` records the target's
compiler package and the triplet-named compiler is installed; its activation flags are not
used there, because they were written for whatever that environment was activated for.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from crossgo.toolchain.base import Miss, Toolchain, ToolchainQuery

__all__ = ["find"]


def _resolve(command: str, path: str) -> str | None:
    if Path(command).is_absolute():
        return command if Path(command).is_file() else None
    return shutil.which(command, path=path)


def _is_rpath(flag: str) -> bool:
    return flag.startswith(("-Wl,-rpath,", "-Wl,-rpath=")) or flag == "-Wl,-rpath"


def conda_ldflags(raw: str, *, linux: bool) -> tuple[str, ...]:
    """conda's LDFLAGS minus absolute rpaths (crossgo sets relative ones) and, on Linux,
    with ``--no-gc-sections`` re-added: conda's patched Go does the same, because
    ``--gc-sections`` drops sections cgo's runtime needs."""
    flags = [flag for flag in shlex.split(raw) if not _is_rpath(flag)]
    if linux and "-Wl,--gc-sections" in flags:
        flags.append("-Wl,--no-gc-sections")
    return tuple(flags)


def _from_build_script(query: ToolchainQuery) -> Toolchain | Miss:
    env, target = query.env, query.target
    platform = env.get("target_platform", "")
    if platform != target.name:
        return Miss("conda", f"the conda-build script builds for {platform!r}, not {target.name}")
    if not env.get("CC"):
        return Miss(
            "conda",
            "the recipe activates no C compiler ($CC is unset); add "
            "${{ compiler('c') }} (win-64: ${{ compiler('m2w64_c') }}) to its build requirements",
        )
    cc = _resolve(env["CC"], env.get("PATH", ""))
    if cc is None:
        return Miss("conda", f"$CC ({env['CC']}) is not on the build PATH")
    cxx = _resolve(env["CXX"], env.get("PATH", "")) if env.get("CXX") else None
    cross = env.get("CONDA_BUILD_CROSS_COMPILATION") == "1" or (
        env.get("build_platform", platform) != platform
    )
    cppflags = list(shlex.split(env.get("CPPFLAGS", "")))
    if target.goos == "darwin" and env.get("CONDA_BUILD_SYSROOT"):
        cppflags += ["-isysroot", env["CONDA_BUILD_SYSROOT"]]
    return Toolchain(
        kind="conda",
        cc=cc,
        cxx=cxx,
        origin=f"conda-build script for {platform} ({'cross' if cross else 'native'}): $CC={cc}",
        cflags=tuple(shlex.split(env.get("CFLAGS", ""))),
        cppflags=tuple(cppflags),
        ldflags=conda_ldflags(env.get("LDFLAGS", ""), linux=target.goos == "linux"),
    )


def _installed(prefix: Path, name: str) -> Path | None:
    """A compiler in a prefix: bin/ on Unix hosts, Library/bin/ (with .exe) on Windows."""
    for directory in (prefix / "bin", prefix / "Library" / "bin"):
        for candidate in (directory / name, directory / f"{name}.exe"):
            if candidate.is_file():
                return candidate
    return None


def _compiler_in_prefix(query: ToolchainQuery, prefix: Path) -> Toolchain | Miss:
    conda = query.target.conda
    if conda is None:
        return Miss(
            "conda", f"conda-forge has no C compiler for {query.target.name} that cgo can use"
        )
    records = sorted((prefix / "conda-meta").glob(f"{conda.c_compiler}-*.json"))
    if not records:
        return Miss(
            "conda",
            f"{prefix} has no {conda.c_compiler} package "
            f"(`conda install -p {prefix} {conda.c_compiler}`)",
        )
    cc = _installed(prefix, conda.cc)
    if cc is None:
        return Miss(
            "conda",
            f"{records[0].name} is installed in {prefix} but "
            f"{conda.cc} is not in its bin/ or Library/bin/",
        )
    cxx = _installed(prefix, conda.cxx)
    version = records[-1].stem.removeprefix(f"{conda.c_compiler}-").split("-")[0]
    return Toolchain(
        kind="conda",
        cc=str(cc),
        cxx=str(cxx) if cxx else None,
        version=version,
        origin=f"{conda.c_compiler} {version} in conda prefix {prefix}",
    )


def find(query: ToolchainQuery) -> Toolchain | Miss:
    env = query.env
    if query.conda_prefix is None and env.get("CONDA_BUILD") == "1" and env.get("target_platform"):
        return _from_build_script(query)
    prefix = query.conda_prefix or (Path(env["CONDA_PREFIX"]) if env.get("CONDA_PREFIX") else None)
    if prefix is None:
        return Miss("conda", "no conda-build script, --conda-prefix or active conda environment")
    return _compiler_in_prefix(query, prefix)
