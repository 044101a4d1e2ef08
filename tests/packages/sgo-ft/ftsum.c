#include <Python.h>

/* From Go (ftsum.go). */
PyObject *ftsum_sum(PyObject *self, PyObject *args);

/* cgo cannot call a variadic C function: Go calls this instead. */
int ftsum_parse(PyObject *args, long *a, long *b) { return PyArg_ParseTuple(args, "ll", a, b); }

static struct PyMethodDef methods[] = {
    {"sum", (PyCFunction)ftsum_sum, METH_VARARGS, "sum(a, b) -> a + b, in Go"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ftsum", NULL, -1, methods};

/* Single-phase init: a free-threaded CPython is told in PyInit that the module needs no GIL. */
PyMODINIT_FUNC PyInit_ftsum(void) {
    PyObject *m = PyModule_Create(&module);
#ifdef Py_GIL_DISABLED
    if (m != NULL && PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED) < 0) {
        Py_DECREF(m);
        return NULL;
    }
#endif
    return m;
}
