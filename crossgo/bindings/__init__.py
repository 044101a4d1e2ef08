"""Generated Python bindings for a Go c-shared library: header parser, model, renderer.

::

    from crossgo.bindings import generate, read_exports, write_generated

    functions = read_exports(go, package_dir, env)      # the //export functions, from Go
    generated = generate(header_path, functions, "gohash")
    write_generated(generated, Path("src/gohash/_gohash.py"))   # and _gohash.pyi
    generated.skipped                                     # what could not be mapped, and why

The library must be built with bindings (``BuildRequest(bindings=True)``, ``crossgo build
--bindings``, ``[tool.crossgo] bindings = true``): that adds ``crossgo_free`` and
``crossgo_exports`` to it (:mod:`crossgo.bindings.overlay`). The generated module needs no
crossgo at run time. docs/bindings.md describes what it does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crossgo import _run
from crossgo.bindings.gosource import GoFunction, parse_exports
from crossgo.bindings.header import parse_header
from crossgo.bindings.model import Module, Skipped, build_module
from crossgo.bindings.render import render_module, render_stub
from crossgo.errors import PackageError, UsageError

__all__ = [
    "Generated",
    "GoFunction",
    "Skipped",
    "generate",
    "module_name",
    "read_exports",
    "write_generated",
]

_LIST_FILES = "{{range .GoFiles}}{{println .}}{{end}}{{range .CgoFiles}}{{println .}}{{end}}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Generated:
    module: Module
    source: str  # the .py text
    stub: str  # the .pyi text

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        return self.module.skipped


def module_name(library: str) -> str:
    """The generated module's name next to lib<library>: ``_<library>``."""
    return f"_{library}"


def read_exports(
    go: Path, package_dir: Path, env: Mapping[str, str], tags: Sequence[str] = ()
) -> tuple[GoFunction, ...]:
    """The package's ``//export`` functions, from the files ``go build`` would compile
    with this environment (GOOS, GOARCH, build tags): ``go list -find`` picks them."""
    argv = [str(go), "list", "-find", "-f", _LIST_FILES]
    if tags:
        argv.append(f"-tags={','.join(tags)}")
    try:
        listed = _run.capture([*argv, "."], env=env, cwd=package_dir, timeout=120)
    except _run.CommandFailed as error:
        msg = f"`go list` could not read the package {package_dir}: {error.output.strip()}"
        raise PackageError(msg) from error
    files = [package_dir / name for name in listed.split()]
    return parse_exports(path.read_text(encoding="utf-8", errors="replace") for path in files)


def generate(
    header: Path, functions: Sequence[GoFunction], library: str, *, strict: bool = False
) -> Generated:
    """Bindings for ``lib<library>`` from its cgo header and the Go declarations. With
    ``strict``, an export that cannot be mapped is an error instead of a skip."""
    parsed = parse_header(header.read_text(encoding="utf-8", errors="replace"), header)
    module = build_module(library, parsed, functions)
    if strict and module.skipped:
        details = "; ".join(map(str, module.skipped))
        msg = f"{header}: these exports have no Python mapping (--strict): {details}."
        raise UsageError(msg)
    if not module.bindings:
        details = "; ".join(map(str, module.skipped))
        msg = f"{header}: no export could be mapped to Python ({details})."
        raise UsageError(msg)
    return Generated(module=module, source=render_module(module), stub=render_stub(module))


def write_generated(generated: Generated, path: Path) -> tuple[Path, Path]:
    """Write the module to ``path`` and its stub next to it (``.pyi``)."""
    stub = path.with_suffix(".pyi")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generated.source, encoding="utf-8")
    stub.write_text(generated.stub, encoding="utf-8")
    return path, stub
