// Package main: a Go library that Python loads with ctypes, built by crossgo from CMake.
package main

import "C"

import "runtime"

//export Add
func Add(a, b C.longlong) C.longlong { return a + b }

// GoArch is the GOARCH the library was built for, as a number Python can compare:
// 1 amd64, 2 arm64, 0 anything else.
//
//export GoArch
func GoArch() C.int {
	switch runtime.GOARCH {
	case "amd64":
		return 1
	case "arm64":
		return 2
	}
	return 0
}

func main() {}
