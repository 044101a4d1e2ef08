"""Benchmark: what the SBOM and the Go license files add to a warm wheel build, and how long
`crossgo sbom` takes on a library. Writes JSON; prints a summary.

    python bench/sbom.py --output bench/sbom.json [--runs 5]

The project is tests/packages/sbomdeps (four modules under four licenses, from a module proxy
on disk). Each run builds its linux-64 and win-64 wheels twice, once with the defaults
(`sbom`, `licenses` on) and once with both off, alternating, in one warm crossgo cache; the
first pair only warms it. `crossgo sbom` reads the win-64 library from the last wheel and
classifies its modules' licenses.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path

from timing import crossgo, timed

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.goproxy import write_module_proxy  # noqa: E402

PROJECT = REPO / "tests" / "packages" / "sbomdeps"
TARGETS = "linux-64,win-64"
OFF = ("-C", "sbom=false", "-C", "licenses=false")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crossgo-bench-sbom-") as work:
        root = Path(work)
        env = {
            **os.environ,
            "GOPROXY": write_module_proxy(root / "proxy", PROJECT / "modules"),
            "GOSUMDB": "off",
        }

        def wheels(*extra: str) -> None:
            out = root / "dist"
            crossgo("wheel", "-t", TARGETS, "-o", str(out), *extra, str(PROJECT), env=env)
            for wheel in out.iterdir():  # the next run writes the same names
                (root / wheel.name).unlink(missing_ok=True)
                wheel.rename(root / wheel.name)

        wheels()  # warm Go's and zig's caches and the module cache
        wheels(*OFF)
        on, off = [], []
        for _ in range(args.runs):
            on.append(timed(wheels))
            off.append(timed(lambda: wheels(*OFF)))
        library = root / "libsbomdeps.dll"
        with zipfile.ZipFile(next(root.glob("*win_amd64.whl"))) as archive:
            library.write_bytes(archive.read("sbomdeps/libsbomdeps.dll"))
        read = [timed(lambda: crossgo("sbom", "--table", str(library), env=env)) for _ in range(3)]
    figures = {
        "targets": TARGETS,
        "runs": args.runs,
        "wheels_with_sbom_and_licenses_s": statistics.median(on),
        "wheels_without_s": statistics.median(off),
        "added_s": statistics.median(on) - statistics.median(off),
        "crossgo_sbom_table_s": statistics.median(read),
    }
    args.output.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
