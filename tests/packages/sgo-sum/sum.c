#include <Python.h>

/* From Go (sum.go). */
PyObject *sum(PyObject *self, PyObject *args);

/* cgo cannot call a variadic C function: Go calls this instead. */
int sum_parse(PyObject *args, long *a, long *b) { return PyArg_ParseTuple(args, "ll", a, b); }

static struct PyMethodDef methods[] = {
    {"sum", (PyCFunction)sum, METH_VARARGS, "sum(a, b) -> a + b, in Go"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "sum", NULL, -1, methods};

PyMODINIT_FUNC PyInit_sum(void) { return PyModule_Create(&module); }
