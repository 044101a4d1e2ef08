// Package main is the Go side of gohash: a c-shared library with a small C API. crossgo
// generates the Python side from the header cgo writes (bindings = true in pyproject.toml).
package main

/*
#include <stdlib.h>
*/
import "C"

import (
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"unsafe"
)

//export Add
func Add(a, b C.longlong) C.longlong { return a + b }

//export Fib
func Fib(n C.int) C.longlong {
	a, b := C.longlong(0), C.longlong(1)
	for i := C.int(0); i < n; i++ {
		a, b = b, a+b
	}
	return a
}

// Sha256Hex returns the hex SHA-256 of data[:n]; free the result with FreeString.
//
//export Sha256Hex
func Sha256Hex(data *C.char, n C.int) *C.char {
	sum := sha256.Sum256(C.GoBytes(unsafe.Pointer(data), n))
	return C.CString(hex.EncodeToString(sum[:]))
}

// GoVersion returns the Go release the library was built with; free it with FreeString.
//
//export GoVersion
func GoVersion() *C.char { return C.CString(runtime.Version()) }

//export FreeString
func FreeString(p *C.char) { C.free(unsafe.Pointer(p)) }

func main() {}
