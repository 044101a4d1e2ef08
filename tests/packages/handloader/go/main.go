// Package main is the Go side of handloader, a c-shared library loaded by hand.
package main

import "C"

//export Add
func Add(a, b C.longlong) C.longlong {
	return a + b
}

func main() {}
