# crossgo: restore the Go directories this environment's activation replaced.
# Written by `crossgo conda activate-scripts`; sourced by conda (sh, bash, dash, zsh).
_crossgo_depth="${CROSSGO_GO_DEPTH:-0}"
if [ "${_crossgo_depth}" -gt 0 ]; then
  for _crossgo_name in GOPATH GOMODCACHE GOCACHE GOBIN GOTOOLCHAIN; do
    _crossgo_saved="_CROSSGO_GO_${_crossgo_depth}_${_crossgo_name}"
    if eval "[ -n \"\${${_crossgo_saved}+set}\" ]"; then
      eval "export ${_crossgo_name}=\"\${${_crossgo_saved}}\""
      unset "${_crossgo_saved}"
    else
      unset "${_crossgo_name}"
    fi
  done
  if [ "${_crossgo_depth}" -gt 1 ]; then
    export CROSSGO_GO_DEPTH=$(( _crossgo_depth - 1 ))
  else
    unset CROSSGO_GO_DEPTH
  fi
fi
unset _crossgo_depth _crossgo_name _crossgo_saved
