"""Recipe rendering and conda's install layout (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossgo.conda import conda_layout, project_facts, render_recipe
from crossgo.errors import UsageError
from crossgo.targets import get_target

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gohash"


def test_a_python_project_gets_a_pip_recipe() -> None:
    facts = project_facts(EXAMPLE)
    assert (facts.kind, facts.name, facts.version, facts.license) == (
        "python",
        "gohash",
        "0.1.0",
        "MIT",
    )
    files = render_recipe(facts, "rattler-build", source="..", go_release="1.27.3")
    recipe = files["recipe.yaml"]
    assert "${{ PYTHON }} -m pip install . --no-deps --no-build-isolation" in recipe
    for line in (
        "- ${{ compiler('c') }}",
        "- ${{ stdlib('c') }}",
        "- ${{ compiler('m2w64_c') }}",
        "- ${{ compiler('go-cgo') }}",
        "- cross-python_${{ target_platform }}",
        "  license_file:\n    - LICENSE\n    - library_licenses/\n",
    ):
        assert line in recipe
    assert "        - gohash\n" in recipe  # the import test
    assert 'then: "13.0"' in files["variants.yaml"]  # Go 1.27's macOS floor
    assert "go1.27.3 runs on macOS 13.0" in files["variants.yaml"]


def test_a_go_package_gets_a_crossgo_conda_install_recipe() -> None:
    facts = project_facts(EXAMPLE / "go", license_id="MIT")
    assert (facts.kind, facts.name, facts.library) == ("library", "gohash", "gohash")
    files = render_recipe(facts, "conda-build", source="../go", go_release="1.26.8")
    assert set(files) == {"meta.yaml", "build.sh", "bld.bat", "conda_build_config.yaml"}
    assert "crossgo conda install . --name gohash" in files["build.sh"]
    assert files["bld.bat"].endswith("if errorlevel 1 exit 1\r\n")  # cmd wants CRLF
    assert "{{ compiler('m2w64_c') }}  # [win]" in files["meta.yaml"]
    assert "if not exist %LIBRARY_LIB%\\libgohash.lib exit 1" in files["meta.yaml"]
    assert '"12.0"      # [osx]' in files["conda_build_config.yaml"]


def test_neither_kind_of_project_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"neither a Python project with \[tool\.crossgo\]"):
        project_facts(tmp_path)


def test_conda_layout_per_platform() -> None:
    env = {"PREFIX": "/p", "LIBRARY_PREFIX": "/p/Library", "LIBRARY_BIN": "/p/Library/bin",
           "LIBRARY_INC": "/p/Library/include", "LIBRARY_LIB": "/p/Library/lib",
           "SP_DIR": "/p/Lib/site-packages"}  # fmt: skip
    unix = conda_layout(get_target("linux-aarch64"), env)
    assert (unix.library_dir, unix.header_dir, unix.import_library_dir) == (
        Path("/p/lib"), Path("/p/include"), None,
    )  # fmt: skip
    windows = conda_layout(get_target("win-64"), env)
    assert (windows.library_dir, windows.header_dir, windows.import_library_dir) == (
        Path("/p/Library/bin"), Path("/p/Library/include"), Path("/p/Library/lib"),
    )  # fmt: skip
    python = conda_layout(get_target("win-64"), env, python_package="gohash._native")
    assert python.library_dir == Path("/p/Lib/site-packages/gohash/_native")
    assert python.header_dir is None and python.import_library_dir is None
    with pytest.raises(UsageError, match="not an import name"):
        conda_layout(get_target("linux-64"), env, python_package="go-hash")


def test_the_documented_recipe_is_the_example_the_tests_build() -> None:
    """docs/conda.md shows examples/gohash/conda/recipe.yaml, without its comments."""
    recipe = (EXAMPLE / "conda" / "recipe.yaml").read_text()
    code = [line for line in recipe.splitlines() if not line.lstrip().startswith("#")]
    docs = (EXAMPLE.parent.parent / "docs" / "conda.md").read_text()
    assert "```yaml\n" + "\n".join(code) + "\n```" in docs
