package main

// The module definition is C in the cgo preamble below: a file with no //export may define
// C functions there (sum.go, which exports, may only declare them).

// #include <Python.h>
//
// PyObject *sum(PyObject *self, PyObject *args);
//
// int sub_parse(PyObject *args, long *a, long *b) {
//     return PyArg_ParseTuple(args, "ll", a, b);
// }
//
// static struct PyMethodDef methods[] = {
//     {"sum", (PyCFunction)sum, METH_VARARGS, "sum(a, b) -> a + b, in Go"},
//     {NULL, NULL, 0, NULL},
// };
//
// static struct PyModuleDef module = {
//     PyModuleDef_HEAD_INIT, "sum_sub_package.sum", NULL, -1, methods,
// };
//
// PyMODINIT_FUNC PyInit_sum(void) { return PyModule_Create(&module); }
import "C"
