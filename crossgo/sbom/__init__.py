"""What is inside a Go-backed package: Go's build info, the modules' licenses, a CycloneDX
SBOM. See docs/sbom.md.

::

    from crossgo.sbom import read_buildinfo
    (info,) = read_buildinfo(Path("libgohash.so"))
    info.go_version, [dep.path for dep in info.deps]
"""

from __future__ import annotations

from crossgo.sbom.buildinfo import BuildInfo, Module, read_buildinfo
from crossgo.sbom.licenses import LicenseCheckError, LicensePolicy, ModuleLicense

__all__ = [
    "BuildInfo",
    "LicenseCheckError",
    "LicensePolicy",
    "Module",
    "ModuleLicense",
    "read_buildinfo",
]
