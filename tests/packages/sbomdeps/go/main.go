package main

import "C"

import (
	"example.com/sbom/apachelib"
	"example.com/sbom/bsdlib"
	"example.com/sbom/mitlib"
)

//export Modules
func Modules() *C.char {
	return C.CString(mitlib.Mit() + "," + bsdlib.Bsd() + "," + apachelib.Apache() + platformModules())
}

func main() {}
