"""Wheel and sdist settings: one typed model, read once from four sources.

Precedence, highest first; for each key the first source that sets it wins:

1. the command line and PEP 517 config settings: ``crossgo wheel --target T -C key=value``,
   ``pip wheel -C key=value .``, ``python -m build -C key=value``;
2. ``CROSSGO_<KEY>`` environment variables: the key upper-cased with ``-`` as ``_``
   (``CROSSGO_TARGETS``, ``CROSSGO_STRIP``, ``CROSSGO_GO_PACKAGE``);
3. the ``[tool.crossgo]`` table of pyproject.toml;
4. the defaults below.

The ``env`` table is the exception: its entries merge, and for each variable the same order
decides (``-C env.GOPROXY=off`` over ``CROSSGO_ENV="GOPROXY=direct"`` over
``[tool.crossgo.env]``).

Command-line, config-setting and environment values are text. Lists are comma-separated
(``targets``, ``go-package``, ``tags``, ``sdist-*``) or split like a shell would (``cflags``,
``ldflags``); booleans are ``true/false``, ``1/0``, ``yes/no`` or ``on/off``; the ``env``
table is ``NAME=VALUE`` words (``CROSSGO_ENV``) or dotted keys (``-C env.NAME=VALUE``).
``-C target=...`` and ``CROSSGO_TARGET`` are accepted for ``targets``. In pyproject.toml
values are TOML-typed: a list key also takes one string, split the same way.

An unknown key, or a value of the wrong type, is a :class:`~crossgo.errors.UsageError` that
names the key as the user wrote it (``tool.crossgo.targets``, ``CROSSGO_STRIP``,
``-C strip``) and, for unknown keys, the closest known ones. :func:`load_settings` is the
only place raw values are looked at; everything after it reads a :class:`Settings`.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, cast

from crossgo.errors import UsageError, closest
from crossgo.extmod import ABI3T, DEFAULT_ABI3, free_threaded_default
from crossgo.targets import get_target
from crossgo.toolchain import PREFERENCES, Preference

__all__ = [
    "ConfigSettings",
    "ExtensionModuleSettings",
    "Origin",
    "Settings",
    "boolean_text",
    "load_settings",
    "reference",
]

Origin = Literal["config", "env", "pyproject", "default"]
#: PEP 517 config settings as frontends pass them: a repeated ``-C key=v`` gives a list.
ConfigSettings: TypeAlias = Mapping[str, str | list[str]]

_Kind = Literal["string", "boolean", "list", "table", "choice", "modules"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionModuleSettings:
    """One ``[[tool.crossgo.extension-modules]]`` table: a CPython extension module in Go."""

    name: str  # dotted import name; the package exports PyInit_<last part>
    go_package: str  # the Go main package's directory, relative to pyproject.toml
    abi3: str | None = DEFAULT_ABI3  # the oldest CPython served; None: version-specific
    free_threaded: bool | None = None  # None: as the build's free-threaded setting says
    gil_used: str | None = None  # why the module needs the GIL (no Py_MOD_GIL_NOT_USED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything crossgo needs from a project to build its wheels and sdist."""

    go_package: tuple[str, ...] = ()  # Go main package directories (required: see _validate)
    name: str | None = None  # library name; default: from each Go module path
    python_package: str | None = None  # default: the project name, "-" as "_"
    python_source: str | None = None  # default: "src" if src/<package> exists, else "."
    targets: tuple[str, ...] = ("native",)
    toolchain: Preference = "auto"
    cflags: tuple[str, ...] = ()
    ldflags: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    strip: bool = True
    vendor: bool = False
    glibc: str | None = None
    sdist_include: tuple[str, ...] = ()
    sdist_exclude: tuple[str, ...] = ()
    bindings: bool = False  # generate _<name>.py (+ .pyi) next to each library
    extension_modules: tuple[ExtensionModuleSettings, ...] = ()
    python_include: str | None = None  # CPython headers for extension modules
    free_threaded: bool = False  # default: cibuildwheel's identifier, else the running CPython
    sbom: bool = True  # a CycloneDX SBOM in each wheel's .dist-info/sboms/
    licenses: bool = True  # the Go modules' and Go's license files in each wheel
    licenses_deny: tuple[str, ...] = ()  # SPDX ids that fail the build
    licenses_allow_unknown: tuple[str, ...] = ()  # module paths accepted with no identified license
    origins: Mapping[str, Origin] = field(default_factory=dict)  # key -> where it came from

    def origin(self, key: str) -> Origin:
        return self.origins.get(key, "default")


@dataclass(frozen=True, slots=True)
class _Key:
    name: str
    kind: _Kind
    default: object
    help: str
    split: Literal["comma", "shell"] = "comma"
    choices: tuple[str, ...] = ()

    @property
    def attribute(self) -> str:
        return self.name.replace("-", "_")

    @property
    def type_name(self) -> str:
        return {
            "string": "a string",
            "boolean": "a boolean (true or false)",
            "list": "a list of strings (or one string)",
            "table": "a table of strings",
            "choice": f"one of {', '.join(self.choices)}",
            "modules": "an array of tables (name, go-package, abi3, free-threaded, gil-used)",
        }[self.kind]


_KEYS: Mapping[str, _Key] = {
    key.name: key
    for key in (
        _Key("go-package", "list", (), "Go main package directories (at least one)"),
        _Key("name", "string", None, "library name, lib<name>.so (one go-package only)"),
        _Key("python-package", "string", None, "import package the libraries go into"),
        _Key("python-source", "string", None, "directory holding the Python package"),
        _Key("targets", "list", ("native",), "what `crossgo wheel` builds by default"),
        _Key("toolchain", "choice", "auto", "C toolchain kind", choices=PREFERENCES),
        _Key("cflags", "list", (), "extra CGO_CFLAGS", split="shell"),
        _Key("ldflags", "list", (), "extra CGO_LDFLAGS", split="shell"),
        _Key("tags", "list", (), "Go build tags"),
        _Key("env", "table", {}, "environment variables for go build and go mod vendor"),
        _Key("strip", "boolean", True, "omit debug info (-s -w)"),
        _Key("vendor", "boolean", False, "put `go mod vendor` output in the sdist"),
        _Key("glibc", "string", None, "raise the Linux glibc baseline, e.g. 2.28"),
        _Key("sdist-include", "list", (), "extra globs for the sdist"),
        _Key("sdist-exclude", "list", (), "globs left out of the sdist"),
        _Key("bindings", "boolean", False, "generate typed Python bindings for each library"),
        _Key("extension-modules", "modules", (), "CPython extension modules written in Go"),
        _Key("python-include", "string", None, "CPython include directory for extension modules"),
        _Key(
            "free-threaded",
            "boolean",
            False,
            "build extension modules for free-threaded CPython (default: as cibuildwheel's "
            "identifier, else the running CPython)",
        ),
        _Key("sbom", "boolean", True, "a CycloneDX SBOM in each wheel (docs/sbom.md)"),
        _Key("licenses", "boolean", True, "ship the Go modules' and Go's license files"),
        _Key("licenses-deny", "list", (), "SPDX ids that fail the build (licenses.deny)"),
        _Key(
            "licenses-allow-unknown",
            "list",
            (),
            "module paths accepted without an identified license (licenses.allow-unknown)",
        ),
    )
}
_MODULE_KEYS = ("name", "go-package", "abi3", "free-threaded", "gil-used")
_ALIASES = {"target": "targets"}  # accepted from the command line and the environment
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def reference() -> list[tuple[str, str, str, str]]:
    """(key, type, default, meaning) for every key: the table in docs/wheels.md, from the source."""
    return [(_dotted(k.name), k.type_name, repr(k.default), k.help) for k in _KEYS.values()]


@dataclass(frozen=True, slots=True)
class _Source:
    origin: Origin
    values: Mapping[str, object]  # canonical key -> raw value
    describe: Callable[[str], str]  # canonical key -> the key as the user wrote it
    textual: bool  # values are text to parse (environment, command line)


def load_settings(
    tool_table: object,
    *,
    config: ConfigSettings | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge the sources (see the module docstring) into one validated :class:`Settings`."""
    sources = [
        _from_config(config or {}),
        _from_environ(environ or {}),
        _from_pyproject(tool_table),
    ]
    values: dict[str, object] = {}
    origins: dict[str, Origin] = {}
    for key in _KEYS.values():
        for source in sources:
            if key.name in source.values:
                values[key.attribute] = _convert(key, source.values[key.name], source)
                origins[key.name] = source.origin
                break
    values["env"] = _merged_env(sources)
    if values.get("free_threaded") is None:  # as cibuildwheel's identifier or this CPython
        values["free_threaded"] = free_threaded_default(environ or {})
    settings = Settings(**values, origins=origins)  # type: ignore[arg-type]
    _validate(settings, {key: _where(key, sources) for key in _KEYS})
    return settings


def _where(key: str, sources: Sequence[_Source]) -> str:
    """How to name ``key`` in an error: as written in the source it came from."""
    for source in sources:
        if key in source.values:
            return source.describe(key)
    return f"tool.crossgo.{key}"


# --- the three sources -----------------------------------------------------------------


def _from_pyproject(table: object) -> _Source:
    if table is None:
        table = {}
    if not isinstance(table, Mapping):
        msg = f"tool.crossgo must be a table, not {_describe_value(table)}."
        raise UsageError(msg)
    values = _flatten_licenses(table)
    for key in values:
        _require_known(str(key), f"tool.crossgo.{key}", lambda name: f"tool.crossgo.{name}", _KEYS)
    return _Source("pyproject", values, lambda key: f"tool.crossgo.{_dotted(key)}", textual=False)


_LICENSES_TABLE = ("deny", "allow-unknown")


def _flatten_licenses(table: Mapping[str, object]) -> dict[str, object]:
    """``licenses`` is a boolean, or a table (``licenses.deny``, ``licenses.allow-unknown``)
    that turns it on: stored flat as ``licenses-deny`` and ``licenses-allow-unknown``."""
    values = dict(table)
    sub = values.get("licenses")
    if not isinstance(sub, Mapping):
        return values
    for key in sub:
        if key not in _LICENSES_TABLE:
            hint = closest(str(key), _LICENSES_TABLE)
            mean = f" Did you mean licenses.{hint[0]}?" if hint else ""
            msg = (
                f"unknown key tool.crossgo.licenses.{key}.{mean} Known keys: "
                f"{', '.join(_LICENSES_TABLE)} (or licenses = true/false)."
            )
            raise UsageError(msg)
    values["licenses"] = True
    values |= {f"licenses-{key}": value for key, value in sub.items()}
    return values


def _dotted(key: str) -> str:
    """How pyproject.toml and -C spell the flat ``licenses-*`` keys: ``licenses.deny``."""
    sub = key.removeprefix("licenses-")
    return f"licenses.{sub}" if sub != key and sub in _LICENSES_TABLE else key


def _from_environ(environ: Mapping[str, str]) -> _Source:
    """Only the names of known keys are read: other CROSSGO_* variables belong to the core."""
    names = {_env_name(key): key for key in _KEYS} | {
        _env_name(alias): key for alias, key in _ALIASES.items()
    }
    values: dict[str, object] = {}
    described: dict[str, str] = {}
    for name, key in names.items():
        if name in environ and key not in values:
            values[key] = environ[name]
            described[key] = name
    return _Source("env", values, lambda key: described.get(key, _env_name(key)), textual=True)


def _env_name(key: str) -> str:
    return "CROSSGO_" + key.upper().replace("-", "_")


def _from_config(config: ConfigSettings) -> _Source:
    values: dict[str, object] = {}
    table: dict[str, str] = {}
    for raw_key, value in config.items():
        key = raw_key.strip().lstrip("-").replace("_", "-")
        if key.startswith("env."):
            table[raw_key.split(".", 1)[1]] = _last(value)
            continue
        key = _ALIASES.get(key, key)
        if key.startswith("licenses.") and key.removeprefix("licenses.") in _LICENSES_TABLE:
            key = "licenses-" + key.removeprefix("licenses.")
        _require_known(key, f"-C {raw_key}", lambda name: name, [*_KEYS, *_ALIASES])
        values[key] = value
    if table:
        values["env"] = table
    return _Source("config", values, lambda key: f"-C {_dotted(key)}", textual=True)


def _last(value: str | list[str]) -> str:
    return value[-1] if isinstance(value, list) else value


def _require_known(
    key: str, written: str, spell: Callable[[str], str], known: Iterable[str]
) -> None:
    if key in _KEYS:
        return
    suggestions = [spell(name) for name in closest(key, known)]
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    msg = (
        f"unknown crossgo setting {written}.{hint} Known keys: {', '.join(_KEYS)} "
        "(see docs/wheels.md)."
    )
    raise UsageError(msg)


# --- conversion ------------------------------------------------------------------------


def _convert(key: _Key, raw: object, source: _Source) -> object:
    where = source.describe(key.name)
    if key.kind == "modules":
        return _modules(raw, where, source.textual)
    if key.kind == "boolean":
        return _boolean(key, raw, where, source.textual)
    if key.kind == "list":
        return _list(key, raw, where)
    if key.kind == "table":
        return _table(key, raw, where)
    text = _string(key, raw, where, source.textual)
    if key.kind == "choice" and text not in key.choices:
        msg = f"{where} must be {key.type_name}, not {text!r}."
        raise UsageError(msg)
    return text


def _wrong_type(key: _Key, raw: object, where: str) -> UsageError:
    return UsageError(f"{where} must be {key.type_name}, not {_describe_value(raw)}.")


def _describe_value(raw: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    kind = names.get(type(raw)) or ("a list" if isinstance(raw, list) else "a table")
    return f"{kind} ({raw!r})"


def _string(key: _Key, raw: object, where: str, textual: bool) -> str:
    if textual and isinstance(raw, list) and raw and all(isinstance(x, str) for x in raw):
        raw = raw[-1]  # a repeated -C key: the last one wins, as on a command line
    if not isinstance(raw, str):
        raise _wrong_type(key, raw, where)
    return raw


def boolean_text(text: str) -> bool | None:
    """A boolean written as text, in the words every crossgo setting accepts (``true``, ``1``,
    ``yes``, ``on``; ``false``, ``0``, ``no``, ``off``, empty), or None for other text."""
    word = text.strip().lower()
    return word in _TRUE if word in _TRUE | _FALSE else None


def _boolean(key: _Key, raw: object, where: str, textual: bool) -> bool:
    if isinstance(raw, bool):
        return raw
    if textual and isinstance(raw, str | list):
        value = boolean_text(_string(key, raw, where, textual))
        if value is not None:
            return value
    raise _wrong_type(key, raw, where)


def _list(key: _Key, raw: object, where: str) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise _wrong_type(key, raw, where)
    split: Callable[[str], list[str]] = shlex.split if key.split == "shell" else _comma_split
    if isinstance(raw, list) and key.split == "shell":
        return tuple(cast("list[str]", items))  # a TOML list is already one flag per item
    return tuple(part for item in cast("list[str]", items) for part in split(item))


def _comma_split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _table(key: _Key, raw: object, where: str) -> dict[str, str]:
    if isinstance(raw, str):
        pairs = [word.partition("=") for word in shlex.split(raw)]
        if any(not sep or not name for name, sep, _ in pairs):
            msg = f"{where} must be NAME=VALUE words, not {raw!r}."
            raise UsageError(msg)
        return {name: value for name, _, value in pairs}
    if not isinstance(raw, Mapping):
        raise _wrong_type(key, raw, where)
    for name, value in raw.items():
        if not isinstance(value, str):
            msg = f"{where}.{name} must be a string, not {_describe_value(value)}."
            raise UsageError(msg)
    return {str(name): str(value) for name, value in raw.items()}


def _modules(raw: object, where: str, textual: bool) -> tuple[ExtensionModuleSettings, ...]:
    if textual:
        msg = f"{where} cannot be set there: declare extension modules in pyproject.toml."
        raise UsageError(msg)
    if not isinstance(raw, list):
        msg = f"{where} must be an array of tables ([[{where}]]), not {_describe_value(raw)}."
        raise UsageError(msg)
    return tuple(_module(entry, f"{where}[{index}]") for index, entry in enumerate(raw))


def _module(entry: object, where: str) -> ExtensionModuleSettings:
    if not isinstance(entry, Mapping):
        msg = f"{where} must be a table (name, go-package, ...), not {_describe_value(entry)}."
        raise UsageError(msg)
    for key in entry:
        if key not in _MODULE_KEYS:
            suggestions = closest(str(key), _MODULE_KEYS)
            hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
            msg = f"unknown key {where}.{key}.{hint} Known keys: {', '.join(_MODULE_KEYS)}."
            raise UsageError(msg)
    for key in ("name", "go-package"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            msg = (
                f"{where}.{key} must be a non-empty string, not {_describe_value(entry.get(key))}."
            )
            raise UsageError(msg)
    abi3 = entry.get("abi3", DEFAULT_ABI3)
    if abi3 is True:
        abi3 = DEFAULT_ABI3
    if abi3 is not False and not isinstance(abi3, str):
        msg = f'{where}.abi3 must be a version ("3.9") or false, not {_describe_value(abi3)}.'
        raise UsageError(msg)
    threaded = entry.get("free-threaded")
    if threaded is not None and not isinstance(threaded, bool):
        msg = f"{where}.free-threaded must be true or false, not {_describe_value(threaded)}."
        raise UsageError(msg)
    if threaded and entry.get("abi3", False) is not False:  # abi3 set: a version or true
        msg = (
            f"{where} sets both abi3 and free-threaded = true: the stable ABI (abi3) has no "
            "free-threaded variant (CPython refuses Py_LIMITED_API with Py_GIL_DISABLED; "
            f"{ABI3T} is not made yet). Remove abi3 (a free-threaded module is "
            "version-specific), or remove free-threaded and build the free-threaded wheel with "
            "-C free-threaded=true: abi3 then applies to the GIL wheels only."
        )
        raise UsageError(msg)
    gil_used = entry.get("gil-used")
    if gil_used is not None and (not isinstance(gil_used, str) or not gil_used.strip()):
        msg = f"{where}.gil-used must say why the module needs the GIL, not {gil_used!r}."
        raise UsageError(msg)
    return ExtensionModuleSettings(
        name=entry["name"],
        go_package=entry["go-package"],
        abi3=abi3 or None,
        free_threaded=threaded,
        gil_used=gil_used,
    )


def _merged_env(sources: Sequence[_Source]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for source in reversed(sources):  # lowest precedence first, so higher ones overwrite
        if "env" in source.values:
            merged |= _table(_KEYS["env"], source.values["env"], source.describe("env"))
    return merged


# --- validation ------------------------------------------------------------------------


def _validate(settings: Settings, where: Mapping[str, str]) -> None:
    if not settings.go_package and not settings.extension_modules:
        msg = (
            f"{where['go-package']} is required: the directory of the Go main package to build, "
            'relative to pyproject.toml (e.g. go-package = "go"), unless '
            f"{where['extension-modules']} declares extension modules."
        )
        raise UsageError(msg)
    names = [module.name for module in settings.extension_modules]
    if len(set(names)) != len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        msg = f"{where['extension-modules']} declares {', '.join(twice)} more than once."
        raise UsageError(msg)
    if settings.name is not None and len(settings.go_package) > 1:
        msg = (
            f"{where['name']} names one library, but go-package lists "
            f"{len(settings.go_package)}; leave it out and each library is named after its "
            "Go module."
        )
        raise UsageError(msg)
    if not settings.targets:
        msg = f"{where['targets']} is empty: name at least one target, e.g. native."
        raise UsageError(msg)
    for target in settings.targets:
        if target != "all":
            get_target(target)  # unknown names fail here, with the closest known ones
