# crossgo: restore the Go directories this environment's activation replaced.
# Written by `crossgo conda activate-scripts`; sourced by conda's fish activation.
if set -q CROSSGO_GO_DEPTH
    set -l _crossgo_depth $CROSSGO_GO_DEPTH
    for _crossgo_name in GOPATH GOMODCACHE GOCACHE GOBIN GOTOOLCHAIN
        set -l _crossgo_saved _CROSSGO_GO_{$_crossgo_depth}_$_crossgo_name
        if set -q $_crossgo_saved
            set -gx $_crossgo_name $$_crossgo_saved
            set -e $_crossgo_saved
        else
            set -e $_crossgo_name
        end
    end
    if test $_crossgo_depth -gt 1
        set -gx CROSSGO_GO_DEPTH (math $_crossgo_depth - 1)
    else
        set -e CROSSGO_GO_DEPTH
    end
end
