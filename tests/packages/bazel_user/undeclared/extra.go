package main

import "C"

// Extra is exported only when this file is part of the build.
//
//export Extra
func Extra() C.longlong { return 7 }
