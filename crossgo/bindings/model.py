"""What the generated module declares: each export mapped to ctypes and Python types (pure).

The mapping (docs/bindings.md has it as a table):

- C and cgo integers -> ``int``; ``float``/``double`` -> ``float``; ``_Bool``, and a Go
  ``bool`` (``GoUint8`` in the header) -> ``bool``;
- ``char*`` -> ``str | bytes`` in (UTF-8), ``str | None`` out: copied, then freed with the
  library's ``crossgo_free``; ``GoString`` -> ``str | bytes`` in, ``str`` out (copied);
- a pointer followed by an integer named like a length (``n``, ``len``, ``size``, ...) ->
  one buffer argument whose length is passed for you; ``GoSlice`` -> a buffer;
- other pointers -> ``int | None`` (an address); several Go results -> a tuple.

Anything else (complex numbers, maps, channels, interfaces, structs by value) has no
mapping: the function is skipped with a :class:`Skipped` reason.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from crossgo.bindings.gosource import GoFunction, GoParam, signature
from crossgo.bindings.header import CFunction, CParam, CType, Header

__all__ = ["Argument", "Binding", "Module", "Result", "Skipped", "build_module", "python_name"]

ArgKind = Literal["scalar", "text", "gostring", "buffer", "slice", "pointer"]
ResultKind = Literal["none", "int", "float", "bool", "text", "gostring", "pointer", "tuple"]

_INTEGERS: Mapping[str, str] = {
    "signed char": "c_byte",
    "unsigned char": "c_ubyte",
    "short": "c_short",
    "unsigned short": "c_ushort",
    "int": "c_int",
    "unsigned int": "c_uint",
    "long": "c_long",
    "unsigned long": "c_ulong",
    "long long": "c_longlong",
    "unsigned long long": "c_ulonglong",
    "size_t": "c_size_t",
    "ssize_t": "c_ssize_t",
    "ptrdiff_t": "c_ssize_t",
    "intptr_t": "c_ssize_t",
    "uintptr_t": "c_size_t",
    **{f"int{bits}_t": f"c_int{bits}" for bits in (8, 16, 32, 64)},
    **{f"uint{bits}_t": f"c_uint{bits}" for bits in (8, 16, 32, 64)},
}
_FLOATS: Mapping[str, str] = {"float": "c_float", "double": "c_double"}
_BOOLS = frozenset({"_Bool", "bool"})
_SIZES: Mapping[str, int] = {
    "c_byte": 1, "c_ubyte": 1, "c_short": 2, "c_ushort": 2, "c_int": 4, "c_uint": 4,
    "c_longlong": 8, "c_ulonglong": 8, "c_float": 4, "c_double": 8, "char": 1, "void": 1,
    **{f"c_int{bits}": bits // 8 for bits in (8, 16, 32, 64)},
    **{f"c_uint{bits}": bits // 8 for bits in (8, 16, 32, 64)},
}  # fmt: skip
# Go element types of a []T argument, by size in bytes.
_GO_ELEMENTS: Mapping[str, int] = {
    "byte": 1, "uint8": 1, "int8": 1, "bool": 1, "int16": 2, "uint16": 2, "int32": 4,
    "uint32": 4, "rune": 4, "float32": 4, "int64": 8, "uint64": 8, "int": 8, "uint": 8,
    "uintptr": 8, "float64": 8, "C.char": 1, "C.uchar": 1, "C.schar": 1, "C.int": 4,
    "C.uint": 4, "C.longlong": 8, "C.ulonglong": 8, "C.double": 8, "C.float": 4,
}  # fmt: skip
_LENGTH_NAME = re.compile(r"(?i)^(n|len|length|size|count|nbytes|num)$|(len|length|size|count)$")
_OPAQUE_REASONS: Mapping[str, str] = {
    "GoInterface": "a Go interface",
    "GoMap": "a Go map",
    "GoChan": "a Go channel",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Argument:
    """One Python parameter: one C argument, or two for a pointer and its length."""

    name: str
    kind: ArgKind
    annotation: str
    ctypes: tuple[str, ...]  # the C argument types it fills, as ctypes expressions
    itemsize: int = 1  # buffer and slice: bytes per element


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    kind: ResultKind
    annotation: str
    ctype: str  # the restype expression ("None" for void)
    fields: tuple[Result, ...] = ()  # a tuple's parts


@dataclass(frozen=True, slots=True, kw_only=True)
class Binding:
    symbol: str  # the C name
    name: str  # the Python name
    arguments: tuple[Argument, ...]
    result: Result
    declaration: str  # the Go declaration, for the docstring
    signature: str  # the export as the library reports it (gosource.signature)


@dataclass(frozen=True, slots=True)
class Skipped:
    symbol: str
    reason: str

    def __str__(self) -> str:
        return f"{self.symbol}: {self.reason}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Module:
    library: str  # lib<library>.so
    bindings: tuple[Binding, ...]
    skipped: tuple[Skipped, ...]


class _Unmapped(Exception):
    pass


def python_name(go_name: str) -> str:
    """``Sha256Hex`` -> ``sha256_hex``, ``HTTPGet`` -> ``http_get``; keywords get a ``_``."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", go_name).lower()
    taken = keyword.iskeyword(snake) or keyword.issoftkeyword(snake) or hasattr(builtins, snake)
    return f"{snake}_" if taken or snake in {"none", "true", "false"} else snake


def build_module(library: str, header: Header, go: Sequence[GoFunction]) -> Module:
    by_name = {function.name: function for function in go}
    bindings: list[Binding] = []
    skipped: list[Skipped] = []
    for function in header.functions:
        if function.name.startswith("crossgo_"):
            continue  # the build's own helpers
        source = by_name.get(function.name)
        if source is None:
            reason = "its Go declaration was not found in the package's sources"
            skipped.append(Skipped(function.name, reason))
            continue
        try:
            bindings.append(_binding(function, source))
        except _Unmapped as error:
            skipped.append(Skipped(function.name, str(error)))
    _refuse_duplicate_names(bindings, skipped)
    return Module(library=library, bindings=tuple(bindings), skipped=tuple(skipped))


def _refuse_duplicate_names(bindings: list[Binding], skipped: list[Skipped]) -> None:
    seen: set[str] = set()
    for binding in list(bindings):
        if binding.name in seen:
            bindings.remove(binding)
            skipped.append(Skipped(binding.symbol, f"another export is also {binding.name}"))
        seen.add(binding.name)


def _binding(function: CFunction, source: GoFunction) -> Binding:
    if len(source.params) != len(function.params):
        msg = "the header and the Go source disagree on its parameters"
        raise _Unmapped(msg)
    return Binding(
        symbol=function.name,
        name=python_name(function.name),
        arguments=_arguments(function.params, source.params),
        result=_result(function, source),
        declaration=source.declaration,
        signature=signature(source),
    )


def _arguments(params: Sequence[CParam], go: Sequence[GoParam]) -> tuple[Argument, ...]:
    arguments: list[Argument] = []
    names: set[str] = set()
    i = 0
    while i < len(params):
        param, go_param = params[i], go[i]
        name = _argument_name(param.name, names)
        following = params[i + 1] if i + 1 < len(params) else None
        if _is_pair(param, following):
            assert following is not None
            arguments.append(_buffer(name, param.type, following.type))
            i += 2
            continue
        arguments.append(_argument(name, param.type, go_param.type))
        i += 1
    return tuple(arguments)


def _argument_name(name: str, taken: set[str]) -> str:
    python = python_name(name) if name else f"p{len(taken)}"
    while python in taken or python.startswith("_"):
        python = python.lstrip("_") + "_" if python.startswith("_") else python + "_"
    taken.add(python)
    return python


def _is_pair(param: CParam, following: CParam | None) -> bool:
    if following is None or param.type.pointers != 1 or following.type.pointers != 0:
        return False
    if _element_size(param.type) is None:
        return False
    return following.type.base in _INTEGERS and bool(_LENGTH_NAME.search(following.name))


def _element_size(type_: CType) -> int | None:
    if type_.base in {"char", "void"}:
        return 1
    return _SIZES.get(_INTEGERS.get(type_.base) or _FLOATS.get(type_.base) or "")


def _buffer(name: str, pointer: CType, length: CType) -> Argument:
    return Argument(
        name=name,
        kind="buffer",
        annotation="bytes | bytearray | memoryview",
        ctypes=("ctypes.c_void_p", f"ctypes.{_INTEGERS[length.base]}"),
        itemsize=_element_size(pointer) or 1,
    )


def _argument(name: str, type_: CType, go_type: str) -> Argument:
    if type_.pointers == 1 and type_.base == "char":
        return Argument(
            name=name, kind="text", annotation="str | bytes", ctypes=("ctypes.c_char_p",)
        )
    if type_.pointers:
        return Argument(
            name=name, kind="pointer", annotation="int | None", ctypes=("ctypes.c_void_p",)
        )
    if type_.base == "GoString":
        return Argument(name=name, kind="gostring", annotation="str | bytes", ctypes=("_GoString",))
    if type_.base == "GoSlice":
        element = go_type.removeprefix("[]")
        if not go_type.startswith("[]") or element not in _GO_ELEMENTS:
            msg = f"a slice of {element} has no buffer mapping"
            raise _Unmapped(msg)
        annotation = "bytes | bytearray | memoryview"
        return Argument(name=name, kind="slice", annotation=annotation, ctypes=("_GoSlice",),
                        itemsize=_GO_ELEMENTS[element])  # fmt: skip
    ctype, annotation = _scalar(type_, go_type)
    return Argument(name=name, kind="scalar", annotation=annotation, ctypes=(ctype,))


def _scalar(type_: CType, go_type: str) -> tuple[str, str]:
    """(ctypes expression, Python type) of a C value type; unmapped ones raise."""
    if type_.base in _BOOLS:
        return "ctypes.c_bool", "bool"
    if type_.base in _INTEGERS:
        return f"ctypes.{_INTEGERS[type_.base]}", "bool" if go_type == "bool" else "int"
    if type_.base in _FLOATS:
        return f"ctypes.{_FLOATS[type_.base]}", "float"
    raise _Unmapped(_reason(type_))


def _reason(type_: CType) -> str:
    if type_.base in _OPAQUE_REASONS:
        return f"{type_.spelled} is {_OPAQUE_REASONS[type_.base]}, which Python cannot hold"
    if "_Complex" in type_.base:
        return f"{type_.spelled} is a complex number, which has no C ABI ctypes knows"
    if type_.base.startswith("struct "):
        return f"{type_.spelled} is a struct passed by value"
    if type_.base == "char":
        return "a char by value has a sign that differs between platforms: use C.schar or C.uchar"
    return f"{type_.spelled} ({type_.base}) has no Python mapping"


def _result(function: CFunction, source: GoFunction) -> Result:
    if function.result_fields:
        if len(function.result_fields) != len(source.results):
            msg = "the header and the Go source disagree on its results"
            raise _Unmapped(msg)
        parts = tuple(
            _single_result(field.type, go.type)
            for field, go in zip(function.result_fields, source.results, strict=True)
        )
        annotation = f"tuple[{', '.join(part.annotation for part in parts)}]"
        return Result(kind="tuple", annotation=annotation, ctype=f"_{function.name}Return",
                      fields=parts)  # fmt: skip
    go_type = source.results[0].type if len(source.results) == 1 else ""
    return _single_result(function.result, go_type)


def _single_result(type_: CType, go_type: str) -> Result:
    if type_.is_void:
        return Result(kind="none", annotation="None", ctype="None")
    if type_.pointers == 1 and type_.base == "char":
        return Result(kind="text", annotation="str | None", ctype="ctypes.c_void_p")
    if type_.pointers:
        return Result(kind="pointer", annotation="int | None", ctype="ctypes.c_void_p")
    if type_.base == "GoString":
        return Result(kind="gostring", annotation="str", ctype="_GoString")
    if type_.base == "GoSlice":
        msg = "a Go slice result points into Go's heap, which cgo forbids returning"
        raise _Unmapped(msg)
    ctype, annotation = _scalar(type_, go_type)
    kind: ResultKind = (
        "bool" if annotation == "bool" else "float" if annotation == "float" else "int"
    )
    return Result(kind=kind, annotation=annotation, ctype=ctype)
