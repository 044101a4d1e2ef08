"""The Go file a bindings build adds to the package, through ``go build -overlay``.

The generated bindings free the strings Go returns, and the free must be the one of the C
library that allocated them (on Windows a DLL and Python may each have their own C runtime).
So the build provides it: an overlay adds one file to the package that exports
``crossgo_free`` and ``crossgo_exports`` (the export set, see
:func:`crossgo.bindings.gosource.exports_text`). ``-overlay`` maps a file name in the
package directory to a file elsewhere: the user's tree is never written to, and with
``-trimpath`` no path of the overlay reaches the library (tested: builds stay byte-identical
across directories).

The overlay lives in crossgo's cache under ``bindings/<digest>/``, named by its content, so
that a plan can name it before any build runs and concurrent builds share it.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import string
from collections.abc import Sequence
from pathlib import Path

from crossgo import _atomic
from crossgo.bindings.gosource import GoFunction, exports_text
from crossgo.cache import CacheDir
from crossgo.errors import UsageError

__all__ = ["OVERLAY_FILE", "overlay_source", "write_overlay"]

#: The file the overlay adds to the package (it must not exist there).
OVERLAY_FILE = "zz_crossgo_bindings.go"


def overlay_source(functions: Sequence[GoFunction]) -> str:
    template = importlib.resources.files("crossgo.bindings") / "templates" / "overlay.go.tmpl"
    text = template.read_bytes().decode("utf-8")
    return string.Template(text).substitute(exports=exports_text(functions))


def write_overlay(package_dir: Path, functions: Sequence[GoFunction], cache: CacheDir) -> Path:
    """Write the overlay for ``package_dir`` into the cache; return the ``-overlay`` file."""
    virtual = package_dir / OVERLAY_FILE
    if virtual.exists():
        msg = f"{virtual} exists, but crossgo adds a file of that name for bindings: rename it."
        raise UsageError(msg)
    source = overlay_source(functions)
    digest = hashlib.sha256(f"{virtual}\0{source}".encode()).hexdigest()[:24]
    directory = cache.root / "bindings" / digest
    go_file = directory / OVERLAY_FILE
    overlay = directory / "overlay.json"
    if not overlay.is_file():
        cache.ensure(directory)
        _atomic.write_text(go_file, source)
        _atomic.write_text(overlay, json.dumps({"Replace": {str(virtual): str(go_file)}}))
    return overlay
