// Package main exports one function per type crossgo's generated bindings map, and a few
// they skip, for the bindings tests (tests/integration/test_bindings.py).
package main

/*
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
typedef int32_t myint;
*/
import "C"

import (
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"
)

//export I8
func I8(v int8) int8 { return -v }

//export U16
func U16(v uint16) uint16 { return v + 1 }

//export Not
func Not(v bool) bool { return !v }

//export CNot
func CNot(v C.bool) C.bool { return !v }

//export Ints
func Ints(a int, b uint, c uintptr, d C.long, e C.size_t, f C.myint, g C.uint64_t) C.longlong {
	return C.longlong(a) + C.longlong(b) + C.longlong(c) + C.longlong(d) + C.longlong(e) +
		C.longlong(f) + C.longlong(g)
}

//export Floats
func Floats(a float32, b float64) float64 { return float64(a) * b }

// Upper returns an upper-case copy of s (C strings in and out: freed by the bindings).
//
//export Upper
func Upper(s *C.char) *C.char { return C.CString(strings.ToUpper(C.GoString(s))) }

//export Nothing
func Nothing() *C.char { return nil }

//export RuneCount
func RuneCount(s string) int { return len([]rune(s)) }

//export Greeting
func Greeting() string { return "héllo from Go" }

//export Sum
func Sum(xs []float64) float64 {
	total := 0.0
	for _, x := range xs {
		total += x
	}
	return total
}

// Reverse reverses a byte slice in place: Go writes into the caller's buffer.
//
//export Reverse
func Reverse(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

//export Checksum
func Checksum(data *C.uchar, n C.size_t) C.uint32_t {
	var sum uint32
	for _, b := range unsafe.Slice((*byte)(unsafe.Pointer(data)), int(n)) {
		sum = sum*31 + uint32(b)
	}
	return C.uint32_t(sum)
}

//export DivMod
func DivMod(a, b int) (q int, r int, err *C.char) {
	if b == 0 {
		return 0, 0, C.CString("division by zero")
	}
	return a / b, a % b, nil
}

//export Alloc
func Alloc(n C.size_t) unsafe.Pointer { return C.malloc(n) }

//export Release
func Release(p unsafe.Pointer) { C.free(p) }

// Churn runs n goroutines that allocate, then collects garbage: it exercises the Go
// runtime's scheduler and GC (the two-runtime measurements use it).
//
//export Churn
func Churn(n C.int) C.longlong {
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 0; i < int(n); i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			buf := make([]byte, 64*1024+i)
			mu.Lock()
			total += len(buf)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	runtime.GC()
	return C.longlong(total)
}

//export Nap
func Nap(ms C.int) { time.Sleep(time.Duration(ms) * time.Millisecond) }

//export Conjugate
func Conjugate(c complex128) complex128 { return complex(real(c), -imag(c)) }

//export Keys
func Keys(m map[string]int) int { return len(m) }

//export Describe
func Describe(v interface{}) {}

//export Drain
func Drain(c chan int) {}

func main() {}
