// Package main is the Go part of cmake-gohash: a c-shared library that the project's C
// extension links to. crossgo_add_library() in CMakeLists.txt builds it with CMake's C
// compiler, for the platform CMake builds for.
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
