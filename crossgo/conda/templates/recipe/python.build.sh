#!/bin/bash
# Written by `crossgo conda recipe`: pip runs crossgo's build backend for $target_platform.
set -euxo pipefail
${PYTHON} -m pip install . --no-deps --no-build-isolation -vv
