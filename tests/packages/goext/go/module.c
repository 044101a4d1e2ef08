/* The module definition of goext._core, and what Go cannot do through cgo: call variadic
 * functions, use CPython's macros, or reach CPython's data (on Windows, python3.dll's data is
 * only reachable through the __imp_ pointers C code uses). The functions are in core.go.
 * Helpers are named goext_*: a Py* name of our own would sit in CPython's namespace. */
#include <Python.h>

PyObject *goext_word_counts(PyObject *self, PyObject *text);
PyObject *goext_divide(PyObject *self, PyObject *args);
PyObject *goext_sleep_without_gil(PyObject *self, PyObject *seconds);
PyObject *goext_hold_gil(PyObject *self, PyObject *seconds);

int goext_parse_divide(PyObject *args, double *a, double *b) {
    return PyArg_ParseTuple(args, "dd:divide", a, b);
}

void goext_decref(PyObject *object) { Py_DECREF(object); }

PyObject *goext_raise_zero_division(const char *message) {
    PyErr_SetString(PyExc_ZeroDivisionError, message);
    return NULL;
}

static PyMethodDef methods[] = {
    {"word_counts", goext_word_counts, METH_O, "word_counts(text) -> {word: count}"},
    {"divide", goext_divide, METH_VARARGS, "divide(a, b) -> a / b; ZeroDivisionError for b == 0"},
    {"sleep_without_gil", goext_sleep_without_gil, METH_O, "sleep in Go, GIL released"},
    {"hold_gil", goext_hold_gil, METH_O, "sleep in Go, GIL held"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "goext._core", "A CPython extension module written in Go.", -1, methods,
};

PyMODINIT_FUNC PyInit__core(void) { return PyModule_Create(&module); }
