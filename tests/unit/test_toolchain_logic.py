"""Pure pieces of the toolchain layer: the zig wrapper's argument filter, conda's flags."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

from crossgo.toolchain.conda import conda_ldflags
from crossgo.toolchain.zig import wrapper_script


def zig_executable() -> Path:
    spec = importlib.util.find_spec("ziglang")
    assert spec and spec.origin, "ziglang is in crossgo[dev]"
    return Path(spec.origin).parent / "zig"


def run_wrapper(tmp_path: Path, *args: str) -> list[str]:
    """Run the real wrapper text with /bin/sh against a stand-in 'zig' that prints its argv."""
    recorder = tmp_path / "zig"
    recorder.write_text('#!/bin/sh\nfor a do printf "%s\\n" "$a"; done\n')
    recorder.chmod(0o755)
    wrapper = tmp_path / "cc"
    wrapper.write_text(wrapper_script(recorder, "aarch64-macos.12.0"))
    wrapper.chmod(0o755)
    done = subprocess.run([str(wrapper), *args], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_wrapper_passes_arguments_through_verbatim(tmp_path: Path) -> None:
    tricky = ["-o", "out dir/lib x.dylib", '-DX="a b"', "$HOME", "-Wl,-rpath,@loader_path/.."]
    assert run_wrapper(tmp_path, *tricky) == [
        "cc",
        "-target",
        "aarch64-macos.12.0",
        "-fno-sanitize=undefined",
        *tricky,
    ]


def test_wrapper_rewrites_what_zig_rejects(tmp_path: Path) -> None:
    argv = run_wrapper(
        tmp_path,
        "-Wl,-headerpad,1144",
        "-mthreads",
        "-Wl,-no_pie",
        "-Wl,--compress-debug-sections=zlib-gnu",
        "-shared",
    )
    assert argv[4:] == ["-Wl,-headerpad_max_install_names", "-shared"]


@pytest.mark.parametrize(
    "args", [("-###", "-x", "c", "-c", "-"), ("-c", "-x", "c", "-", "-o", "/dev/null")]
)
def test_wrapper_keeps_probe_output_out_of_the_package(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """zig writes ./-.o for these probes Go runs in the package directory; the real zig."""
    zig = zig_executable()
    package = tmp_path / "package"
    package.mkdir()
    wrapper = tmp_path / "cc"
    wrapper.write_text(wrapper_script(zig, "aarch64-macos.13.0"))
    wrapper.chmod(0o755)
    subprocess.run(
        [str(wrapper), *args], cwd=package, input=b"int x;\n", capture_output=True, check=True
    )
    assert list(package.iterdir()) == []


def test_conda_ldflags_drop_absolute_rpaths_and_keep_cgo_sections() -> None:
    flags = conda_ldflags(
        "-Wl,-O2 -Wl,--gc-sections -Wl,-rpath,/p/lib -Wl,-rpath-link,/p/lib -L/p/lib", linux=True
    )
    assert flags == (
        "-Wl,-O2",
        "-Wl,--gc-sections",
        "-Wl,-rpath-link,/p/lib",
        "-L/p/lib",
        "-Wl,--no-gc-sections",
    )
    assert conda_ldflags("-Wl,-rpath,/p/lib -L/p/lib", linux=False) == ("-L/p/lib",)
