"""crossgo: cross-compile Go c-shared libraries for Python wheels and conda packages.

The public API, in the order a build uses it::

    import crossgo

    target = crossgo.get_target("linux-aarch64")          # any alias works
    result = crossgo.build(crossgo.BuildRequest(package_dir=Path("go"), target=target))
    result.library, result.sha256

:func:`plan` resolves Go, the C toolchain and the environment without building (what
``crossgo env`` prints); :func:`execute` runs a plan. ``BuildRequest(extension=
ExtensionModule(name="pkg._go"))`` builds a CPython extension module instead of a library.
"""

from __future__ import annotations

__version__ = "0.1.0"

from crossgo.build import BuildPlan, BuildRequest, BuildResult, build, execute, plan
from crossgo.environment import BuildEnv, BuildSpec, EnvNote
from crossgo.errors import (
    ArtifactCheckError,
    BuildFailedError,
    CrossgoError,
    OutputError,
    PackageError,
    ToolchainError,
    UsageError,
)
from crossgo.extmod.module import ExtensionModule
from crossgo.targets import Target, all_targets, get_target, host_target
from crossgo.toolchain import Toolchain

__all__ = [
    "ArtifactCheckError",
    "BuildEnv",
    "BuildFailedError",
    "BuildPlan",
    "BuildRequest",
    "BuildResult",
    "BuildSpec",
    "CrossgoError",
    "EnvNote",
    "ExtensionModule",
    "OutputError",
    "PackageError",
    "Target",
    "Toolchain",
    "ToolchainError",
    "UsageError",
    "__version__",
    "all_targets",
    "build",
    "execute",
    "get_target",
    "host_target",
    "plan",
]


def __dir__() -> list[str]:
    return __all__
