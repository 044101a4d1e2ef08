"""The checks an extension module passes before crossgo puts it at the output path.

* ``init``: it exports ``PyInit_<name>``, the function CPython calls to import it;
* ``python-link``: it takes CPython's symbols from the interpreter that loads it, and from no
  particular libpython: on Linux they stay undefined and no ``libpython*.so`` is needed; on
  macOS each binds by flat lookup (dyld's binding information says so) and no libpython or
  Python framework is loaded; on Windows an abi3 module imports them from ``python3.dll``
  only, never from a ``python3X.dll``;
* ``stable-abi`` (abi3 only): every CPython symbol it imports is in the stable ABI, on that
  platform, and was there in the abi3 minimum; and it defines no ``Py*`` symbol of its own
  but ``PyInit_*`` (abi3audit rejects those). A failure names each symbol and why;
* ``gil`` (free-threaded only): it declares ``Py_MOD_GIL_NOT_USED`` (:mod:`crossgo.extmod.gil`),
  or its settings say why it needs the GIL (``gil-used``); else a free-threaded CPython would
  turn the GIL back on when it imports the module.

A CPython symbol is one named ``Py*`` or ``_Py*`` (CPython's namespace, as abi3audit reads
it), or any symbol imported from a ``python3*.dll``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from crossgo.checks import Check
from crossgo.extmod.module import PythonBuild
from crossgo.extmod.stable_abi import stable_abi
from crossgo.spelling import Frontend, option

if TYPE_CHECKING:
    from crossgo.binary import BinaryInfo

__all__ = ["extension_checks", "python_imports"]

_PYTHON_DLL = re.compile(r"^python3\d*(_d)?\.dll$", re.IGNORECASE)
_LIBPYTHON = re.compile(r"(^|/)(libpython\d|Python\.framework/|Python$)")


def _is_python_symbol(name: str, library: str | None) -> bool:
    if library is not None and _PYTHON_DLL.match(library):
        return True
    return name.startswith(("Py", "_Py"))


def python_imports(info: BinaryInfo) -> list[tuple[str, str | None]]:
    """The CPython symbols the module imports, with the library each names."""
    return sorted(
        {(name, library) for name, library in info.imports if _is_python_symbol(name, library)}
    )


def _init(info: BinaryInfo, python: PythonBuild) -> Check:
    wanted = python.module.init_function
    if wanted in info.exports:
        return Check("init", True, f"exports {wanted}")
    short = python.module.short_name
    others = sorted(name for name in info.exports if name.startswith("PyInit_"))
    found = f" (it exports {', '.join(others)})" if others else ""
    detail = (
        f"{python.filename} does not export {wanted}{found}: CPython imports the module "
        f"{python.module.name} by calling {wanted}. Define it, as PyMODINIT_FUNC "
        f"{wanted}(void) in C (a .c file of the package or its cgo preamble), or as a Go "
        f"function marked //export {wanted}; or name the module after the init function it has"
        f" (the module name's last part, {short}, must match)"
    )
    return Check("init", False, detail)


def _elf_link(info: BinaryInfo, imports: list[tuple[str, str | None]]) -> Check:
    needed = [name for name in info.needed if _LIBPYTHON.search(name)]
    if needed:
        return Check("python-link", False, f"needs {', '.join(needed)}: it must use the loader's")
    return Check("python-link", True, f"{len(imports)} CPython symbols undefined, no libpython")


def _macho_link(info: BinaryInfo, imports: list[tuple[str, str | None]], path: Path) -> Check:
    from crossgo.extmod.dyldinfo import FLAT_LOOKUP, bind_ordinals  # noqa: PLC0415

    needed = [name for name in info.needed if _LIBPYTHON.search(name)]
    ordinals = bind_ordinals(path)
    bound = sorted(name for name, _ in imports if ordinals.get(name, FLAT_LOOKUP) != FLAT_LOOKUP)
    problems = [f"loads {', '.join(needed)}"] if needed else []
    if bound:
        problems.append(f"binds {', '.join(bound)} to a library, not by dynamic lookup")
    if problems:
        return Check("python-link", False, "; ".join(problems))
    unbound = [name for name, _ in imports if name not in ordinals]
    detail = f"{len(imports) - len(unbound)} CPython symbols bound by flat (dynamic) lookup"
    if unbound:
        detail += f", {len(unbound)} never bound"
    return Check("python-link", True, detail)


def _pe_link(imports: list[tuple[str, str | None]], python: PythonBuild) -> Check:
    from crossgo.extmod.pythondll import dll_name  # noqa: PLC0415

    dlls = sorted({library or "?" for _, library in imports})
    wanted, kind = "python3.dll", "an abi3"
    if python.free_threaded:
        wanted, kind = dll_name(python.headers.version, free_threaded=True), "a free-threaded"
    wrong = [dll for dll in dlls if dll.lower() != wanted]
    if wrong:
        detail = f"imports CPython from {', '.join(wrong)}: {kind} module imports {wanted} only"
        return Check("python-link", False, detail)
    return Check("python-link", True, f"{len(imports)} CPython symbols from {', '.join(dlls)}")


def _stable_abi(info: BinaryInfo, imports: list[tuple[str, str | None]], py: PythonBuild) -> Check:
    assert py.minimum is not None
    minimum = ".".join(map(str, py.minimum))
    known = stable_abi()
    goos = py.target.goos
    problems = []
    for name, _ in imports:
        symbol = known.get(name)
        if symbol is None or not symbol.on(goos):
            where = "" if symbol is None else f" on {py.target.name}"
            problems.append(f"{name} is not in the stable ABI{where}")
        elif symbol.added > py.minimum:
            problems.append(f"{name} joined the stable ABI in {symbol.added_text}, after {minimum}")
    own = sorted(
        n for n in info.exports if n.startswith(("Py", "_Py")) and not n.startswith("PyInit_")
    )
    problems += [f"{name} is defined here, in CPython's namespace" for name in own]
    if problems:
        detail = f"abi3 {minimum}: {'; '.join(problems)}"
        return Check("stable-abi", False, detail)
    detail = f"{len(imports)} CPython symbols, all in the stable ABI of {minimum}"
    return Check("stable-abi", True, detail)


def _gil(info: BinaryInfo, python: PythonBuild, frontend: Frontend) -> Check:
    from crossgo.extmod.gil import SET_GIL, declares_gil_not_used, slot_numbers  # noqa: PLC0415

    numbers = slot_numbers(python.headers.include)
    if numbers is not None and declares_gil_not_used(info.path.read_bytes(), numbers):
        return Check("gil", True, "declares {Py_mod_gil, Py_MOD_GIL_NOT_USED} in its slots")
    if any(name == SET_GIL for name, _ in info.imports):
        return Check("gil", True, f"calls {SET_GIL} (single-phase init)")
    if python.module.gil_used:
        return Check("gil", True, f"uses the GIL (gil-used: {python.module.gil_used})")
    init = python.module.init_function
    detail = (
        f"{python.filename} does not declare Py_MOD_GIL_NOT_USED, so a free-threaded CPython "
        f"turns the GIL back on when it imports {python.module.name} (with a RuntimeWarning). "
        "Once its code is safe without the GIL, add {Py_mod_gil, Py_MOD_GIL_NOT_USED} to its "
        f"PyModuleDef_Slot array (multi-phase init), or call {SET_GIL}(module, "
        f"Py_MOD_GIL_NOT_USED) in {init} (single-phase init); or, to ship it needing the GIL, "
        f"say why: {option(frontend, 'gil-used', '<reason>')}"
    )
    return Check("gil", False, detail)


def extension_checks(
    info: BinaryInfo, python: PythonBuild, frontend: Frontend = "cli"
) -> tuple[Check, ...]:
    """The module's own checks (see the module docstring), after crossgo's library checks."""
    imports = python_imports(info)
    if info.format == "macho":
        link = _macho_link(info, imports, info.path)
    elif info.format == "pe":
        link = _pe_link(imports, python)
    else:
        link = _elf_link(info, imports)
    checks = [_init(info, python), link]
    if python.minimum is not None:
        checks.append(_stable_abi(info, imports, python))
    if python.free_threaded:
        checks.append(_gil(info, python, frontend))
    return tuple(checks)
