"""Benchmark: the same conda recipe built twice, with rattler-build, on one machine.

    python bench/conda.py --output bench/conda.json [--targets linux-aarch64,win-64]

A build script's HOME is its work directory and the caller's variables are dropped, so a
build that keeps Go's and zig's caches under HOME starts cold every time. crossgo keeps its
cache (Go's build and module caches, zig's) in the building user's home, found through the
password database, or in CROSSGO_CACHE_DIR when the recipe passes it through. Here it is
passed through (``build.script.secrets``) pointing at an empty directory, so that the first
build is as cold as on a fresh machine without touching the user's own cache; the second
build of the same recipe then finds it. The stand-in compilers' zig cache is fresh too.
Builds use rattler-build's ``--no-build-id`` (``no_build_id=True``), which keeps the
build prefix's path, and with it the paths of the zig in it, the same between builds.

"first" is the cold build, "second" the warm one, both wall-clock seconds of the whole
rattler-build run (environment solve and install, the script, relinking, packaging).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support import conda_lab  # noqa: E402 - the test channel and stand-ins

RECIPE = REPO / "examples" / "gohash" / "conda" / "recipe.yaml"
TARGETS = ("linux-aarch64", "win-64")


def with_cache_passed_through(recipe: Path) -> Path:
    """The example recipe, its script passing CROSSGO_CACHE_DIR through as a secret."""
    text = RECIPE.read_text().replace("path: ..", f"path: {RECIPE.parent.parent}")
    text = text.replace(
        "  script:\n",
        "  script:\n    secrets: [CROSSGO_CACHE_DIR]\n    content:\n",
    )
    recipe.parent.mkdir(parents=True, exist_ok=True)
    recipe.write_text(text)
    return recipe


def build_seconds(lab: conda_lab.CondaLab, recipe: Path, target: str, output: Path) -> float:
    start = time.perf_counter()
    lab.build(recipe, target, output)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "conda.json")
    parser.add_argument("--targets", default=",".join(TARGETS))
    args = parser.parse_args()
    results: dict[str, object] = {"machine": platform.machine(), "targets": {}}
    with tempfile.TemporaryDirectory(prefix="crossgo-bench-conda-") as scratch:
        root = Path(scratch)
        cache = root / "crossgo-cache"
        lab = conda_lab.conda_lab(root / "test-cache", root / "zig-cache", cache)
        lab = conda_lab.CondaLab(
            lab.channel, lab.rattler_cache, lab.tools, lab.zig_cache,
            extra_env={"CROSSGO_CACHE_DIR": str(cache)},
        )  # fmt: skip
        recipe = with_cache_passed_through(root / "recipe" / "recipe.yaml")
        for target in args.targets.split(","):
            output = root / f"out-{target}"
            first = build_seconds(lab, recipe, target, output)
            for package in output.glob(f"{target}/*.conda"):
                package.unlink()  # built again, not reused
            second = build_seconds(lab, recipe, target, output)
            results["targets"][target] = {  # type: ignore[index]
                "first_s": round(first, 1),
                "second_s": round(second, 1),
                "second_over_first": round(second / first, 3),
            }
            print(f"{target}: first {first:.1f} s, second {second:.1f} s")
    args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
