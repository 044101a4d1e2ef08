"""A test fixture: crossgo's generated bindings for every type they map."""

from __future__ import annotations

from alltypes._alltypes import *  # noqa: F403 - the generated module's __all__
