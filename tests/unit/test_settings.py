"""The settings model: sources, precedence, types, and errors that name the key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crossgo.errors import UsageError
from crossgo.settings import Settings, load_settings, reference
from crossgo.wheel.command import parse_config_settings

REPO = Path(__file__).resolve().parents[2]
MINIMAL = {"go-package": "go"}


def test_defaults() -> None:
    settings = load_settings(MINIMAL)
    assert settings.go_package == ("go",)
    assert settings.targets == ("native",)
    assert (settings.strip, settings.vendor, settings.toolchain) == (True, False, "auto")
    assert (settings.name, settings.glibc, settings.env) == (None, None, {})
    assert settings.origin("strip") == "default"
    assert settings.origin("go-package") == "pyproject"


def test_reference_defaults_are_the_models() -> None:
    model = Settings(go_package=())
    for key, _type, default, _help in reference():
        if key != "go-package":
            assert repr(getattr(model, key.replace("-", "_").replace(".", "_"))) == default, key


def test_precedence_config_over_env_over_pyproject_over_default() -> None:
    table = {**MINIMAL, "strip": False, "targets": ["linux-64"], "glibc": "2.28"}
    environ = {"CROSSGO_TARGETS": "win-64", "CROSSGO_GLIBC": "2.31", "CROSSGO_VENDOR": "yes"}
    settings = load_settings(table, config={"target": "osx-arm64"}, environ=environ)
    assert settings.targets == ("osx-arm64",)  # config settings beat everything
    assert settings.glibc == "2.31"  # the environment beats [tool.crossgo]
    assert settings.strip is False  # [tool.crossgo] beats the default
    assert settings.vendor is True
    assert settings.toolchain == "auto"  # nobody set it
    assert [settings.origin(k) for k in ("targets", "glibc", "strip", "toolchain")] == [
        "config",
        "env",
        "pyproject",
        "default",
    ]


def test_env_tables_merge_entry_by_entry() -> None:
    table = {**MINIMAL, "env": {"GOPROXY": "direct", "GOPRIVATE": "example.com"}}
    settings = load_settings(
        table,
        config={"env.GOPROXY": "off"},
        environ={"CROSSGO_ENV": "GOPRIVATE=corp.example GOFLAGS=-mod=vendor"},
    )
    assert settings.env == {
        "GOPROXY": "off",
        "GOPRIVATE": "corp.example",
        "GOFLAGS": "-mod=vendor",
    }


def test_text_values_are_split_by_kind() -> None:
    environ = {
        "CROSSGO_CFLAGS": "-DNAME='two words' -O3",
        "CROSSGO_TAGS": "netgo, osusergo",
        "CROSSGO_STRIP": "off",
    }
    settings = load_settings(MINIMAL, environ=environ)
    assert settings.cflags == ("-DNAME=two words", "-O3")
    assert settings.tags == ("netgo", "osusergo")
    assert settings.strip is False
    toml = load_settings({**MINIMAL, "ldflags": ["-Wl,--as-needed", "-L/opt/my lib"]})
    assert toml.ldflags == ("-Wl,--as-needed", "-L/opt/my lib")  # one flag per item


def test_repeated_config_setting_last_wins_for_scalars() -> None:
    config = parse_config_settings(["strip=true", "strip=false", "tags=a", "go-package=go"])
    assert config == {"strip": ["true", "false"], "tags": "a", "go-package": "go"}
    assert load_settings({}, config=config).strip is False


def test_unknown_pyproject_key_names_it_and_suggests() -> None:
    with pytest.raises(
        UsageError, match=r"tool\.crossgo\.target\b.*Did you mean tool\.crossgo\.targets"
    ):
        load_settings({**MINIMAL, "target": ["linux-64"]})


def test_unknown_config_setting_names_it() -> None:
    with pytest.raises(UsageError, match=r"-C stirp.*Did you mean strip"):
        load_settings(MINIMAL, config={"stirp": "false"})


def test_other_crossgo_variables_belong_to_the_core() -> None:
    environ = {"CROSSGO_CC": "gcc", "CROSSGO_GO": "/usr/bin/go", "CROSSGO_CACHE_DIR": "/tmp/c"}
    assert load_settings(MINIMAL, environ=environ) == load_settings(MINIMAL)


@pytest.mark.parametrize(
    ("table", "environ", "message"),
    [
        ({"targets": 3}, {}, r"tool\.crossgo\.targets must be a list of strings .*integer \(3\)"),
        ({"strip": "yes"}, {}, r"tool\.crossgo\.strip must be a boolean .*string \('yes'\)"),
        ({}, {"CROSSGO_STRIP": "maybe"}, r"CROSSGO_STRIP must be a boolean"),
        ({"toolchain": "clang"}, {}, r"tool\.crossgo\.toolchain must be one of auto, conda"),
        ({"env": {"GOPROXY": 1}}, {}, r"tool\.crossgo\.env\.GOPROXY must be a string"),
        ({"env": ["GOPROXY=off"]}, {}, r"tool\.crossgo\.env must be a table of strings"),
        ({}, {"CROSSGO_ENV": "GOPROXY"}, r"CROSSGO_ENV must be NAME=VALUE words"),
        ({"name": ["a"]}, {}, r"tool\.crossgo\.name must be a string, not a list"),
    ],
)
def test_wrong_types_name_the_key(
    table: dict[str, object], environ: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        load_settings({**MINIMAL, **table}, environ=environ)


def test_the_tool_table_itself_must_be_a_table() -> None:
    with pytest.raises(UsageError, match=r"tool\.crossgo must be a table, not a string"):
        load_settings("go")


def test_a_go_package_is_required() -> None:
    with pytest.raises(
        UsageError, match=r'tool\.crossgo\.go-package is required.*go-package = "go"'
    ):
        load_settings({})


def test_one_name_for_several_libraries_is_refused() -> None:
    with pytest.raises(UsageError, match=r"tool\.crossgo\.name names one library"):
        load_settings({"go-package": ["a", "b"], "name": "x"})


def test_unknown_targets_fail_early_with_suggestions() -> None:
    with pytest.raises(UsageError, match=r"unknown target 'linux-arm65'"):
        load_settings(MINIMAL, environ={"CROSSGO_TARGETS": "linux-64,linux-arm65"})
    assert load_settings(MINIMAL, config={"targets": "all"}).targets == ("all",)


def test_settings_are_frozen() -> None:
    settings = load_settings(MINIMAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.strip = False  # type: ignore[misc]


def test_the_docs_document_every_key() -> None:
    readme = (REPO / "docs" / "wheels.md").read_text(encoding="utf-8")
    for key, *_ in reference():
        assert f"| `{key}` |" in readme, key
