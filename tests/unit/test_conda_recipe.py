"""Recipe rendering and conda's install layout (pure)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from crossgo.conda import conda_layout, project_facts, render_recipe
from crossgo.conda.recipe import RecipeFormat
from crossgo.errors import UsageError
from crossgo.targets import get_target

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "gohash"


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
    assert '  - "12.0"                          # [osx]' in files["conda_build_config.yaml"]


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


# --- what conda-forge's linter asks for -------------------------------------------------


def python_project(tmp_path: Path, project_table: str) -> Path:
    """The example, with lines added to its [project] table."""
    root = tmp_path / "gohash"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("dist", "conda", ".github"))
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("[tool.crossgo]", project_table + "\n[tool.crossgo]", 1)
    )
    return root


def test_the_homepage_comes_from_project_urls_else_a_placeholder_the_linter_flags(
    tmp_path: Path,
) -> None:
    # conda-smithy lints a missing or empty about.homepage (v1) / about.home (meta.yaml).
    bare = render_recipe(project_facts(EXAMPLE), "rattler-build", source="..", go_release=None)
    about = yaml.safe_load(bare["recipe.yaml"])["about"]
    assert "homepage" not in about
    assert "# homepage: the project's web address" in bare["recipe.yaml"]
    urls = '[project.urls]\n"Source Code" = "https://example.org/src"\nHome-page = "https://example.org"\n'
    facts = project_facts(python_project(tmp_path, urls))
    assert facts.homepage == "https://example.org"  # PEP 753 normalises the labels
    v1 = render_recipe(facts, "rattler-build", source="..", go_release=None)["recipe.yaml"]
    v0 = render_recipe(facts, "conda-build", source="..", go_release=None)["meta.yaml"]
    assert yaml.safe_load(v1)["about"]["homepage"] == "https://example.org"
    assert "\n  home: https://example.org\n" in v0


def test_a_go_module_on_a_code_host_is_its_homepage(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE / "go", tmp_path / "go")
    (tmp_path / "go" / "go.mod").write_text("module github.com/someone/gohash/go\n\ngo 1.22\n")
    assert project_facts(tmp_path / "go").homepage == "https://github.com/someone/gohash"
    assert project_facts(EXAMPLE / "go").homepage is None  # example.com is no code host


@pytest.mark.parametrize("fmt", ["rattler-build", "conda-build"])
def test_maintainers_are_a_list_left_for_the_user(fmt: RecipeFormat) -> None:
    # conda-smithy lints an empty recipe-maintainers: the user must name themselves.
    files = render_recipe(project_facts(EXAMPLE), fmt, source="..", go_release=None)
    recipe = files["recipe.yaml" if fmt == "rattler-build" else "meta.yaml"]
    assert "\nextra:\n  recipe-maintainers: []  # your GitHub user name" in recipe


def test_pip_check_runs_against_the_projects_own_requirements(tmp_path: Path) -> None:
    deps = (
        'dependencies = ["six>=1.16", "Tomli<3,>=2; python_version < \'3.11\'", "rich[jupyter]"]\n'
    )
    facts = project_facts(python_project(tmp_path, deps))
    assert facts.run == ("six >=1.16",)
    assert facts.unconverted == ('Tomli<3,>=2; python_version < "3.11"', "rich[jupyter]")
    v1 = render_recipe(facts, "rattler-build", source="..", go_release=None)["recipe.yaml"]
    document = yaml.safe_load(v1)
    assert document["requirements"]["run"] == ["python", "six >=1.16"]
    assert document["tests"][0]["python"]["pip_check"] is True
    assert '    # Tomli<3,>=2; python_version < "3.11": conda has no markers' in v1
    v0 = render_recipe(facts, "conda-build", source="..", go_release=None)["meta.yaml"]
    assert "  requires:\n    - pip\n  commands:\n    - pip check" in v0
    assert "  run:\n    - python\n    - six >=1.16\n" in v0


def test_the_name_comes_from_the_option_else_the_projects_tool_crossgo_name() -> None:
    gogreet = REPO / "tests" / "packages" / "gogreet"  # name = "greet", go-package = "native"
    assert (project_facts(gogreet / "native").name, project_facts(gogreet / "native").library) == (
        "greet", "greet",
    )  # fmt: skip
    named = project_facts(gogreet / "native", name="Go_Greet")
    assert (named.name, named.library) == ("go-greet", "Go_Greet")
    assert project_facts(EXAMPLE / "go").name == "gohash"  # the module path's last element
    assert project_facts(EXAMPLE, name="py-gohash").name == "py-gohash"
    assert project_facts(gogreet).name == "gogreet"  # [project] name, not the library's
    with pytest.raises(UsageError, match="is not a package name"):
        project_facts(EXAMPLE, name="go hash")


@pytest.mark.parametrize("target", ["linux-64", "linux-aarch64", "osx-arm64", "win-64"])
def test_both_variant_files_give_the_same_pins(tmp_path: Path, target: str) -> None:
    """rattler-build reads conda_build_config.yaml's selectors as conda-build does."""
    from rattler_build import JinjaConfig, PlatformConfig, VariantConfig  # noqa: PLC0415

    facts = project_facts(EXAMPLE)
    v1 = render_recipe(facts, "rattler-build", source="..", go_release="1.27.3")
    v0 = render_recipe(facts, "conda-build", source="..", go_release="1.27.3")
    (tmp_path / "conda_build_config.yaml").write_text(v0["conda_build_config.yaml"])
    jinja = JinjaConfig(platform=PlatformConfig(target_platform=target))
    rattler = VariantConfig.from_yaml_with_context(v1["variants.yaml"], jinja).to_dict()
    conda_build = VariantConfig.from_conda_build_config(
        str(tmp_path / "conda_build_config.yaml"), jinja
    ).to_dict()
    assert rattler == conda_build
    family = target.split("-", maxsplit=1)[0]
    key = "m2w64_c_stdlib_version" if family == "win" else "c_stdlib_version"
    assert rattler[key] == [{"linux": "2.17", "osx": "13.0", "win": "12"}[family]]
