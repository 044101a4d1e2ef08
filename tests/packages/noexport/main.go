package main

import "C"

func Add(a, b C.int) C.int { return a + b }

func main() {}
