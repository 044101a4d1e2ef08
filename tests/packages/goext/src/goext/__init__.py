"""A Python package whose extension module, goext._core, is written in Go."""

from goext._core import (  # type: ignore[import-not-found]
    divide,
    hold_gil,
    sleep_without_gil,
    word_counts,
)

__all__ = ["divide", "hold_gil", "sleep_without_gil", "word_counts"]
