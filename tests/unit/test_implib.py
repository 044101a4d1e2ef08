"""Module-definition files for import libraries (the tool run is tested with real DLLs)."""

from __future__ import annotations

from crossgo.implib import def_file, import_library_name


def test_def_file_lists_exports_sorted() -> None:
    assert def_file("libgohash.dll", ["Sha256Hex", "Add"]) == (
        "LIBRARY libgohash.dll\nEXPORTS\n    Add\n    Sha256Hex\n"
    )


def test_import_library_is_named_after_the_dll() -> None:
    assert import_library_name("libgohash.dll") == "libgohash.lib"
