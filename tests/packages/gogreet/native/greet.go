// Package main is gogreet's Go side: one function with a C API.
package main

import "C"

import "strings"

// Shout upper-cases s and returns its length in bytes.
//
//export Shout
func Shout(s *C.char) C.longlong { return C.longlong(len(strings.ToUpper(C.GoString(s)))) }

func main() {}
