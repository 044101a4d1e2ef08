"""``crossgo bindings``: write the generated module and stub for a Go package.

By default the package is built for this machine (with the warm cache, about a second) into
a temporary directory, only to read the header cgo writes and the export set; the library
itself is built for the wheel or package by ``crossgo build --bindings`` or a wheel build.
``--header`` reads an existing header instead and builds nothing.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from crossgo.bindings import generate, module_name, write_generated
from crossgo.bindings.gosource import GoFunction, parse_exports
from crossgo.build import BuildRequest, execute, plan
from crossgo.golang import scan_package

__all__ = ["run"]


def run(
    package_dir: Path,
    *,
    output: Path | None,
    header: Path | None,
    name: str | None,
    strict: bool,
    target: str,
    cache_dir: Path | None,
    tags: Sequence[str],
) -> int:
    package = scan_package(package_dir)
    library = name or package.default_library_name
    if header is not None:
        functions = _exports_from_sources(package.directory)
        generated = generate(header, functions, library, strict=strict)
    else:
        with tempfile.TemporaryDirectory(prefix="crossgo-bindings-") as work:
            request = BuildRequest(
                package_dir=package.directory,
                target=target,
                output_dir=Path(work),
                library_name=library,
                cache_dir=cache_dir,
                tags=tuple(tags),
                bindings=True,
            )
            build_plan = plan(request)
            result = execute(build_plan)
            generated = generate(result.header, build_plan.go_exports, library, strict=strict)
    for skipped in generated.skipped:
        print(
            f"crossgo: warning: skipped {skipped} (--strict makes this an error)", file=sys.stderr
        )
    written = write_generated(generated, output or Path(f"{module_name(library)}.py"))
    for path in written:
        print(path)
    return 0


def _exports_from_sources(directory: Path) -> tuple[GoFunction, ...]:
    """Every non-test Go file: without a build there is no GOOS to select files by."""
    files = sorted(p for p in directory.glob("*.go") if not p.name.endswith("_test.go"))
    return parse_exports(p.read_text(encoding="utf-8", errors="replace") for p in files)
