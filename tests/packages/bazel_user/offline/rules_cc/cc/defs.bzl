"""A stand-in for @rules_cc, which Bazel 4 downloads and this machine cannot: Bazel's own
C++ toolchain setup (@bazel_tools//tools/cpp) loads these names, and each forwards to the
rule built into Bazel, as rules_cc's defs.bzl itself did then."""

def cc_binary(**attrs):
    native.cc_binary(**attrs)

def cc_import(**attrs):
    native.cc_import(**attrs)

def cc_library(**attrs):
    native.cc_library(**attrs)

def cc_proto_library(**attrs):
    native.cc_proto_library(**attrs)

def cc_toolchain(**attrs):
    native.cc_toolchain(**attrs)

def cc_toolchain_suite(**attrs):
    native.cc_toolchain_suite(**attrs)

def objc_library(**attrs):
    native.objc_library(**attrs)
