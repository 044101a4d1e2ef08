#include <Python.h>

PyObject *nonstable_text(PyObject *self, PyObject *module);

static PyMethodDef methods[] = {
    {"text", nonstable_text, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "nonstable", NULL, -1, methods};

PyMODINIT_FUNC PyInit_nonstable(void) { return PyModule_Create(&module); }
