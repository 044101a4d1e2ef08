package main

// #include <Python.h>
// int ftsum_parse(PyObject *args, long *a, long *b);
import "C"

//export ftsum_sum
func ftsum_sum(self, args *C.PyObject) *C.PyObject {
	var a, b C.long
	if C.ftsum_parse(args, &a, &b) == 0 {
		return nil
	}
	return C.PyLong_FromLong(a + b)
}

func main() {}
