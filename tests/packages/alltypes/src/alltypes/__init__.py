"""A test fixture: crossgo's generated bindings for every type they map."""

from __future__ import annotations

from alltypes._alltypes import *  # type: ignore[import-not-found]  # noqa: F403
