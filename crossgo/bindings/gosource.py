"""The ``//export`` functions of a Go package, read from its sources (pure).

cgo's header has the C side of each export, but not what only Go knows: that a ``GoUint8``
is a ``bool``, or what a ``GoSlice`` holds. This module reads each exported function's Go
signature. The same signatures, as text (:func:`signature`), are the export set that a
library built with bindings reports (``crossgo_exports``) and that generated bindings check
when they load, so the two always come from this one reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["EXPORTS_FORMAT", "GoFunction", "GoParam", "exports_text", "parse_exports", "signature"]

#: The first line of the export-set text; a new format gets a new number.
EXPORTS_FORMAT = "crossgo-exports 1"

_DIRECTIVE = re.compile(r"^//export[ \t]+(\w+)[ \t]*$", re.MULTILINE)
_TYPE_KEYWORDS = frozenset({"chan", "func", "map", "struct", "interface"})
_OPEN, _CLOSE = "([{", ")]}"


@dataclass(frozen=True, slots=True)
class GoParam:
    name: str  # "" for an unnamed parameter or result
    type: str  # normalised Go type expression: "*C.char", "[]byte", "map[string]int"


@dataclass(frozen=True, slots=True, kw_only=True)
class GoFunction:
    name: str
    params: tuple[GoParam, ...]
    results: tuple[GoParam, ...]
    declaration: str  # "func Add(a, b C.longlong) C.longlong", for docstrings


def signature(function: GoFunction) -> str:
    """``Name(T1,T2)R`` or ``Name(T1)(R1,R2)``: the export as its ABI sees it (no names)."""
    params = ",".join(param.type for param in function.params)
    results = [result.type for result in function.results]
    tail = results[0] if len(results) == 1 else f"({','.join(results)})" if results else ""
    return f"{function.name}({params}){tail}"


def exports_text(functions: Iterable[GoFunction]) -> str:
    """The export set as a library reports it: the format line, then one signature a line."""
    lines = sorted({signature(function) for function in functions})
    return "\n".join([EXPORTS_FORMAT, *lines]) + "\n"


def parse_exports(sources: Iterable[str]) -> tuple[GoFunction, ...]:
    """Every ``//export``-marked function of these Go files, in source order."""
    found: list[GoFunction] = []
    for source in sources:
        code = _blank_comments(source)
        for directive in _DIRECTIVE.finditer(source):
            function = _function_after(code, directive.group(1), directive.end())
            if function is not None:
                found.append(function)
    return tuple(found)


def _blank_comments(source: str) -> str:
    """The source with comments turned into spaces (offsets kept), string literals intact."""
    out = list(source)
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char in "\"'`":
            i = _skip_literal(source, i)
        elif source.startswith("//", i) or source.startswith("/*", i):
            end = source.find("\n", i) if source[i + 1] == "/" else source.find("*/", i) + 2
            end = n if end <= 1 or end == -1 else end
            for j in range(i, end):
                if out[j] != "\n":
                    out[j] = " "
            i = end
        else:
            i += 1
    return "".join(out)


def _skip_literal(source: str, start: int) -> int:
    quote, i = source[start], start + 1
    while i < len(source) and source[i] != quote:
        if source[i] == "\\" and quote != "`":
            i += 1
        elif source[i] == "\n" and quote != "`":
            break  # an unterminated literal: the compiler will say so
        i += 1
    return i + 1


def _function_after(code: str, name: str, start: int) -> GoFunction | None:
    match = re.compile(rf"\bfunc[ \t]+{name}[ \t]*\(").search(code, start)
    if match is None:
        return None
    params_end = _matching(code, match.end() - 1)
    body = code.find("{", params_end)
    if params_end < 0 or body < 0:
        return None
    params = code[match.end() : params_end]
    results = code[params_end + 1 : body].strip()
    if results.startswith("("):
        results = results[1:-1]
    declaration = " ".join(code[match.start() : body].split())
    return GoFunction(
        name=name,
        params=_parameter_list(params),
        results=_parameter_list(results),
        declaration=declaration,
    )


def _matching(code: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(code)):
        if code[i] in _OPEN:
            depth += 1
        elif code[i] in _CLOSE:
            depth -= 1
            if depth == 0:
                return i
    return -1


def _split_top_level(text: str) -> Iterator[str]:
    depth, start = 0, 0
    for i, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif char == "," and depth == 0:
            yield text[start:i].strip()
            start = i + 1
    if text[start:].strip():
        yield text[start:].strip()


def _parameter_list(text: str) -> tuple[GoParam, ...]:
    """Go's rule: if any entry is ``name Type``, lone identifiers are names sharing the next
    type (``a, b int``); otherwise every entry is a type."""
    entries = [_name_and_type(entry) for entry in _split_top_level(text)]
    if not any(name for name, _ in entries):
        return tuple(GoParam("", _normalise(entry)) for entry in _split_top_level(text))
    params: list[GoParam] = []
    pending: list[str] = []
    for name, type_ in entries:
        if not name:  # a lone identifier: a name whose type comes later
            pending.append(type_)
            continue
        params += [GoParam(waiting, _normalise(type_)) for waiting in pending]
        params.append(GoParam(name, _normalise(type_)))
        pending = []
    return tuple(params)


def _name_and_type(entry: str) -> tuple[str, str]:
    first, _, rest = entry.partition(" ")
    if rest.strip() and first.isidentifier() and first not in _TYPE_KEYWORDS:
        return first, rest.strip()
    return "", entry


def _normalise(type_: str) -> str:
    collapsed = " ".join(type_.split())
    return re.sub(r"\s*([\[\]()*,{};])\s*", r"\1", collapsed)
