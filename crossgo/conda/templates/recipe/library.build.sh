#!/bin/bash
# Written by `crossgo conda recipe`: build the Go library for $target_platform and
# install it in $PREFIX (lib/ and include/).
set -euxo pipefail
crossgo conda install @GO_PACKAGE@ --name @LIBRARY@
