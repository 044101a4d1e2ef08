"""Go's settings as the ``go`` command sees them, and what they do to crossgo builds (pure).

Go reads a setting from the environment first, then the ``go env -w`` file (``go env GOENV``
names it), then ``$GOROOT/go.env``. crossgo sets some variables for every build (they win
over the file, so the file's values are silently ignored there); the rest reach the build
unchanged. Nothing here runs programs or reads the user's files: the caller passes the
texts in.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from crossgo.cache import CacheDir
from crossgo.environment import ARCH_LEVELS, BuildSpec, compute
from crossgo.golang import GoInstall
from crossgo.targets import Target, get_target
from crossgo.toolchain import Toolchain

__all__ = [
    "GoSettings",
    "SettingSource",
    "arch_settings",
    "crossgo_sets",
    "goflags_conflicts",
    "ignored_file_settings",
    "parse_env_file",
    "toolchain_may_download",
]


@functools.cache
def crossgo_sets() -> frozenset[str]:
    """The variables every crossgo build sets, so a go env file's value for them loses.

    Derived from :func:`crossgo.environment.compute` itself, for a build of no package for
    linux-64 with a toolchain that has a C++ compiler: what it sets only for some targets or
    toolchains (MACOSX_DEPLOYMENT_TARGET, ZIG_*) is no Go setting."""
    spec = BuildSpec(
        package=None, target=get_target("linux-64"), output_dir=Path("out"), library_name=None
    )
    toolchain = Toolchain(kind="system", cc="cc", cxx="c++", origin="")
    go = GoInstall(go=Path("go"), goroot=Path("goroot"), version="1.22", source="PATH")
    return frozenset(compute(spec, toolchain, go, CacheDir(Path("cache")), {}).variables)


# Of those, the ones a user writes with `go env -w` expecting every build to use them.
_EXPECTED_EVERYWHERE: Final = (
    "GOFLAGS",
    "CGO_CFLAGS",
    "CGO_CPPFLAGS",
    "CGO_CXXFLAGS",
    "CGO_LDFLAGS",
    "CC",
    "CXX",
)
# Settings crossgo passes through that change the code a target gets: GOARCH -> variable.
_LEVEL_OF: Final = {arch: name for name, arch in ARCH_LEVELS.items()}  # GOARCH -> GOAMD64...


def parse_env_file(text: str) -> dict[str, str]:
    """A go env file, by Go's own rules (cmd/go/internal/cfg.readEnvFile): ``KEY=value``
    lines whose key starts with A-Z; anything else is ignored; a later line wins."""
    values: dict[str, str] = {}
    for line in text.split("\n"):
        key, sep, value = line.partition("=")
        if sep and key and "A" <= key[0] <= "Z":
            values[key] = value
    return values


class SettingSource(enum.Enum):
    """Where Go read a setting from, in Go's order; the value is how messages name it."""

    ENV = "the environment"
    USER_FILE = "the go env -w file"
    GOROOT_FILE = "$GOROOT/go.env"
    UNSET = "unset"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True, kw_only=True)
class GoSettings:
    """The three places Go reads a setting from, in order."""

    env: Mapping[str, str]
    user_file: Mapping[str, str] = field(default_factory=dict)
    goroot_file: Mapping[str, str] = field(default_factory=dict)

    def lookup(self, key: str) -> tuple[str, SettingSource]:
        """(value, where it came from); ("", UNSET) when nowhere. Like Go, an empty
        environment variable does not hide the files."""
        for value, source in (
            (self.env.get(key, ""), SettingSource.ENV),
            (self.user_file.get(key, ""), SettingSource.USER_FILE),
            (self.goroot_file.get(key, ""), SettingSource.GOROOT_FILE),
        ):
            if value:
                return value, source
        return "", SettingSource.UNSET


def toolchain_may_download(value: str, local_version: str) -> bool:
    """Whether GOTOOLCHAIN lets ``go`` download another Go (https://go.dev/doc/toolchain)."""
    name, _, mode = (value or "auto").partition("+")
    if name == "auto":  # "auto" means "local+auto"
        return True
    if mode == "auto":
        return True
    if name in {"local", "path"} or mode == "path":
        return False
    return name.removeprefix("go") != local_version  # a pinned release that is not this one


def ignored_file_settings(user_file: Mapping[str, str]) -> dict[str, str]:
    """go env -w settings a user expects in every build but crossgo's environment replaces."""
    return {key: user_file[key] for key in _EXPECTED_EVERYWHERE if user_file.get(key)}


def arch_settings(
    settings: GoSettings, targets: Iterable[Target]
) -> list[tuple[str, str, SettingSource]]:
    """(variable, value, source) for CPU-level settings that reach a requested target:
    GOAMD64=v3 makes a linux-64 library that crashes on older x86-64 CPUs."""
    found: list[tuple[str, str, SettingSource]] = []
    for goarch in sorted({target.goarch for target in targets}):
        name = _LEVEL_OF.get(goarch)
        value, source = settings.lookup(name) if name else ("", SettingSource.UNSET)
        if name and value:
            found.append((name, value, source))
    return found


def goflags_conflicts(goflags: str, has_vendor: bool | None) -> list[str]:
    """GOFLAGS entries that break a c-shared build (crossgo drops them, plain go does not).
    ``has_vendor`` is None when no module is known, so -mod=vendor cannot be judged."""
    conflicts: list[str] = []
    for flag in goflags.split():
        if flag.startswith("-buildmode"):
            conflicts.append(f"{flag} (every build becomes that mode; c-shared is needed)")
        elif flag.startswith("-ldflags"):
            conflicts.append(f"{flag} (replaced by crossgo's; use --ldflags)")
        elif flag == "-mod=vendor" and has_vendor is False:
            conflicts.append("-mod=vendor (the module has no vendor/modules.txt)")
    return conflicts
