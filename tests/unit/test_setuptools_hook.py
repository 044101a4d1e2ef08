"""crossgo.setuptools.set_build_ext: which bdist_wheel failures it may pass over."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from setuptools.dist import Distribution  # type: ignore[import-untyped, unused-ignore]
from setuptools.errors import ModuleError  # type: ignore[import-untyped, unused-ignore]

from crossgo.setuptools import set_build_ext

OPTIONS = {"root": "example.com/project"}


_GET_COMMAND_CLASS = Distribution.get_command_class


def _failing(error: BaseException) -> Callable[[object, str], type]:
    """setuptools' own lookup, but for bdist_wheel, whose lookup raises ``error``."""

    def get_command_class(self: object, command: str) -> type:
        if command == "bdist_wheel":
            raise error
        found: type = _GET_COMMAND_CLASS(self, command)
        return found

    return get_command_class


def test_without_bdist_wheel_no_wheel_is_built_and_none_is_tagged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A setuptools that has no bdist_wheel at all (old, without wheel) says so this way."""
    missing = ModuleError("invalid command 'bdist_wheel'")
    monkeypatch.setattr(Distribution, "get_command_class", _failing(missing))
    dist = Distribution()
    set_build_ext(dist, "build_golang", OPTIONS)
    assert "bdist_wheel" not in dist.cmdclass
    assert "build_ext" in dist.cmdclass


def test_a_broken_bdist_wheel_plugin_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passing over it would build a wheel tagged linux_x86_64 for another platform."""
    broken = ImportError("cannot import name 'bdist_wheel' from a broken plugin")
    monkeypatch.setattr(Distribution, "get_command_class", _failing(broken))
    with pytest.raises(ImportError, match="broken plugin"):
        set_build_ext(Distribution(), "build_golang", OPTIONS)
