package main

import "C"

//export Add
func Add(a, b C.longlong) C.longlong { return a + b }

func main() {}
