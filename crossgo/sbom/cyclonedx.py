"""A CycloneDX 1.6 JSON document for Go libraries, written with cyclonedx-python-lib.

The subject (``metadata.component``) is the Python package (``pkg:pypi``) or, for a plain
build, the library itself. Components: each library (its file, sha256, target and Go build
settings as properties), every Go module compiled into it (``pkg:golang`` purl, version,
the ``h1:`` sum as a SHA-256 hash the way cyclonedx-gomod converts it, and kept as the
``crossgo:go:sum`` property, license ids), Go's standard library (``pkg:golang/stdlib@vX.Y.Z``,
the name syft, trivy and OSV use) and the C toolchain. The dependency graph links them.

Byte-reproducible: the serial number is a UUIDv5 of the libraries' digests, the timestamp is
SOURCE_DATE_EPOCH (the wheel's), and the library sorts components and properties.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from crossgo import __version__
from crossgo.sbom.buildinfo import BuildInfo, Module
from crossgo.sbom.licenses import GO_MODULE, ModuleLicense

if TYPE_CHECKING:
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component
    from cyclonedx.model.license import DisjunctiveLicense

__all__ = ["LibraryContents", "Subject", "render"]

_NAMESPACE = uuid.UUID("5b2f6f1e-3c55-4b8e-9a43-63726f73736f")  # crossgo's SBOM serials


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """What the SBOM describes: a Python package, or (purl None) one library."""

    name: str
    version: str | None
    purl: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LibraryContents:
    """One built library and what is inside it."""

    file: str  # its path in the wheel, or its file name
    sha256: str
    target: str
    infos: tuple[BuildInfo, ...]  # one per slice
    toolchain: tuple[str, str | None] | None  # (name, version) of the C toolchain
    licenses: tuple[ModuleLicense, ...]  # per module path, and GO_MODULE; () if not read


def render(subject: Subject, libraries: Sequence[LibraryContents], *, epoch: int) -> bytes:
    """The CycloneDX 1.6 JSON document, UTF-8, ending in a newline."""
    from cyclonedx.output.json import JsonV1Dot6  # noqa: PLC0415 - the sbom extra

    bom = _bom(subject, libraries, epoch)
    return (JsonV1Dot6(bom).output_as_string(indent=2) + "\n").encode()


def _bom(subject: Subject, libraries: Sequence[LibraryContents], epoch: int) -> Bom:
    from cyclonedx.model.bom import Bom, BomMetaData  # noqa: PLC0415
    from cyclonedx.model.component import Component, ComponentType  # noqa: PLC0415

    digest = hashlib.sha256(
        "\n".join([subject.name, *(f"{lib.file}={lib.sha256}" for lib in libraries)]).encode()
    ).hexdigest()
    parts = [_library_parts(library) for library in libraries]
    # A plain build describes its one library: that component is the subject itself.
    alone = subject.purl is None and len(parts) == 1
    root = parts[0][0] if alone else _package_component(subject)
    bom = Bom(
        serial_number=uuid.uuid5(_NAMESPACE, digest),
        metadata=BomMetaData(
            component=root,
            timestamp=datetime.datetime.fromtimestamp(epoch, datetime.UTC),
        ),
    )
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="crossgo", version=__version__)
    )
    components: dict[str, Component] = {}
    edges: dict[str, set[str]] = {}
    for library, *inside in parts:
        for component in (library, *inside):
            components.setdefault(_ref(component), component)
        edges.setdefault(_ref(library), set()).update(map(_ref, inside))
    if not alone:
        edges[_ref(root)] = {_ref(library) for library, *_ in parts}
    for ref, component in components.items():
        if ref != _ref(root):
            bom.components.add(component)
    owners = {**components, _ref(root): root}
    for ref in sorted(owners):
        bom.register_dependency(owners[ref], [components[d] for d in sorted(edges.get(ref, ()))])
    return bom


def _ref(component: Component) -> str:
    return component.bom_ref.value or ""


def _package_component(subject: Subject) -> Component:
    from cyclonedx.model.component import Component, ComponentType  # noqa: PLC0415
    from packageurl import PackageURL  # noqa: PLC0415

    return Component(
        type=ComponentType.LIBRARY,
        name=subject.name,
        version=subject.version,
        purl=PackageURL.from_string(subject.purl) if subject.purl else None,
        bom_ref=subject.purl or f"crossgo:package:{subject.name}",
    )


def _library_ref(library: LibraryContents) -> str:
    return f"crossgo:library:{library.file}"


def _library_parts(library: LibraryContents) -> list[Component]:
    """The library's component first, then everything it depends on."""
    from cyclonedx.model import HashAlgorithm, HashType  # noqa: PLC0415
    from cyclonedx.model.component import Component, ComponentType  # noqa: PLC0415

    licenses = {module.path: module for module in library.licenses}
    main = library.infos[0]
    component = Component(
        type=ComponentType.LIBRARY,
        name=library.file,
        bom_ref=_library_ref(library),
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=library.sha256)],
        properties=_properties(
            [("crossgo:target", library.target), ("crossgo:go:version", main.go_version)]
            + [(f"crossgo:go:build:{k}", v) for info in library.infos for k, v in info.settings]
        ),
    )
    parts = [component, _stdlib(main, licenses.get(GO_MODULE))]
    seen: set[str] = set()
    for info in library.infos:
        modules = [info.main] if info.main else []
        for module in [*modules, *info.deps]:
            if module.path not in seen:
                seen.add(module.path)
                parts.append(_module(module, licenses.get(module.path), main=module is info.main))
    if library.toolchain is not None:
        parts.append(_toolchain(*library.toolchain))
    return parts


def _stdlib(info: BuildInfo, license_: ModuleLicense | None) -> Component:
    from cyclonedx.model.component import Component, ComponentType  # noqa: PLC0415
    from packageurl import PackageURL  # noqa: PLC0415

    version = f"v{info.go_release}"
    purl = PackageURL(type="golang", name="stdlib", version=version)
    return Component(
        type=ComponentType.LIBRARY,
        name="stdlib",
        version=version,
        purl=purl,
        bom_ref=purl.to_string(),
        description="Go's runtime and standard library",
        licenses=_licenses(license_.ids if license_ else ("BSD-3-Clause",)),
    )


def _module(module: Module, license_: ModuleLicense | None, *, main: bool) -> Component:
    from cyclonedx.model import HashAlgorithm, HashType  # noqa: PLC0415
    from cyclonedx.model.component import Component, ComponentType  # noqa: PLC0415
    from packageurl import PackageURL  # noqa: PLC0415

    effective = module.effective
    version = None if effective.is_local or effective.version == "(devel)" else effective.version
    path = effective.path if not effective.is_local else module.path
    namespace, _, name = path.rpartition("/")
    purl = PackageURL(type="golang", namespace=namespace or None, name=name, version=version)
    properties = [("crossgo:go:sum", effective.sum)] if effective.sum else []
    if module.replace is not None:
        properties.append(("crossgo:go:replaces", f"{module.path} {module.version}".strip()))
    if main:
        properties.append(("crossgo:go:main-module", "true"))
    h1 = _h1_hex(effective.sum)
    return Component(
        type=ComponentType.LIBRARY,
        name=path,
        version=version,
        purl=purl,
        bom_ref=purl.to_string(),
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=h1)] if h1 else [],
        licenses=_licenses(license_.ids) if license_ else [],
        properties=_properties(properties),
    )


def _h1_hex(go_sum: str) -> str | None:
    """``h1:<base64 SHA-256>`` as hex, as cyclonedx-gomod records it."""
    if not go_sum.startswith("h1:"):
        return None
    try:
        raw = base64.b64decode(go_sum[3:], validate=True)
    except (ValueError, binascii.Error):
        return None
    return raw.hex() if len(raw) == 32 else None


def _toolchain(name: str, version: str | None) -> Component:
    from cyclonedx.model.component import Component, ComponentType  # noqa: PLC0415

    return Component(
        type=ComponentType.APPLICATION,
        name=name,
        version=version,
        bom_ref=f"crossgo:toolchain:{name}@{version or ''}",
        description="the C toolchain that compiled and linked the cgo code",
    )


def _licenses(ids: Iterable[str]) -> list[DisjunctiveLicense]:
    from cyclonedx.model.license import DisjunctiveLicense  # noqa: PLC0415

    return [DisjunctiveLicense(id=spdx) for spdx in ids]


def _properties(pairs: Iterable[tuple[str, str]]) -> list[Property]:
    from cyclonedx.model import Property  # noqa: PLC0415

    return [Property(name=name, value=value) for name, value in pairs]


def toolchain_name(kind: str, cc: str) -> str:
    """A name a reader knows: zig, or the compiler's own name."""
    return "zig" if kind == "zig" else Path(cc).name
