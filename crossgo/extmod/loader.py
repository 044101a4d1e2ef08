"""The loader that goes with each extension module: the one-Go-runtime guard.

A Go extension module starts a Go runtime when its binary is loaded, so the guard must run
before that: in Python, ahead of the import. crossgo ships each module ``pkg.x`` as a small
package, ``pkg/x/__init__.py`` (``templates/loader.py.tmpl``) next to the binary
``pkg/x/x.abi3.so`` (or ``.pyd``, or the version-specific name). ``import pkg.x`` runs the
loader; it records the binary in ``sys.modules["_crossgo_go_runtimes"]`` under the policy of
crossgo's generated bindings (docs/bindings.md), then loads the binary with
``importlib.machinery.ExtensionFileLoader`` under the name ``pkg.x``, so CPython calls
``PyInit_x``, and puts the module in ``sys.modules`` in the loader's place. The loader is the
same file for every target: it picks the binary by ``importlib.machinery.EXTENSION_SUFFIXES``,
as the import system would. It runs on CPython 3.9 and later.
"""

from __future__ import annotations

import importlib.resources
import string
from pathlib import PurePosixPath

from crossgo import __version__

__all__ = ["LOADER_FILE", "module_directory", "render_loader"]

LOADER_FILE = "__init__.py"


def render_loader(module: str) -> str:
    template = importlib.resources.files("crossgo.extmod") / "templates" / "loader.py.tmpl"
    text = template.read_bytes().decode("utf-8")
    return string.Template(text).substitute(module=module, version=__version__)


def module_directory(module: str) -> PurePosixPath:
    """Where the loader and the binary of ``module`` go, relative to site-packages."""
    return PurePosixPath(*module.split("."))
