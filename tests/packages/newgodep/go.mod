module example.com/usesnewdep

go 1.22

require example.com/newdep v0.0.0

replace example.com/newdep => ./newdep
