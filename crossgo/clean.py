"""``crossgo clean``: empty crossgo's own cache, and nothing else.

Only the subdirectories crossgo creates in its cache root (:data:`OWN_ENTRIES`) are removed;
the user's ``~/go``, Go's global GOCACHE and anything crossgo did not create are never
touched. A root is only cleaned when it looks like crossgo's: it carries crossgo's
``CACHEDIR.TAG`` (written since that tag was introduced), or, for older caches, it holds
nothing but crossgo's own entries. Symbolic links are never followed: a known entry that is
a link is reported and left alone, and links inside the tree are removed as links.

Go makes its module cache read-only, so directories are made writable before removal. Each
entry is first renamed to a ``.crossgo-trash-*`` name and then deleted, so an interrupted
clean leaves nothing half-deleted under a name a build uses; the next clean finishes it.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from crossgo.cache import CACHEDIR_TAG, CacheDir, is_crossgo_tag
from crossgo.errors import OutputError, UsageError

__all__ = [
    "OWN_ENTRIES",
    "CleanEntry",
    "CleanPlan",
    "entry_problem",
    "human_size",
    "layout_problem",
    "plan_clean",
    "remove",
]

# What crossgo creates in its cache root (see crossgo.cache.CacheDir).
OWN_ENTRIES: Final = (
    "go",
    "zig",
    "toolchains",
    "wrappers",
    "probes",
    "macos-stubs",
    "bindings",
)
_TRASH_PREFIX: Final = ".crossgo-trash-"
_GO_LAYOUT: Final = frozenset({"path", "build", "bin"})


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanEntry:
    path: Path
    size: int  # bytes on disk (allocated blocks; apparent size where blocks are unknown)


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanPlan:
    """What a clean removes, and what it leaves alone and why."""

    root: Path
    entries: tuple[CleanEntry, ...]
    left_alone: tuple[str, ...]  # one sentence each

    @property
    def total(self) -> int:
        return sum(entry.size for entry in self.entries)


def human_size(size: int) -> str:
    """``1536`` -> ``1.5 KiB``; powers of 1024, one decimal."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _is_own(name: str) -> bool:
    return name in OWN_ENTRIES or name.startswith(_TRASH_PREFIX)


def entry_problem(name: str, children: Iterable[str]) -> str | None:
    """Why a known entry's content is not what crossgo puts there, or None (pure)."""
    children = set(children)
    if name == "go" and not children <= _GO_LAYOUT:
        return "not crossgo's go/ (that holds only path/, build/ and bin/)"
    if name == "probes" and any(not c.endswith((".json", ".tmp")) for c in children):
        return "not crossgo's probes/ (that holds only .json results)"
    if name == "wrappers" and any(not c.startswith("zig") for c in children):
        return "not crossgo's wrappers/ (that holds only zig-* wrapper directories)"
    return None


def layout_problem(names: Iterable[str]) -> str | None:
    """Why an untagged directory does not look like crossgo's cache, or None (pure)."""
    names = set(names) - {CACHEDIR_TAG}
    strangers = sorted(name for name in names if not _is_own(name))
    if strangers:
        return f"it holds entries crossgo does not create ({', '.join(strangers[:5])})"
    return None


def _listing(directory: Path) -> list[str] | None:
    try:
        return sorted(path.name for path in directory.iterdir())
    except OSError:
        return None


def _require_crossgo_cache(root: Path, names: list[str]) -> None:
    if is_crossgo_tag(root / CACHEDIR_TAG):
        return
    problem = layout_problem(names)
    if problem is not None:
        msg = (
            f"refusing to clean {root}: {problem}, and it has no crossgo CACHEDIR.TAG. "
            "crossgo only removes directories it created; check --cache-dir / "
            "CROSSGO_CACHE_DIR."
        )
        raise UsageError(msg)


def _why_not(path: Path) -> str | None:
    """Why a known entry must be left alone: a link, or content crossgo did not make."""
    if path.is_symlink():
        return f"a symbolic link (to {path.readlink()}); not followed"
    if not path.is_dir():
        return "not a directory"
    children = _listing(path)
    if children is None:
        return "cannot be listed"
    return entry_problem(path.name, children)


def _disk_usage(top: Path) -> int:
    """Bytes a tree occupies, each inode counted once; links are not followed."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for directory, dirnames, filenames in os.walk(top):
        for name in (*dirnames, *filenames, ""):
            path = Path(directory, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            blocks = getattr(info, "st_blocks", None)
            total += blocks * 512 if blocks is not None else info.st_size
    return total


def plan_clean(cache: CacheDir) -> CleanPlan:
    """What ``crossgo clean`` would remove from ``cache``; UsageError if it is not crossgo's."""
    root = cache.root
    names = _listing(root)
    if names is None:
        return CleanPlan(root=root, entries=(), left_alone=())
    _require_crossgo_cache(root, names)
    entries: list[CleanEntry] = []
    left: list[str] = []
    for name in names:
        path = root / name
        if name == CACHEDIR_TAG:
            continue
        reason = _why_not(path) if _is_own(name) else "not created by crossgo"
        if reason is None:
            entries.append(CleanEntry(path=path, size=_disk_usage(path)))
        else:
            left.append(f"{path}: {reason}")
    return CleanPlan(root=root, entries=tuple(entries), left_alone=tuple(left))


def _make_writable(top: Path) -> None:
    """Go's module cache is read-only; directories must be writable to delete their files.
    Only real directories are changed: os.walk does not descend into links."""
    for directory, _, _ in os.walk(top):
        mode = os.lstat(directory).st_mode
        wanted = mode | stat.S_IRWXU
        if stat.S_ISDIR(mode) and mode != wanted:
            os.chmod(directory, wanted)  # noqa: PTH101 - a str from os.walk


def _delete(path: Path) -> None:
    _make_writable(path)
    shutil.rmtree(path)  # removes links inside the tree as links, never their targets


def remove(plan: CleanPlan) -> None:
    """Delete what ``plan`` lists: rename each entry out of the way, then delete it."""
    for entry in plan.entries:
        try:
            if entry.path.name.startswith(_TRASH_PREFIX):
                trash = entry.path
            else:
                holder = Path(tempfile.mkdtemp(prefix=_TRASH_PREFIX, dir=plan.root))
                trash = holder
                entry.path.rename(holder / entry.path.name)
            _delete(trash)
        except OSError as error:
            msg = f"cannot remove {entry.path} ({error.strerror or error})"
            raise OutputError(msg) from error
