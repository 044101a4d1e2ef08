package main

// #include <Python.h>
// int sum_parse(PyObject *args, long *a, long *b);
import "C"

//export sum
func sum(self, args *C.PyObject) *C.PyObject {
	var a, b C.long
	if C.sum_parse(args, &a, &b) == 0 {
		return nil
	}
	return C.PyLong_FromLong(a + b)
}

func main() {}
