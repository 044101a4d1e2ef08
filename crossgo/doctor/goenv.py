"""Go's settings as the ``go`` command sees them, and what they do to crossgo builds (pure).

Go reads a setting from the environment first, then the ``go env -w`` file (``go env GOENV``
names it), then ``$GOROOT/go.env``. crossgo sets some variables for every build (they win
over the file, so the file's values are silently ignored there); the rest reach the build
unchanged. Nothing here reads files or runs programs: the caller passes the texts in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from crossgo.targets import Target

__all__ = [
    "CROSSGO_SETS",
    "GoSettings",
    "arch_settings",
    "goflags_conflicts",
    "ignored_file_settings",
    "parse_env_file",
    "toolchain_may_download",
]

# Set by crossgo for every build (environment.compute), so the go env file's value loses.
CROSSGO_SETS: Final = frozenset(
    {
        "CGO_ENABLED",
        "GOOS",
        "GOARCH",
        "GOTOOLCHAIN",
        "GOFLAGS",
        "GOPATH",
        "GOMODCACHE",
        "GOCACHE",
        "GOBIN",
        "CC",
        "CXX",
        "CGO_CFLAGS",
        "CGO_CPPFLAGS",
        "CGO_CXXFLAGS",
        "CGO_LDFLAGS",
    }
)
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
_ARCH_LEVELS: Final = {"amd64": "GOAMD64", "arm64": "GOARM64", "ppc64le": "GOPPC64"}


def parse_env_file(text: str) -> dict[str, str]:
    """A go env file, by Go's own rules (cmd/go/internal/cfg.readEnvFile): ``KEY=value``
    lines whose key starts with A-Z; anything else is ignored; a later line wins."""
    values: dict[str, str] = {}
    for line in text.split("\n"):
        key, sep, value = line.partition("=")
        if sep and key and "A" <= key[0] <= "Z":
            values[key] = value
    return values


@dataclass(frozen=True, slots=True, kw_only=True)
class GoSettings:
    """The three places Go reads a setting from, in order."""

    env: Mapping[str, str]
    user_file: Mapping[str, str] = field(default_factory=dict)
    goroot_file: Mapping[str, str] = field(default_factory=dict)

    def lookup(self, key: str) -> tuple[str, str]:
        """(value, where it came from); ("", "unset") when nowhere. Like Go, an empty
        environment variable does not hide the files."""
        for value, source in (
            (self.env.get(key, ""), "the environment"),
            (self.user_file.get(key, ""), "the go env -w file"),
            (self.goroot_file.get(key, ""), "$GOROOT/go.env"),
        ):
            if value:
                return value, source
        return "", "unset"


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


def arch_settings(settings: GoSettings, targets: Iterable[Target]) -> list[tuple[str, str, str]]:
    """(variable, value, source) for CPU-level settings that reach a requested target:
    GOAMD64=v3 makes a linux-64 library that crashes on older x86-64 CPUs."""
    found: list[tuple[str, str, str]] = []
    for goarch in sorted({target.goarch for target in targets}):
        name = _ARCH_LEVELS.get(goarch)
        value, source = settings.lookup(name) if name else ("", "unset")
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
