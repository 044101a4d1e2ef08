"""Go's names for operating systems and CPUs, as Bazel's @platforms constraints.

This is vocabulary, not a target table: which targets exist comes from `crossgo targets
--json` at fetch time. A Go name maps to the constraints that mean it; a platform matches
when it has any of them.
"""

GOOS_CONSTRAINTS = {
    "darwin": ["@platforms//os:macos"],
    "linux": ["@platforms//os:linux"],
    "windows": ["@platforms//os:windows"],
}

GOARCH_CONSTRAINTS = {
    "386": ["@platforms//cpu:x86_32"],
    "amd64": ["@platforms//cpu:x86_64"],
    "arm": ["@platforms//cpu:armv7"],
    # @platforms has both names; Apple's platforms tend to use arm64.
    "arm64": ["@platforms//cpu:aarch64", "@platforms//cpu:arm64"],
    # The @platforms bundled with Bazel 4 has only the generic `ppc`.
    "ppc64le": ["@platforms//cpu:ppc"],
    "riscv64": ["@platforms//cpu:riscv64"],
    "s390x": ["@platforms//cpu:s390x"],
}

ALL_CONSTRAINTS = sorted({
    label: None
    for table in (GOOS_CONSTRAINTS, GOARCH_CONSTRAINTS)
    for labels in table.values()
    for label in labels
}.keys())

def target_constraints(row):
    """The constraint_values of a platform for one target row: the first of each list."""
    os = GOOS_CONSTRAINTS.get(row["goos"])
    cpu = GOARCH_CONSTRAINTS.get(row["goarch"])
    if not os or not cpu:
        return None
    return [os[0], cpu[0]]
