package main

import "C"

import "example.com/sbom/unknownlib"

//export Unknown
func Unknown() *C.char { return C.CString(unknownlib.Unknown()) }

func main() {}
