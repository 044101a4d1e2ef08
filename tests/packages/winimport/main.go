package main

/*
#include <windows.h>
#include <mmsystem.h>

static unsigned long now_ms(void) { return timeGetTime(); }
*/
import "C"

//export NowMs
func NowMs() int64 { return int64(C.now_ms()) }

func main() {}
