"""The value types every toolchain finder shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from crossgo.cache import CacheDir
from crossgo.spelling import Frontend
from crossgo.targets import Target

__all__ = ["Miss", "Toolchain", "ToolchainKind", "ToolchainQuery"]

ToolchainKind = Literal["explicit", "conda", "zig", "system"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Toolchain:
    """A C toolchain cgo can use for one target, and where it came from."""

    kind: ToolchainKind
    cc: str  # one executable path: cgo runs it for every C compile and the final link
    cxx: str | None
    origin: str  # a sentence for `crossgo env --explain`
    version: str | None = None
    # Flags the toolchain itself needs, e.g. conda-build's target CFLAGS.
    cflags: tuple[str, ...] = ()
    cppflags: tuple[str, ...] = ()
    ldflags: tuple[str, ...] = ()
    # Variables the toolchain needs at run time, e.g. zig's cache location.
    env: Mapping[str, str] = field(default_factory=dict)
    # Directories of the toolchain that compiled code may record (zig's libc headers), each
    # with the fixed name the build maps it to, so the bytes do not depend on where it lives.
    source_roots: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "cc": self.cc,
            "cxx": self.cxx,
            "version": self.version,
            "origin": self.origin,
        }


@dataclass(frozen=True, slots=True)
class Miss:
    """Why a finder found nothing usable, and what would fix it."""

    kind: ToolchainKind
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolchainQuery:
    """Everything a finder may look at. Finders read nothing else (no os.environ)."""

    target: Target
    env: Mapping[str, str]
    cache: CacheDir
    macos_version: str  # deployment target for darwin targets
    conda_prefix: Path | None = None
    frontend: Frontend = "cli"  # how messages spell settings
