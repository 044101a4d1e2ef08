"""A real cibuildwheel (``--platform linux``), in podman, offline inside the container.

The image, the wheel directory and what stands in for what are described in
tests/support/cibw_lab.py; the [tool.cibuildwheel] table is the one docs/cibuildwheel.md
shows, read from there.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PACKAGES, REPO
from tests.support import cibw_lab

pytestmark = pytest.mark.slow

DOCS = REPO / "docs" / "cibuildwheel.md"


def documented_config() -> str:
    text = DOCS.read_text()
    match = re.search(r"<!-- cibuildwheel-config -->\n```toml\n(.*?)```", text, re.DOTALL)
    assert match, "docs/cibuildwheel.md shows the [tool.cibuildwheel] table"
    return match.group(1)


@pytest.fixture(scope="session")
def image(test_cache: Path) -> str:
    return cibw_lab.image(test_cache)


@pytest.fixture(scope="session")
def wheels(test_cache: Path, wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    into = tmp_path_factory.mktemp("cibw") / "wheels"
    return cibw_lab.wheel_directory(test_cache, wheelhouse, into)


def prepared(source: Path, root: Path, wheels: Path) -> Path:
    project = root / source.name
    shutil.copytree(source, project, ignore=shutil.ignore_patterns("dist", "conda", "build"))
    shutil.copytree(wheels, project / "_wheels")
    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n" + documented_config())
    return project


def library_members(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return [name for name in archive.namelist() if name.endswith(".so")]


def two_identifiers(project: Path, tmp_path: Path, image: str, test_command: str) -> cibw_lab.Run:
    """cibuildwheel for cp311 and cp312 (the documented table builds cp312-* only: two
    identifiers show the reuse) with a project-specific test command; one wheel comes out."""
    run = cibw_lab.cibuildwheel(
        project,
        tmp_path / "wheelhouse",
        image_tag=image,
        wheels_in_project="_wheels",
        extra={
            "CIBW_BUILD": "cp311-manylinux_x86_64 cp312-manylinux_x86_64",
            "CIBW_TEST_COMMAND": test_command,
        },
    )
    (wheel,) = run.wheels
    # The image's gcc links glibc 2.36, so the backend asked for ziglang and the library
    # needs glibc 2.17 at most; auditwheel repair adds every policy it meets, up to the
    # image's own.
    platforms = wheel.name.removesuffix(".whl").split("-")[-1].split(".")
    assert "manylinux_2_17_x86_64" in platforms
    assert cibw_lab.POLICY in platforms
    assert "auditwheel repair" in run.output
    assert "Found previously built wheel" in run.output  # cp312 reuses cp311's wheel
    return run


def test_gohash_builds_once_for_two_identifiers(image: str, wheels: Path, tmp_path: Path) -> None:
    project = prepared(REPO / "examples" / "gohash", tmp_path, wheels)
    command = (
        'python -c "import gohash; assert gohash.add(40, 2) == 42; '
        "print('go says', gohash.sha256_hex(b'abc'))\""
    )
    run = two_identifiers(project, tmp_path, image, command)
    assert run.wheels[0].name.startswith("gohash-0.1.0-")
    assert library_members(run.wheels[0]) == ["gohash/libgohash.so"]
    assert (
        "crossgo: cp311-manylinux_x86_64 builds linux-64 "
        f"(AUDITWHEEL_PLAT={cibw_lab.POLICY})" in run.output
    )  # the before-build hook
    sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert run.output.count(f"go says {sha}") == 2  # tested in each identifier's venv


def test_a_second_project_with_its_library_in_a_subpackage(
    image: str, wheels: Path, tmp_path: Path
) -> None:
    project = prepared(PACKAGES / "gogreet", tmp_path, wheels)
    command = (
        "python -c \"import gogreet; n = gogreet.shout_length('héllo'); "
        "assert n == 6, n; print('shouted', n)\""
    )
    run = two_identifiers(project, tmp_path, image, command)
    assert run.wheels[0].name.startswith("gogreet-2.0.0-")
    assert library_members(run.wheels[0]) == ["gogreet/_native/libgreet.so"]
    assert run.output.count("shouted 6") == 2
