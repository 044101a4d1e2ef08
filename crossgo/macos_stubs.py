"""Minimal macOS link stubs derived from the Go toolchain's own sources.

Cross-linking a ``-buildmode=c-shared`` library for darwin with ``zig cc``
and no Apple SDK fails as soon as the Go standard library asks the external
linker for a system library zig does not bundle::

    error: unable to find dynamic system library "resolv" using strategy paths_first
    error: unable to find system framework "CoreFoundation"
    error: unable to find system framework "Security"

(``net`` asks for ``-lresolv``; ``crypto/x509`` asks for ``-framework
CoreFoundation -framework Security``.)  The Go runtime and standard library
never include Apple headers for these: every function they call is declared
in Go source as::

    //go:cgo_import_dynamic <local> <symbol> "<install path>"

so the Go toolchain in use states exactly which symbols it needs and from
which library.  This module reads those directives from ``$GOROOT/src``
(only files that are compiled for darwin), and writes TAPI v4 text stubs
(``.tbd``) naming exactly those symbols, which the linker accepts in place of
the real library.  The resulting dylib records the real install paths in its
``LC_LOAD_DYLIB`` commands and binds every import to them with two-level
namespace binding, just as when linking against the SDK.

``libSystem`` is not stubbed: zig ships its own ``libSystem.tbd`` that
already exports every libSystem symbol Go imports, and zig links that copy
even when a ``libSystem.tbd`` is on a ``-L`` path (checked with zig 0.17.1:
the load command keeps zig's current version 1359).

Version numbers written to the stubs (see :data:`KNOWN_VERSIONS`) are the
compatibility versions the real macOS libraries have carried for many years
(and still carry): ``CoreFoundation`` 150.0.0, everything else 1.0.0.  dyld
refuses to load an image only when the compatibility version recorded in its
``LC_LOAD_DYLIB`` is *higher* than the one the installed library declares, so
recording the real (never raised) value is safe on every macOS from 11 on.
The current version is set equal to it: it is informational only and no
load-time check compares it.

The module is pure apart from reading GOROOT and writing the stub cache: no
printing, no environment access, no subprocesses.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

__all__ = [
    "APPLE_FRAMEWORKS",
    "KNOWN_VERSIONS",
    "LIBSYSTEM",
    "STUB_FORMAT",
    "DarwinImports",
    "DynamicImport",
    "GoArch",
    "MacStubs",
    "StubVersion",
    "apple_framework_includes",
    "applies_to_darwin",
    "build_constraint",
    "ensure_stubs",
    "eval_build_constraint",
    "framework_name",
    "is_darwin_library",
    "is_framework",
    "library_link_name",
    "match_file_name",
    "needs_sdk_headers",
    "parse_cgo_import_dynamic",
    "parse_cgo_ldflags",
    "render_tbd",
    "scan_goroot",
    "stub_dir_name",
    "stub_relpath",
    "symbols_by_library",
    "tbd_target",
]

GoArch = Literal["arm64", "amd64"]

#: Bumped whenever the rendered stubs change, so cached trees get rebuilt.
STUB_FORMAT: Final = 1

LIBSYSTEM: Final = "/usr/lib/libSystem.B.dylib"
_USR_LIB: Final = "/usr/lib/"
_FRAMEWORKS: Final = "/System/Library/Frameworks/"

_TBD_ARCH: Final[Mapping[str, str]] = {"arm64": "arm64", "amd64": "x86_64"}


@dataclass(frozen=True)
class StubVersion:
    """``current-version`` / ``compatibility-version`` written to a stub."""

    current: str
    compatibility: str


#: Compatibility versions of the real libraries (unchanged for many macOS
#: releases, e.g. ``otool -L`` shows ``CoreFoundation (compatibility version
#: 150.0.0 …)``, ``Security (compatibility version 1.0.0 …)``,
#: ``libresolv.9.dylib (compatibility version 1.0.0, current version 1.0.0)``).
KNOWN_VERSIONS: Final[Mapping[str, StubVersion]] = {
    LIBSYSTEM: StubVersion("1.0.0", "1.0.0"),
    "/usr/lib/libresolv.9.dylib": StubVersion("1.0.0", "1.0.0"),
    "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation": (
        StubVersion("150.0.0", "150.0.0")
    ),
    "/System/Library/Frameworks/Security.framework/Versions/A/Security": (
        StubVersion("1.0.0", "1.0.0")
    ),
}

#: For a library not in :data:`KNOWN_VERSIONS`: 0.0.0 is what Go's own
#: internal Mach-O linker records for every dynamic import, and it can never
#: be higher than what an installed library declares.
_UNKNOWN_VERSION: Final = StubVersion("0.0.0", "0.0.0")


# --------------------------------------------------------------------------
# Parsing directives
# --------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class DynamicImport:
    """One ``//go:cgo_import_dynamic`` import of a darwin library symbol."""

    symbol: str
    install_path: str


_IMPORT_RE: Final = re.compile(
    r'^//go:cgo_import_dynamic[ \t]+(\S+)[ \t]+(\S+)[ \t]+"([^"\n]*)"[ \t]*\r?$',
    re.MULTILINE,
)
_LDFLAG_RE: Final = re.compile(r'^//go:cgo_ldflag[ \t]+"([^"\n]*)"[ \t]*\r?$', re.MULTILINE)


def is_framework(install_path: str) -> bool:
    """True for ``/System/Library/Frameworks/<Name>.framework/...`` paths."""
    if not install_path.startswith(_FRAMEWORKS):
        return False
    first = install_path[len(_FRAMEWORKS) :].split("/", 1)[0]
    return first.endswith(".framework") and len(first) > len(".framework")


def is_darwin_library(install_path: str) -> bool:
    """True for a macOS system library: ``/usr/lib/*.dylib`` or a framework."""
    if install_path.startswith(_USR_LIB):
        name = install_path[len(_USR_LIB) :]
        return "/" not in name and name.startswith("lib") and name.endswith(".dylib")
    return is_framework(install_path)


def parse_cgo_import_dynamic(text: str) -> tuple[DynamicImport, ...]:
    """Darwin imports named by ``//go:cgo_import_dynamic`` lines in *text*.

    Only the three-field form ``local remote "library"`` is taken, and only
    when the library is a darwin system library.  The two-field form (no
    install path), ``"…"`` empty paths (``runtime/race``), ``_ _ "lib"``
    (link-the-library-only) and ELF/PE/XCOFF libraries are ignored.  Like the
    Go compiler, a directive must start at the beginning of a line.  Order of
    first appearance is kept; duplicates are dropped.
    """
    seen: dict[DynamicImport, None] = {}
    for match in _IMPORT_RE.finditer(text):
        _local, remote, library = match.groups()
        if remote == "_" or not is_darwin_library(library):
            continue
        seen.setdefault(DynamicImport(remote, library), None)
    return tuple(seen)


def parse_cgo_ldflags(text: str) -> tuple[str, ...]:
    """The arguments of ``//go:cgo_ldflag "…"`` lines in *text*, in order."""
    return tuple(m.group(1) for m in _LDFLAG_RE.finditer(text))


def symbols_by_library(imports: Iterable[DynamicImport]) -> dict[str, tuple[str, ...]]:
    """Group imports into install path -> sorted unique symbols."""
    grouped: dict[str, set[str]] = {}
    for imp in imports:
        grouped.setdefault(imp.install_path, set()).add(imp.symbol)
    return {path: tuple(sorted(syms)) for path, syms in sorted(grouped.items())}


# --------------------------------------------------------------------------
# Which GOROOT files apply to darwin
# --------------------------------------------------------------------------

# go/build's lists (syslist.go).  A file name suffix or build tag naming one
# of these is an OS/arch constraint; every other tag is a free tag.
_KNOWN_OS: Final = frozenset(
    (
        "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
        "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
    )
)  # fmt: skip
_KNOWN_ARCH: Final = frozenset(
    (
        "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips",
        "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le",
        "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
    )
)  # fmt: skip


def match_file_name(name: str, goarch: str) -> bool:
    """Go's ``_GOOS`` / ``_GOARCH`` / ``_GOOS_GOARCH`` file-name rule for darwin.

    Note ``_ios`` files do not apply to GOOS=darwin (only the reverse holds).
    """
    stem = name.split(".", 1)[0]
    if "_" not in stem:
        return True
    parts = stem[stem.index("_") :].split("_")
    if parts and parts[-1] == "test":
        parts = parts[:-1]
    if len(parts) >= 2 and parts[-2] in _KNOWN_OS and parts[-1] in _KNOWN_ARCH:
        return parts[-2] == "darwin" and parts[-1] == goarch
    if parts and parts[-1] in _KNOWN_OS:
        return parts[-1] == "darwin"
    if parts and parts[-1] in _KNOWN_ARCH:
        return parts[-1] == goarch
    return True


_BUILD_LINE_RE: Final = re.compile(r"^//go:build[ \t]+(.+?)[ \t]*\r?$")


def build_constraint(text: str) -> str | None:
    """The ``//go:build`` expression of a Go file, if any.

    Only the header (lines before the ``package`` clause) is searched.
    """
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("package ") or stripped == "package":
            return None
        match = _BUILD_LINE_RE.match(line)
        if match:
            return match.group(1)
    return None


_OPERATORS: Final = frozenset(("&&", "||", "!", "(", ")"))
_TOKEN_RE: Final = re.compile(r"\s*(&&|\|\||!|\(|\)|[A-Za-z0-9_.]+)")


def _tokenize(expr: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        match = _TOKEN_RE.match(expr, pos)
        if match is None:
            raise ValueError(f"bad build constraint: {expr!r}")
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive-descent evaluator for ``//go:build`` expressions."""

    def __init__(self, tokens: list[str], value: Mapping[str, bool]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.value = value

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise ValueError("unexpected end of build constraint")
        self.pos += 1
        return token

    def parse(self) -> bool:
        result = self._or()
        if self._peek() is not None:
            raise ValueError(f"unexpected {self._peek()!r} in build constraint")
        return result

    def _or(self) -> bool:
        result = self._and()
        while self._peek() == "||":
            self._take()
            rhs = self._and()
            result = result or rhs
        return result

    def _and(self) -> bool:
        result = self._not()
        while self._peek() == "&&":
            self._take()
            rhs = self._not()
            result = result and rhs
        return result

    def _not(self) -> bool:
        item = self._take()
        if item == "!":
            return not self._not()
        if item == "(":
            result = self._or()
            if self._take() != ")":
                raise ValueError("missing ) in build constraint")
            return result
        if item in _OPERATORS:
            raise ValueError(f"unexpected {item!r} in build constraint")
        return self.value.get(item, False)


def _fixed_tag(tag: str, goarch: str) -> bool | None:
    """Value of an OS/arch tag for darwin/*goarch*; None for a free tag."""
    if tag in ("darwin", "unix") or tag == goarch:
        return True
    if tag in _KNOWN_OS or tag in _KNOWN_ARCH:
        return False
    return None


def eval_build_constraint(expr: str, goarch: str) -> bool:
    """Whether *expr* can hold for GOOS=darwin, GOARCH=*goarch*.

    OS and architecture tags are fixed (``darwin``, ``unix`` and *goarch*
    true, every other known GOOS/GOARCH false).  Every other tag (``cgo``,
    ``race``, ``netgo``, ``osusergo``, ``purego``, ``goexperiment.*``,
    ``go1.N``, …) is free: the file applies if *some* choice of them
    satisfies the expression.  That yields the union over all build tag
    settings, so stubs never lack a symbol some ``-tags`` choice needs;
    extra exported symbols in a stub are harmless.
    """
    tokens = _tokenize(expr)
    tags = {t for t in tokens if t not in _OPERATORS}
    free = sorted(t for t in tags if _fixed_tag(t, goarch) is None)
    if len(free) > 12:
        raise ValueError(f"too many free tags in build constraint: {expr!r}")
    fixed = {t: v for t in tags if (v := _fixed_tag(t, goarch)) is not None}
    for bits in range(1 << len(free)):
        value = dict(fixed)
        value.update({tag: bool(bits >> i & 1) for i, tag in enumerate(free)})
        if _Parser(tokens, value).parse():
            return True
    return False


def applies_to_darwin(name: str, text: str, goarch: str) -> bool:
    """Whether a GOROOT Go file is compiled for darwin/*goarch* (see module doc).

    Rule: not a ``_test.go`` file, its ``_GOOS``/``_GOARCH`` file-name suffix
    (if any) matches darwin/*goarch*, and its ``//go:build`` line (if any)
    is satisfiable for darwin/*goarch* with all non-OS/arch tags free.
    """
    if not name.endswith(".go") or name.endswith("_test.go"):
        return False
    if not match_file_name(name, goarch):
        return False
    expr = build_constraint(text)
    return expr is None or eval_build_constraint(expr, goarch)


@dataclass(frozen=True)
class DarwinImports:
    """What a GOROOT's darwin code imports from system libraries."""

    goarch: str
    #: install path -> sorted symbols (libSystem included).
    libraries: Mapping[str, tuple[str, ...]]
    #: ``//go:cgo_ldflag`` arguments found in darwin files, in scan order.
    ldflags: tuple[str, ...]

    @property
    def frameworks(self) -> tuple[str, ...]:
        """Install paths of the libraries that are frameworks."""
        return tuple(p for p in self.libraries if is_framework(p))

    @property
    def dylibs(self) -> tuple[str, ...]:
        """Install paths of the ``/usr/lib`` libraries."""
        return tuple(p for p in self.libraries if not is_framework(p))


# Directories of GOROOT/src never linked into a user's package: the Go
# commands (and their vendored x/sys) and test data.  Like the go command,
# directories starting with "." or "_" are ignored too.
_SKIP_TOP: Final = frozenset({"cmd"})
_SKIP_ANY: Final = frozenset({"testdata"})


def _go_files(src: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(src):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in _SKIP_ANY
            and not d.startswith((".", "_"))
            and not (here == src and d in _SKIP_TOP)
        )
        for filename in sorted(filenames):
            if filename.endswith(".go") and not filename.endswith("_test.go"):
                yield here / filename


def scan_goroot(goroot: Path, goarch: str) -> DarwinImports:
    """Collect the darwin/*goarch* system-library imports of ``goroot/src``.

    Every non-test ``.go`` file outside ``src/cmd`` and ``testdata`` that
    applies to darwin/*goarch* (:func:`applies_to_darwin`) and mentions a
    ``cgo_import_dynamic`` or ``cgo_ldflag`` directive is read.
    """
    src = goroot / "src"
    if not src.is_dir():
        raise FileNotFoundError(f"not a GOROOT (no src directory): {goroot}")
    imports: list[DynamicImport] = []
    ldflags: list[str] = []
    for path in _go_files(src):
        if not match_file_name(path.name, goarch):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "//go:cgo_" not in text or not applies_to_darwin(path.name, text, goarch):
            continue
        imports.extend(parse_cgo_import_dynamic(text))
        ldflags.extend(parse_cgo_ldflags(text))
    return DarwinImports(goarch, symbols_by_library(imports), tuple(ldflags))


# --------------------------------------------------------------------------
# Rendering stubs
# --------------------------------------------------------------------------


def tbd_target(goarch: str) -> str:
    """TAPI target for a GOARCH: ``arm64-macos`` or ``x86_64-macos``."""
    try:
        return f"{_TBD_ARCH[goarch]}-macos"
    except KeyError:
        raise ValueError(f"unsupported darwin GOARCH: {goarch!r}") from None


_SYMBOL_RE: Final = re.compile(r"^[A-Za-z_$.][A-Za-z0-9_$.@]*$")
_VERSION_RE: Final = re.compile(r"^\d+(\.\d+){0,2}$")


def _yaml_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def render_tbd(
    install_path: str,
    symbols: Iterable[str],
    goarch: str,
    *,
    current_version: str = "1.0.0",
    compatibility_version: str = "1.0.0",
) -> str:
    """A TAPI v4 text stub exporting *symbols* (C names, no leading ``_``).

    The Mach-O symbol names get the C underscore prefix.  Symbols are sorted
    and deduplicated, so the output depends only on the set.
    """
    names = sorted(set(symbols))
    for name in names:
        if not _SYMBOL_RE.match(name):
            raise ValueError(f"not a symbol name: {name!r}")
    for version in (current_version, compatibility_version):
        if not _VERSION_RE.match(version):
            raise ValueError(f"not a Mach-O version: {version!r}")
    if "'" in install_path or "\n" in install_path:
        raise ValueError(f"bad install path: {install_path!r}")
    target = tbd_target(goarch)
    lines = [
        "--- !tapi-tbd",
        "tbd-version:     4",
        f"targets:         [ {target} ]",
        f"install-name:    {_yaml_quote(install_path)}",
        f"current-version: {current_version}",
        f"compatibility-version: {compatibility_version}",
    ]
    if names:
        lines += [
            "exports:",
            f"  - targets:         [ {target} ]",
            "    symbols:",
            *(f"      - {_yaml_quote('_' + name)}" for name in names),
        ]
    lines.append("...")
    return "\n".join(lines) + "\n"


def framework_name(install_path: str) -> str:
    """``CoreFoundation`` for ``/System/Library/Frameworks/CoreFoundation.framework/…``."""
    if not is_framework(install_path):
        raise ValueError(f"not a framework install path: {install_path!r}")
    return install_path[len(_FRAMEWORKS) :].split("/", 1)[0].removesuffix(".framework")


def library_link_name(install_path: str) -> str:
    """The ``-l`` name of a ``/usr/lib`` dylib: ``resolv`` for ``libresolv.9.dylib``."""
    if is_framework(install_path) or not is_darwin_library(install_path):
        raise ValueError(f"not a /usr/lib dylib: {install_path!r}")
    base = install_path[len(_USR_LIB) :].removeprefix("lib")
    return base.split(".", 1)[0]


def stub_relpath(install_path: str) -> str:
    """Where the stub for *install_path* lives in a stub tree.

    ``lib/lib<name>.tbd`` (found by ``-l<name>`` via ``-L<root>/lib``) or
    ``Frameworks/<Name>.framework/<Name>.tbd`` (found by ``-framework
    <Name>`` via ``-F<root>/Frameworks``).
    """
    if is_framework(install_path):
        name = framework_name(install_path)
        return f"Frameworks/{name}.framework/{name}.tbd"
    return f"lib/lib{library_link_name(install_path)}.tbd"


# --------------------------------------------------------------------------
# The cached stub tree
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class MacStubs:
    """A stub tree and the flags that make the linker use it."""

    root: Path
    #: Append to CGO_LDFLAGS, e.g. ``('-L<root>/lib', '-F<root>/Frameworks')``.
    #: Go splits CGO_LDFLAGS at spaces but honours '…' / "…" quoting, so quote
    #: each flag when the cache path may contain spaces.
    ldflags: tuple[str, ...]
    #: Install paths that were stubbed.
    libraries: tuple[str, ...] = ()


def _stub_files(imports: DarwinImports, skip: frozenset[str]) -> dict[str, str]:
    files: dict[str, str] = {}
    for path, syms in imports.libraries.items():
        if path in skip:
            continue
        version = KNOWN_VERSIONS.get(path, _UNKNOWN_VERSION)
        files[stub_relpath(path)] = render_tbd(
            path,
            syms,
            imports.goarch,
            current_version=version.current,
            compatibility_version=version.compatibility,
        )
    return files


def _ldflags(root: Path, relpaths: Iterable[str]) -> tuple[str, ...]:
    tops = {rel.split("/", 1)[0] for rel in relpaths}
    flags: list[str] = []
    if "lib" in tops:
        flags.append(f"-L{root / 'lib'}")
    if "Frameworks" in tops:
        flags.append(f"-F{root / 'Frameworks'}")
    return tuple(flags)


_MANIFEST: Final = "manifest.json"
_UNSAFE_CHARS_RE: Final = re.compile(r"[^A-Za-z0-9._+-]+")


def stub_dir_name(go_version: str) -> str:
    """*go_version* made safe as one path component.

    ``go1.27.3`` stays as it is; a devel version such as ``devel go1.28-abc
    Tue …`` has its spaces and slashes replaced by ``_``.
    """
    name = _UNSAFE_CHARS_RE.sub("_", go_version).strip("._")
    if not name:
        raise ValueError(f"unusable Go version: {go_version!r}")
    return name


def _read_manifest(root: Path) -> dict[str, object] | None:
    try:
        data = json.loads((root / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_tree(tmp: Path, files: Mapping[str, str], manifest: Mapping[str, object]) -> None:
    for rel, text in files.items():
        target = tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (tmp / _MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", "utf-8")


def _manifest_matches(found: Mapping[str, object] | None, wanted: Mapping[str, object]) -> bool:
    """Same stub contents (the recorded GOROOT location does not matter)."""
    if found is None:
        return False
    keys = set(wanted) | set(found)
    keys.discard("goroot")
    return all(found.get(k) == wanted.get(k) for k in keys)


def _tree_ok(root: Path, files: Iterable[str], manifest: Mapping[str, object]) -> bool:
    """*root* holds a complete tree equivalent to *manifest*."""
    return _manifest_matches(_read_manifest(root), manifest) and all(
        (root / rel).is_file() for rel in files
    )


def _publish(tmp: Path, root: Path, files: Iterable[str], manifest: Mapping[str, object]) -> None:
    """Move the finished *tmp* tree to *root*.

    If *root* already holds an equivalent complete tree (e.g. a concurrent
    writer got there first) it is kept and *tmp* dropped; a stale or damaged
    tree is moved aside and replaced.
    """
    try:
        tmp.replace(root)
        return
    except OSError:
        if not root.exists():
            raise
    if _tree_ok(root, files, manifest):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
    try:
        with contextlib.suppress(FileNotFoundError):
            root.replace(trash / "tree")
        try:
            tmp.replace(root)
        except OSError:
            if not root.exists():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another writer won
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def ensure_stubs(
    goroot: Path,
    go_version: str,
    goarch: GoArch,
    cache_dir: Path,
    *,
    skip: Iterable[str] = (LIBSYSTEM,),
) -> MacStubs:
    """Write (or reuse) the stub tree for *go_version* and *goarch*.

    The tree is ``cache_dir/macos-stubs/<go_version>-<goarch>/`` (see
    :func:`stub_dir_name`); it is built
    in a temporary directory next to it and moved into place with
    :func:`os.replace`, so readers never see a partial tree.  A tree whose
    manifest matches (stub format, GOROOT, contents) is reused without being
    rewritten.  Libraries in *skip* (by default libSystem, which zig
    provides) get no stub.
    """
    if goarch not in _TBD_ARCH:
        raise ValueError(f"unsupported darwin GOARCH: {goarch!r}")
    key = f"{stub_dir_name(go_version)}-{goarch}"
    base = cache_dir / "macos-stubs"
    root = base / key
    imports = scan_goroot(goroot, goarch)
    files = _stub_files(imports, frozenset(skip))
    manifest: dict[str, object] = {
        "format": STUB_FORMAT,
        "go_version": go_version,
        "goarch": goarch,
        "goroot": str(goroot),
        "files": sorted(files),
        "libraries": {p: list(s) for p, s in imports.libraries.items()},
    }
    stubbed = tuple(p for p in imports.libraries if stub_relpath(p) in files)
    result = MacStubs(root, _ldflags(root, files), stubbed)
    if _tree_ok(root, files, manifest):
        return result
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.tmp-", dir=base))
    try:
        _write_tree(tmp, files, manifest)
        _publish(tmp, root, files, manifest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return result


# --------------------------------------------------------------------------
# Apple SDK headers
# --------------------------------------------------------------------------

#: Apple frameworks whose headers exist only in an SDK (zig's bundled darwin
#: headers cover libc, mach, dispatch, xpc, objc and CommonCrypto only).
APPLE_FRAMEWORKS: Final = frozenset(
    (
        "Accelerate", "AppKit", "ApplicationServices", "AudioToolbox", "AudioUnit",
        "AVFoundation", "AVKit", "Carbon", "Cocoa", "CoreAudio", "CoreAudioTypes",
        "CoreBluetooth", "CoreData", "CoreFoundation", "CoreGraphics", "CoreImage",
        "CoreLocation", "CoreMedia", "CoreMIDI", "CoreML", "CoreServices", "CoreText",
        "CoreVideo", "CoreWLAN", "CryptoTokenKit", "DiskArbitration", "EventKit", "Foundation",
        "GameController", "GLKit", "ImageIO", "IOKit", "IOSurface", "LocalAuthentication",
        "Metal", "MetalKit", "MetalPerformanceShaders", "Network", "NetworkExtension", "OpenAL",
        "OpenCL", "OpenGL", "Quartz", "QuartzCore", "ScreenCaptureKit", "Security",
        "SecurityFoundation", "ServiceManagement", "SystemConfiguration",
        "UniformTypeIdentifiers", "UserNotifications", "VideoToolbox", "Vision", "WebKit",
    )
)  # fmt: skip

_INCLUDE_RE: Final = re.compile(
    r'^[ \t]*(?://[ \t]*)?#[ \t]*(?:include|import|include_next)[ \t]*[<"]([A-Za-z0-9_]+)/',
    re.MULTILINE,
)


def apple_framework_includes(c_sources: Iterable[str]) -> tuple[str, ...]:
    """Apple frameworks whose headers the given C text / cgo preambles include.

    Recognises ``#include`` / ``#import`` of ``<Framework/Header.h>`` (or
    quoted), also inside ``//``-commented cgo preambles.  Sorted, unique.
    """
    found: set[str] = set()
    for text in c_sources:
        names = (m.group(1) for m in _INCLUDE_RE.finditer(text))
        found.update(n for n in names if n in APPLE_FRAMEWORKS)
    return tuple(sorted(found))


def needs_sdk_headers(c_sources: Iterable[str]) -> bool:
    """Whether the C text includes Apple framework headers (needs an SDK)."""
    return bool(apple_framework_includes(c_sources))
