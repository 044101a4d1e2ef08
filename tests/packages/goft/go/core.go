// Package main is the Go side of goft._core: CPU-bound work that needs no Python object and so
// runs with the GIL released (GIL build) or next to other threads (free-threaded build).
// module.c holds the module definition.
package main

import "C"

func main() {}

// goft_sum_squares returns the sum of i*i mod 7 for i below n: work for a thread.
//
//export goft_sum_squares
func goft_sum_squares(n C.longlong) C.longlong {
	var sum int64
	for i := int64(0); i < int64(n); i++ {
		sum += i * i % 7
	}
	return C.longlong(sum)
}
