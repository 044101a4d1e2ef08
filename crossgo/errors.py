"""The errors crossgo raises, each with the exit code the CLI returns for it.

Library code raises; only ``crossgo.cli`` turns an error into an exit code.

=====  ==========================  ==================================================
code   class                       meaning
=====  ==========================  ==================================================
1      BuildFailedError            ``go build`` or the C compiler failed
1      ArtifactCheckError          the built library does not match its target
2      UsageError                  bad arguments: unknown target, bad option value
2      PackageError                the Go package cannot be built as a c-shared library
3      ToolchainError              Go or a C toolchain is missing, too old or wrong
4      OutputError                 an output or cache directory cannot be written
130    (KeyboardInterrupt)         interrupted; nothing is left at the output path
=====  ==========================  ==================================================
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ArtifactCheckError",
    "BuildFailedError",
    "CrossgoError",
    "OutputError",
    "PackageError",
    "ToolchainError",
    "UsageError",
    "closest",
]


class CrossgoError(Exception):
    """Base class: a message for a person, and the exit code for the CLI."""

    exit_code = 1


class BuildFailedError(CrossgoError):
    """The build tool ran and failed; its own output has already reached the user."""

    exit_code = 1


class ArtifactCheckError(CrossgoError):
    """The library was built but is wrong for its target (CPU, exports, glibc, minos...)."""

    exit_code = 1


class UsageError(CrossgoError):
    """The caller asked for something that does not exist or does not fit."""

    exit_code = 2


class PackageError(CrossgoError):
    """The Go package is not a ``main`` package with ``//export`` functions."""

    exit_code = 2


class ToolchainError(CrossgoError):
    """A tool is missing, too old, or emits code for the wrong platform."""

    exit_code = 3


class OutputError(CrossgoError):
    """A directory crossgo must write to cannot be written."""

    exit_code = 4


def closest(word: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The names a user most likely meant, best first (for 'did you mean' lines)."""
    return difflib.get_close_matches(word, list(candidates), n=limit, cutoff=0.5)
