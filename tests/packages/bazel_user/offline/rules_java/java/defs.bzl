"""A stand-in for @rules_java, which Bazel 4 downloads and this machine cannot. Resolving
any toolchain (here the C++ one) parses Bazel's registered Java toolchains, whose BUILD
file loads these names; each forwards to the rule built into Bazel."""

def java_binary(**attrs):
    native.java_binary(**attrs)

def java_import(**attrs):
    native.java_import(**attrs)

def java_library(**attrs):
    native.java_library(**attrs)

def java_runtime(**attrs):
    native.java_runtime(**attrs)

def java_toolchain(**attrs):
    native.java_toolchain(**attrs)
