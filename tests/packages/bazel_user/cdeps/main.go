package main

/*
#include "magic.h"
*/
import "C"

// Magic is the C library's number plus the offset its cc_library defines.
//
//export Magic
func Magic() C.longlong { return C.longlong(C.magic_number()) + C.MAGIC_OFFSET }

func main() {}
