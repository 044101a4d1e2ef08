# crossgo: give this conda environment its own Go directories (GOPATH, GOMODCACHE, GOCACHE,
# GOBIN inside the environment) and keep Go from downloading toolchains. Deactivation
# restores exactly what was there before, also when environments are stacked.
# Written by `crossgo conda activate-scripts`; sourced by conda's fish activation.
set -l _crossgo_depth 1
if set -q CROSSGO_GO_DEPTH
    set _crossgo_depth (math $CROSSGO_GO_DEPTH + 1)
end
for _crossgo_name in GOPATH GOMODCACHE GOCACHE GOBIN GOTOOLCHAIN
    if set -q $_crossgo_name
        # The saved name ends like the original, so fish treats both alike (a name ending
        # in PATH is a colon-separated path variable in fish).
        set -gx _CROSSGO_GO_{$_crossgo_depth}_$_crossgo_name $$_crossgo_name
    end
end
set -gx CROSSGO_GO_DEPTH $_crossgo_depth
set -gx GOPATH "$CONDA_PREFIX/var/go"
set -gx GOMODCACHE "$CONDA_PREFIX/var/go/pkg/mod"
set -gx GOCACHE "$CONDA_PREFIX/var/cache/go-build"
set -gx GOBIN "$CONDA_PREFIX/bin"
set -gx GOTOOLCHAIN local
