// Package main wraps a C library found only in the host prefix.
package main

/*
#cgo LDFLAGS: -lgreet
#include <greet.h>
*/
import "C"

//export Answer
func Answer(base C.int) C.int { return C.greet_answer(base) }

func main() {}
