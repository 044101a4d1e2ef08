"""crossgo's own cache directory and what lives in it.

Go's GOPATH, GOMODCACHE, GOCACHE and GOBIN are isolated here instead of the user's ``~/go``,
so that builds do not depend on (or disturb) whatever else the machine has built. The
location is, first match wins:

1. ``--cache-dir`` on the command line (``cache_dir=`` in the API);
2. ``CROSSGO_CACHE_DIR``;
3. ``$XDG_CACHE_HOME/crossgo``, else ``~/.cache/crossgo`` (``~/Library/Caches/crossgo`` on
   macOS, ``%LOCALAPPDATA%\\crossgo`` on Windows).

Inside a conda-build or rattler-build script (``CONDA_BUILD=1``) HOME is the work directory
and the caller's variables are gone, so ``~`` is the home of the user running the build,
read from the password database: a second build of a recipe then finds Go's and zig's
caches warm. Pass ``CROSSGO_CACHE_DIR`` through to put them elsewhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from crossgo import _atomic
from crossgo.errors import OutputError

__all__ = ["CACHEDIR_TAG", "CacheDir", "default_cache_root", "file_identity", "is_crossgo_tag"]

# The cache-directory tag (https://bford.info/cachedir/): backup tools skip a directory
# holding it, and `crossgo clean` only empties a root that carries crossgo's.
CACHEDIR_TAG = "CACHEDIR.TAG"
_TAG_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"
_TAG_TEXT = (
    f"{_TAG_SIGNATURE}\n"
    "# This file is a cache directory tag created by crossgo; `crossgo clean` empties it.\n"
)


def is_crossgo_tag(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return text.startswith(_TAG_SIGNATURE) and "created by crossgo" in text


def _home(env: Mapping[str, str]) -> Path:
    if env.get("CONDA_BUILD") == "1" and sys.platform != "win32":
        import pwd  # noqa: PLC0415 - POSIX only

        with contextlib.suppress(KeyError):
            return Path(pwd.getpwuid(os.getuid()).pw_dir)
    return Path(env["HOME"]) if env.get("HOME") else Path.home()


def default_cache_root(env: Mapping[str, str]) -> Path:
    if env.get("CROSSGO_CACHE_DIR"):
        return Path(env["CROSSGO_CACHE_DIR"])
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / "crossgo"
    if sys.platform == "darwin":
        return _home(env) / "Library" / "Caches" / "crossgo"
    base = env.get("XDG_CACHE_HOME") or str(_home(env) / ".cache")
    return Path(base) / "crossgo"


@dataclass(frozen=True, slots=True)
class CacheDir:
    """The layout of one cache root. Paths only: nothing is created until asked."""

    root: Path

    @property
    def gopath(self) -> Path:
        return self.root / "go" / "path"

    @property
    def gomodcache(self) -> Path:
        return self.root / "go" / "path" / "pkg" / "mod"

    @property
    def gocache(self) -> Path:
        return self.root / "go" / "build"

    @property
    def gobin(self) -> Path:
        return self.root / "go" / "bin"

    @property
    def zig_cache(self) -> Path:
        return self.root / "zig"

    @property
    def toolchains(self) -> Path:
        """Toolchains crossgo runs from a stable place (the ziglang wheel's zig)."""
        return self.root / "toolchains"

    def wrapper_dir(self, key: str) -> Path:
        return self.root / "wrappers" / key

    def ensure(self, *dirs: Path) -> None:
        """Create directories, turning a permission problem into a clear error."""
        for directory in dirs:
            try:
                directory.mkdir(parents=True, exist_ok=True)
                if not os.access(directory, os.W_OK):
                    raise PermissionError(f"{directory} is not writable")
                if directory == self.root:
                    self._tag()
            except OSError as error:
                msg = (
                    f"crossgo cannot write its cache directory {directory} "
                    f"({error.strerror or error}). "
                    "Point CROSSGO_CACHE_DIR (or --cache-dir) at a writable directory."
                )
                raise OutputError(msg) from error

    def _tag(self) -> None:
        """Mark the root as crossgo's; a tag we cannot write only makes `clean` stricter."""
        tag = self.root / CACHEDIR_TAG
        if not tag.exists():
            with contextlib.suppress(OSError):
                tag.write_text(_TAG_TEXT, encoding="utf-8")

    def read_probe(self, key: Mapping[str, object]) -> dict[str, object] | None:
        path = self._probe_path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def write_probe(self, key: Mapping[str, object], result: Mapping[str, object]) -> None:
        """Remember a probe result; a cache we cannot write only costs time, so ignore errors."""
        path = self._probe_path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _atomic.write_text(path, json.dumps(dict(result)))
        except OSError:
            pass

    def remember(
        self, key: Mapping[str, object], compute: Callable[[], Mapping[str, object]]
    ) -> dict[str, object]:
        """The probe result stored under ``key``; on a miss, ``compute()``'s, stored."""
        cached = self.read_probe(key)
        if cached is None:
            cached = dict(compute())
            self.write_probe(key, cached)
        return cached

    def _probe_path(self, key: Mapping[str, object]) -> Path:
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:24]
        return self.root / "probes" / f"{digest}.json"


def file_identity(path: Path) -> dict[str, object]:
    """What identifies an executable for caching: its real path, size and mtime."""
    real = path.resolve()
    stat = real.stat()
    return {"path": str(real), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
