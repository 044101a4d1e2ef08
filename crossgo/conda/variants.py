"""The variant config a generated recipe renders and builds with: conda-forge's pins for
the keys that ``compiler()`` and ``stdlib()`` read (``conda-forge-pins.toml``, package data),
with macOS's ``c_stdlib_version`` raised to the floor of the Go in use. One table, written
in both formats: rattler-build's ``variants.yaml`` (``if:``/``then:`` items) and
conda-build's ``conda_build_config.yaml`` (``# [selector]`` lines).
"""

from __future__ import annotations

import importlib.resources
import tomllib
from collections.abc import Mapping
from typing import Final

__all__ = ["FAMILIES", "conda_build_config", "pins", "variants_yaml"]

FAMILIES: Final = ("linux", "osx", "win")  # selector names, in the order values are written
Pins = Mapping[str, Mapping[str, str]]  # key -> family -> value


def pins(macos: str) -> dict[str, dict[str, str]]:
    """conda-forge's pins, ``c_stdlib_version`` on osx raised to ``macos`` (never lowered)."""
    source = importlib.resources.files("crossgo.conda") / "templates" / "recipe"
    table = tomllib.loads((source / "conda-forge-pins.toml").read_text(encoding="utf-8"))
    result = {key: {family: str(value) for family, value in values.items()}
              for key, values in table.items()}  # fmt: skip
    floor = result["c_stdlib_version"]["osx"]
    if _version(macos) > _version(floor):
        result["c_stdlib_version"]["osx"] = macos
    return result


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def variants_yaml(table: Pins) -> str:
    lines = []
    for key, values in table.items():
        lines.append(f"{key}:")
        for family in (f for f in FAMILIES if f in values):
            lines += [f"  - if: {family}", f'    then: "{values[family]}"']
    return "\n".join(lines) + "\n"


def _key_selector(values: Mapping[str, str]) -> str:
    families = {f for f in FAMILIES if f in values}
    if families == set(FAMILIES):
        return ""
    return "unix" if families == {"linux", "osx"} else " or ".join(sorted(families))


def conda_build_config(table: Pins) -> str:
    width = max(len(key) for key in table) + 12
    lines = []
    for key, values in table.items():
        selector = _key_selector(values)
        head = f"{key}:"
        lines.append(f"{head:<{width}}# [{selector}]" if selector else head)
        for family in (f for f in FAMILIES if f in values):
            item = f'  - "{values[family]}"'
            lines.append(f"{item:<{width}}# [{family}]")
    return "\n".join(lines) + "\n"
