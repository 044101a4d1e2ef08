# crossgo: give this conda environment its own Go directories (GOPATH, GOMODCACHE, GOCACHE,
# GOBIN inside the environment) and keep Go from downloading toolchains. Deactivation
# restores exactly what was there before, also when environments are stacked.
# Written by `crossgo conda activate-scripts`; sourced by conda (sh, bash, dash, zsh).
_crossgo_depth=$(( ${CROSSGO_GO_DEPTH:-0} + 1 ))
for _crossgo_name in GOPATH GOMODCACHE GOCACHE GOBIN GOTOOLCHAIN; do
  if eval "[ -n \"\${${_crossgo_name}+set}\" ]"; then
    eval "export _CROSSGO_GO_${_crossgo_depth}_${_crossgo_name}=\"\${${_crossgo_name}}\""
  fi
done
export CROSSGO_GO_DEPTH="${_crossgo_depth}"
export GOPATH="${CONDA_PREFIX}/var/go"
export GOMODCACHE="${CONDA_PREFIX}/var/go/pkg/mod"
export GOCACHE="${CONDA_PREFIX}/var/cache/go-build"
export GOBIN="${CONDA_PREFIX}/bin"
export GOTOOLCHAIN=local
unset _crossgo_depth _crossgo_name
