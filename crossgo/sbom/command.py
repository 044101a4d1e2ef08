"""``crossgo sbom PATH``: what a Go c-shared library or a crossgo wheel contains.

A wheel's own SBOM (``.dist-info/sboms/``) is printed as it is. For a library, or a wheel
built with ``sbom = false``, the document is made from each Go library's build info, with
the license ids read from crossgo's module cache (``--no-licenses`` skips them, and so
needs neither the cache nor the classifier). ``--table`` prints module, version, license.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from crossgo.cache import CacheDir, default_cache_root
from crossgo.errors import ToolchainError, UsageError
from crossgo.sbom.buildinfo import read_buildinfo
from crossgo.sbom.contents import require_extra
from crossgo.sbom.cyclonedx import LibraryContents, Subject, render
from crossgo.sbom.licenses import GO_MODULE, ModuleLicense, ModuleSources, go_license
from crossgo.sbom.licenses import module_licenses as read_module_licenses

__all__ = ["run", "sbom_document", "table"]

_LIBRARY_SUFFIXES = (".so", ".dylib", ".dll", ".pyd")


def run(
    path: Path,
    *,
    as_table: bool,
    licenses: bool,
    source: Path | None,
    cache_dir: Path | None,
) -> int:
    environ = dict(os.environ)
    sources = ModuleSources(
        gomodcache=CacheDir(cache_dir or default_cache_root(environ)).gomodcache,
        main_dir=source.absolute() if source else None,
        goroot=_goroot(environ, cache_dir),
    )
    document = sbom_document(path, sources if licenses else None, environ)
    if as_table:
        print(table(json.loads(document)))
    else:
        sys.stdout.write(document.decode())
    return 0


def _goroot(environ: Mapping[str, str], cache_dir: Path | None) -> Path | None:
    """This machine's Go, for its LICENSE; none is needed (crossgo carries Go's license)."""
    from crossgo.golang import find_go  # noqa: PLC0415

    try:
        return find_go(environ, CacheDir(cache_dir or default_cache_root(environ))).goroot
    except ToolchainError:
        return None


def sbom_document(path: Path, sources: ModuleSources | None, environ: Mapping[str, str]) -> bytes:
    """The CycloneDX JSON for a wheel or a library; ``sources`` None: no license ids."""
    if not path.is_file():
        msg = f"{path} is not a file: give a Go c-shared library or a wheel."
        raise UsageError(msg)
    if path.suffix == ".whl":
        return _from_wheel(path, sources, environ)
    require_extra("crossgo sbom", classifier=sources is not None)
    library = _contents(path, path.name, sources)
    subject = Subject(name=path.name, version=None, purl=None)
    return render(subject, [library], epoch=_epoch(environ))


def _epoch(environ: Mapping[str, str]) -> int:
    from crossgo.wheel.archive import ZIP_EPOCH  # noqa: PLC0415

    text = environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(text) if text.isdigit() else ZIP_EPOCH


def _contents(path: Path, file: str, sources: ModuleSources | None) -> LibraryContents:
    infos = read_buildinfo(path)
    found: dict[str, ModuleLicense] = {}
    if sources is not None:
        for info in infos:
            for module in read_module_licenses(info, sources):
                found.setdefault(module.path, module)
        found[GO_MODULE] = go_license(infos[0].go_version, sources.goroot)
    goos = {info.setting("GOOS") for info in infos}
    goarch = sorted({info.setting("GOARCH") or "?" for info in infos})
    return LibraryContents(
        file=file,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        target=f"{'/'.join(sorted(map(str, goos)))}/{'+'.join(goarch)}",
        infos=infos,
        toolchain=None,
        licenses=tuple(found.values()),
    )


def _from_wheel(path: Path, sources: ModuleSources | None, environ: Mapping[str, str]) -> bytes:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        msg = f"{path} is not a wheel (a zip file): {error}."
        raise UsageError(msg) from error
    with archive:
        names = archive.namelist()
        sboms = sorted(n for n in names if ".dist-info/sboms/" in n and n.endswith(".json"))
        if sboms:
            return archive.read(sboms[0])
        require_extra("crossgo sbom", classifier=sources is not None)
        libraries = _wheel_libraries(archive, names, sources)
    if not libraries:
        msg = f"{path} holds no Go library (no .so, .dylib, .dll or .pyd with Go build info)."
        raise UsageError(msg)
    name, _, rest = path.name.partition("-")
    version = rest.split("-", 1)[0]
    subject = Subject(name=name, version=version, purl=f"pkg:pypi/{name.lower()}@{version}")
    return render(subject, libraries, epoch=_epoch(environ))


def _wheel_libraries(
    archive: zipfile.ZipFile, names: Sequence[str], sources: ModuleSources | None
) -> list[LibraryContents]:
    found = []
    with tempfile.TemporaryDirectory(prefix="crossgo-sbom-") as work:
        for name in sorted(n for n in names if n.endswith(_LIBRARY_SUFFIXES)):
            extracted = Path(work) / Path(name).name
            extracted.write_bytes(archive.read(name))
            try:
                found.append(_contents(extracted, name, sources))
            except UsageError:
                continue  # not a Go library: another file the wheel ships
    return found


def table(document: Mapping[str, object]) -> str:
    """module, version, license: one row per Go module and for Go's standard library."""
    components = document.get("components", [])
    assert isinstance(components, list)
    rows = [("module", "version", "license")]
    for component in components:
        purl = str(component.get("purl", ""))
        if not purl.startswith("pkg:golang/"):
            continue
        ids = [
            entry["license"].get("id") or entry["license"].get("name", "?")
            for entry in component.get("licenses", [])
            if "license" in entry
        ]
        rows.append(
            (
                str(component["name"]),
                str(component.get("version", "(devel)")),
                " AND ".join(ids) or "-",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
