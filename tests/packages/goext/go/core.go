// Package main is the Go side of the CPython extension module goext._core: functions that
// take and return Python objects, raise Python exceptions, and let go of the GIL while Go
// works. module.c holds the module definition and what cgo cannot express in Go.
package main

/*
#include <stdlib.h>
#include <Python.h>

int goext_parse_divide(PyObject *args, double *a, double *b);
void goext_decref(PyObject *object);
PyObject *goext_raise_zero_division(const char *message);
*/
import "C"

import (
	"strings"
	"time"
	"unsafe"
)

func main() {}

// text makes a Python str from Go text (a new reference, or nil with an exception set).
func text(value string) *C.PyObject {
	data := (*C.char)(unsafe.Pointer(unsafe.StringData(value)))
	return C.PyUnicode_FromStringAndSize(data, C.Py_ssize_t(len(value)))
}

// goext_word_counts: word_counts(text: str) -> dict[str, int], words in first-seen order.
//
//export goext_word_counts
func goext_word_counts(self, value *C.PyObject) *C.PyObject {
	encoded := C.PyUnicode_AsUTF8String(value)
	if encoded == nil {
		return nil
	}
	defer C.goext_decref(encoded)
	var data *C.char
	var size C.Py_ssize_t
	if C.PyBytes_AsStringAndSize(encoded, &data, &size) < 0 {
		return nil
	}
	counts := map[string]int{}
	var order []string
	for _, word := range strings.Fields(C.GoStringN(data, C.int(size))) {
		if counts[word] == 0 {
			order = append(order, word)
		}
		counts[word]++
	}
	result := C.PyDict_New()
	for _, word := range order {
		key, count := text(word), C.PyLong_FromLong(C.long(counts[word]))
		failed := key == nil || count == nil || C.PyDict_SetItem(result, key, count) < 0
		for _, object := range []*C.PyObject{key, count} {
			if object != nil {
				C.goext_decref(object)
			}
		}
		if failed {
			C.goext_decref(result)
			return nil
		}
	}
	return result
}

// goext_divide: divide(a: float, b: float) -> float; ZeroDivisionError when b is 0.
//
//export goext_divide
func goext_divide(self, args *C.PyObject) *C.PyObject {
	var a, b C.double
	if C.goext_parse_divide(args, &a, &b) == 0 {
		return nil
	}
	if b == 0 {
		message := C.CString("goext: Go refuses to divide by zero")
		defer C.free(unsafe.Pointer(message))
		return C.goext_raise_zero_division(message)
	}
	return C.PyFloat_FromDouble(a / b)
}

func seconds(value *C.PyObject) (time.Duration, bool) {
	number := C.PyFloat_AsDouble(value)
	if number == -1 && C.PyErr_Occurred() != nil {
		return 0, false
	}
	return time.Duration(float64(number) * float64(time.Second)), true
}

// goext_sleep_without_gil: sleep_without_gil(seconds: float) -> float. Go sleeps with the
// GIL released, so Python threads run meanwhile; returns the seconds slept.
//
//export goext_sleep_without_gil
func goext_sleep_without_gil(self, value *C.PyObject) *C.PyObject {
	duration, ok := seconds(value)
	if !ok {
		return nil
	}
	state := C.PyEval_SaveThread()
	start := time.Now()
	done := make(chan struct{})
	go func() { time.Sleep(duration); close(done) }()
	<-done
	elapsed := time.Since(start).Seconds()
	C.PyEval_RestoreThread(state)
	return C.PyFloat_FromDouble(C.double(elapsed))
}

// goext_hold_gil: hold_gil(seconds: float) -> float, the same sleep with the GIL held.
//
//export goext_hold_gil
func goext_hold_gil(self, value *C.PyObject) *C.PyObject {
	duration, ok := seconds(value)
	if !ok {
		return nil
	}
	start := time.Now()
	time.Sleep(duration)
	return C.PyFloat_FromDouble(C.double(time.Since(start).Seconds()))
}
