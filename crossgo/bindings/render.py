"""The generated module and its ``.pyi`` stub, as text (pure).

The module is the loader template (``templates/loader.py.tmpl``: loading, the one-runtime
registry, fork safety, the export-set check), the helper blocks the declared functions need
(``GoString``, buffers, ``GoSlice``), then one ctypes declaration and one small typed
function per export. It passes ``ruff`` and ``mypy --strict`` with crossgo's own settings
(tested), and lines stay within 100 characters.
"""

from __future__ import annotations

import importlib.resources
import string
import textwrap
from collections.abc import Iterable, Sequence

from crossgo import __version__
from crossgo.bindings.gosource import EXPORTS_FORMAT
from crossgo.bindings.model import Argument, Binding, Module, Result

__all__ = ["render_module", "render_stub"]

_WIDTH = 100
_CONVERT = {
    "int": "int({})",
    "float": "float({})",
    "bool": "bool({})",
    "text": "_take_text({})",
    "gostring": "_from_go_string({})",
    "pointer": "{}",
}


def _template(name: str) -> str:
    path = importlib.resources.files("crossgo.bindings") / "templates" / name
    return path.read_bytes().decode("utf-8")


def _fit(head: str, items: Sequence[str], tail: str, indent: str = "") -> list[str]:
    """``head(a, b)tail`` on one line if it fits, else one item a line, as ruff formats it."""
    line = f"{indent}{head}{', '.join(items)}{tail}"
    if len(line) <= _WIDTH:
        return [line]
    return [f"{indent}{head}", *(f"{indent}    {item}," for item in items), f"{indent}{tail}"]


def render_module(module: Module) -> str:
    bindings = module.bindings
    exports = [f'    "{EXPORTS_FORMAT}",', *(f'    "{b.signature}",' for b in bindings)]
    names = ", ".join(_quoted(bindings))
    head = string.Template(_template("loader.py.tmpl")).substitute(
        library=module.library,
        version=__version__,
        all=names,
        exports="\n".join(exports),
    )
    if len(f"__all__ = [{names}]") > _WIDTH:
        head = head.replace(
            f"__all__ = [{names}]\n", "\n".join(_fit("__all__ = [", _quoted(bindings), "]")) + "\n"
        )
    parts = [head.rstrip("\n"), *_helpers(bindings), *_result_structs(bindings)]
    parts.append("\n\n" + "\n".join(line for b in bindings for line in _declaration(b)))
    parts += ["\n\n" + "\n".join(_function(binding)) for binding in bindings]
    return "\n".join(parts) + "\n"


def _quoted(bindings: Iterable[Binding]) -> list[str]:
    return [f'"{name}"' for name in sorted(binding.name for binding in bindings)]


def _helpers(bindings: Sequence[Binding]) -> list[str]:
    kinds = {argument.kind for binding in bindings for argument in binding.arguments}
    results = {part.kind for b in bindings for part in (b.result, *b.result.fields)}
    blocks = []
    if "gostring" in kinds | results:
        blocks.append("gostring.py.tmpl")
    if kinds & {"buffer", "slice"}:
        blocks.append("buffer.py.tmpl")
    if "slice" in kinds:
        blocks.append("goslice.py.tmpl")
    return [_template(block).rstrip("\n") for block in blocks]


def _result_structs(bindings: Sequence[Binding]) -> list[str]:
    structs = []
    for binding in bindings:
        if binding.result.kind == "tuple":
            fields = [f'("r{i}", {part.ctype})' for i, part in enumerate(binding.result.fields)]
            lines = [f"\n\nclass {binding.result.ctype}(ctypes.Structure):"]
            lines += _fit("_fields_ = (", fields, ")", "    ")
            structs.append("\n".join(lines))
    return structs


def _declaration(binding: Binding) -> list[str]:
    ctypes_ = [ctype for argument in binding.arguments for ctype in argument.ctypes]
    items = [*ctypes_, ""] if len(ctypes_) == 1 else ctypes_  # a one-item tuple needs its comma
    head = f"_lib.{binding.symbol}.argtypes = ("
    lines = _fit(head, items, ")") if len(ctypes_) != 1 else [f"{head}{ctypes_[0]},)"]
    return [*lines, f"_lib.{binding.symbol}.restype = {binding.result.ctype}"]


def _annotation(argument: Argument) -> str:
    return f"{argument.name}: {argument.annotation}"


def _signature(binding: Binding, body: str = "") -> list[str]:
    params = [_annotation(argument) for argument in binding.arguments]
    lines = _fit(f"def {binding.name}(", params, f") -> {binding.result.annotation}:{body}")
    if len(params) > 5 and not body:
        lines[0] += "  # noqa: PLR0917"  # the Go function's parameters, in order
    return lines


def _docstring(binding: Binding) -> list[str]:
    text = f"Go: {binding.declaration}"
    wrapped = textwrap.wrap(text, _WIDTH - 10, break_long_words=False, break_on_hyphens=False)
    if len(wrapped) == 1:
        return [f'    """{wrapped[0]}"""']
    return ['    """', *(f"    {line}" for line in wrapped), '    """']


def _function(binding: Binding) -> list[str]:
    lines = [*_signature(binding), *_docstring(binding)]
    lines += ["    if _Process.forked:", "        _refuse_forked()"]
    pinned = any(argument.kind in {"buffer", "slice"} for argument in binding.arguments)
    indent = "        " if pinned else "    "
    body: list[str] = []
    call_args: list[str] = []
    for argument in binding.arguments:
        setup, passed = _pass(argument, indent)
        body += setup
        call_args += passed
    body += _call(binding, call_args, indent)
    if not pinned:
        return lines + body
    # Buffers stay exported through the call and are given back however it ends.
    lines += ["    _pins: list[memoryview] = []", "    try:"]
    return [*lines, *body, "    finally:", "        _unpin(_pins)"]


def _pass(argument: Argument, indent: str) -> tuple[list[str], list[str]]:
    """(statements before the call, the C arguments) for one Python argument."""
    name = argument.name
    if argument.kind in {"buffer", "slice"}:
        setup = f"{indent}_{name}, _{name}_count = _pin({name}, {argument.itemsize}, _pins)"
        if argument.kind == "slice":
            return [setup], [f"_go_slice(_{name}, _{name}_count)"]
        return [setup], [f"_{name}", f"_{name}_count"]
    if argument.kind == "text":
        return [], [f"_text({name})"]
    if argument.kind == "gostring":
        return [], [f"_go_string({name})"]
    return [], [name]


def _call(binding: Binding, args: Sequence[str], indent: str) -> list[str]:
    result = binding.result
    callee = f"_lib.{binding.symbol}("
    if result.kind == "none":
        return _fit(callee, args, ")", indent)
    if result.kind == "tuple":
        lines = _fit(f"result = {callee}", args, ")", indent)
        parts = [_convert(part, f"result.r{i}") for i, part in enumerate(result.fields)]
        return lines + _fit("return (", parts, ")", indent)
    if result.kind == "pointer":
        lines = _fit(f"address: int | None = {callee}", args, ")", indent)
        return [*lines, f"{indent}return address"]
    if result.kind in {"text", "gostring"}:
        lines = _fit(f"result = {callee}", args, ")", indent)
        return [*lines, f"{indent}return {_convert(result, 'result')}"]
    return _fit(f"return {result.kind}({callee}", args, "))", indent)


def _convert(result: Result, expression: str) -> str:
    return _CONVERT[result.kind].format(expression)


def render_stub(module: Module) -> str:
    lines = [
        f'"""Types of the lib{module.library} bindings crossgo {__version__} generated. '
        'Do not edit."""',
        "",
        *_fit("__all__ = [", _quoted(module.bindings), "]"),
        "",
    ]
    for binding in module.bindings:
        lines += _signature(binding, " ...")
    return "\n".join(lines) + "\n"
