"""crossgo clean: what counts as crossgo's cache, what is removed, what is never touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossgo.cache import CACHEDIR_TAG, CacheDir
from crossgo.clean import entry_problem, human_size, layout_problem, plan_clean, remove
from crossgo.errors import UsageError


def populate(root: Path) -> None:
    """crossgo's layout, with Go's read-only module cache in it."""
    module = root / "go" / "path" / "pkg" / "mod" / "example.com" / "m@v1.0.0"
    module.mkdir(parents=True)
    (module / "m.go").write_text("package m\n")
    (module / "m.go").chmod(0o444)
    module.chmod(0o555)
    (root / "go" / "build" / "00").mkdir(parents=True)
    (root / "go" / "build" / "00" / "x-d").write_bytes(b"x" * 5000)
    (root / "probes").mkdir()
    (root / "probes" / "abc.json").write_text("{}")
    (root / "wrappers" / "zig-linux-64-0123").mkdir(parents=True)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1536, "1.5 KiB"),
        (5 << 20, "5.0 MiB"),
        (3 << 40, "3072.0 GiB"),
    ],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_layout_rules() -> None:
    assert layout_problem(["go", "probes", CACHEDIR_TAG, ".crossgo-trash-x"]) is None
    assert layout_problem(["go", ".bashrc"]) is not None
    assert entry_problem("go", ["path", "build"]) is None
    assert entry_problem("go", ["bin", "pkg", "src"]) is not None  # a GOPATH, not crossgo's
    assert entry_problem("probes", ["a.json", "notes.txt"]) is not None
    assert entry_problem("wrappers", ["zig-win-64-1"]) is None


def test_clean_removes_crossgo_entries_and_keeps_the_tag(tmp_path: Path) -> None:
    cache = CacheDir(tmp_path / "cache")
    cache.ensure(cache.root)  # writes the tag
    populate(cache.root)
    plan = plan_clean(cache)
    assert sorted(entry.path.name for entry in plan.entries) == ["go", "probes", "wrappers"]
    assert plan.total >= 5000
    remove(plan)
    assert sorted(path.name for path in cache.root.iterdir()) == [CACHEDIR_TAG]
    assert plan_clean(cache).entries == ()


def test_untagged_directory_with_other_things_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "go" / "pkg").mkdir(parents=True)
    (home / ".bashrc").write_text("")
    with pytest.raises(UsageError, match=r"refusing to clean .*does not create.*bashrc"):
        plan_clean(CacheDir(home))
    assert (home / "go" / "pkg").is_dir()


def test_untagged_cache_of_an_older_crossgo_is_cleaned(tmp_path: Path) -> None:
    populate(tmp_path)
    remove(plan_clean(CacheDir(tmp_path)))
    assert list(tmp_path.iterdir()) == []


def test_tagged_root_keeps_what_crossgo_did_not_make(tmp_path: Path) -> None:
    """CROSSGO_CACHE_DIR pointed at a home directory once: crossgo tagged it, but the
    user's GOPATH (~/go) and files stay."""
    cache = CacheDir(tmp_path)
    cache.ensure(cache.root)
    (tmp_path / "go" / "src").mkdir(parents=True)
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "probes").mkdir()
    plan = plan_clean(cache)
    assert [entry.path.name for entry in plan.entries] == ["probes"]
    assert any("go: not crossgo's go/" in line for line in plan.left_alone)
    assert any("notes.txt: not created by crossgo" in line for line in plan.left_alone)
    remove(plan)
    assert (tmp_path / "go" / "src").is_dir() and (tmp_path / "notes.txt").exists()


def test_symlinks_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "precious"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "keep.txt").write_text("keep")
    cache = CacheDir(tmp_path / "cache")
    cache.ensure(cache.root)
    (cache.root / "zig").symlink_to(outside, target_is_directory=True)
    (cache.root / "probes").mkdir()
    (cache.root / "probes" / "link.json").symlink_to(outside / "sub" / "keep.txt")
    (cache.root / "go" / "build").mkdir(parents=True)
    (cache.root / "go" / "build" / "escape").symlink_to(outside, target_is_directory=True)
    plan = plan_clean(cache)
    assert any("zig: a symbolic link" in line for line in plan.left_alone)
    remove(plan)
    assert (cache.root / "zig").is_symlink()
    assert (outside / "sub" / "keep.txt").read_text() == "keep"
    assert not (cache.root / "go").exists() and not (cache.root / "probes").exists()


def test_interrupted_clean_is_finished_next_time(tmp_path: Path) -> None:
    cache = CacheDir(tmp_path)
    cache.ensure(cache.root)
    trash = tmp_path / ".crossgo-trash-abc" / "go"
    trash.mkdir(parents=True)
    (trash / "f").write_text("x")
    plan = plan_clean(cache)
    assert [entry.path.name for entry in plan.entries] == [".crossgo-trash-abc"]
    remove(plan)
    assert [path.name for path in tmp_path.iterdir()] == [CACHEDIR_TAG]


def test_missing_root_is_nothing_to_clean(tmp_path: Path) -> None:
    plan = plan_clean(CacheDir(tmp_path / "absent"))
    assert plan.entries == () and plan.total == 0
