#!/bin/sh
# Where every crossgo action starts: launcher.sh PYTHON crossgo_action.py ARGS...
# The same file for every user and machine (it is an input of each action): Python comes
# from a fixed PATH, as /bin/sh does, or is the absolute path crossgo_register(python = ...)
# names. crossgo_action.py checks its version before it imports anything else.
PATH=/usr/local/bin:/usr/bin:/bin
export PATH
python=$1
shift
if ! command -v "$python" >/dev/null 2>&1; then
    echo "crossgo: error: this machine has no $python on PATH ($PATH), and crossgo's Bazel actions run crossgo with it." >&2
    echo "crossgo: hint: install Python 3.11 or later there (a remote executor's image needs it too), or name an interpreter every executor has: crossgo_register(python = \"/path/to/python3\") in WORKSPACE, crossgo.toolchain(python = ...) in MODULE.bazel." >&2
    exit 3
fi
exec "$python" "$@"
