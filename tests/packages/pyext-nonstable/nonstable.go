// Package main is an extension module that reaches past the stable ABI, as code ported
// from a version-specific module might: its abi3 build must fail the stable-ABI check, naming
// each function.
package main

/*
#include <Python.h>

// Not in the limited API, so declared by hand (the abi3 headers hide it).
PyObject *PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size);
// In the stable ABI only from 3.10, above an abi3 minimum of 3.9.
int PyModule_AddObjectRef(PyObject *module, const char *name, PyObject *value);
*/
import "C"

import "unsafe"

func main() {}

//export nonstable_text
func nonstable_text(self, module *C.PyObject) *C.PyObject {
	data := []byte("abc")
	text := C.PyUnicode_FromKindAndData(1, unsafe.Pointer(&data[0]), 3)
	if text != nil && C.PyModule_AddObjectRef(module, C.CString("text"), text) < 0 {
		return nil
	}
	return text
}
