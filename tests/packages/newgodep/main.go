package main

import "C"

import "example.com/newdep"

//export Answer
func Answer() int64 { return newdep.Answer() }

func main() {}
