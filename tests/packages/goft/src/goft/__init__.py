"""A Python package whose extension module, goft._core, is written in Go."""

from goft._core import free_threaded_build, sum_squares  # type: ignore[import-not-found]

__all__ = ["free_threaded_build", "sum_squares"]
