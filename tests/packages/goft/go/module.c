/* The module definition of goft._core: multi-phase init, and, where CPython has the slot
 * (3.13 on), {Py_mod_gil, Py_MOD_GIL_NOT_USED}: the module keeps no state a second thread
 * could race on, so a free-threaded CPython may import it without turning the GIL back on.
 * GOFT_WITHOUT_GIL_SLOT leaves the slot out (the tests' module that needs the GIL). */
#include <Python.h>

long long goft_sum_squares(long long n);

static PyObject *sum_squares(PyObject *self, PyObject *arg) {
    long long n = PyLong_AsLongLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    long long sum;
    Py_BEGIN_ALLOW_THREADS
    sum = goft_sum_squares(n);
    Py_END_ALLOW_THREADS
    return PyLong_FromLongLong(sum);
}

static PyObject *free_threaded_build(PyObject *self, PyObject *unused) {
#ifdef Py_GIL_DISABLED
    Py_RETURN_TRUE;
#else
    Py_RETURN_FALSE;
#endif
}

static int goft_exec(PyObject *module) {
    return PyModule_AddIntConstant(module, "SLOT_DECLARED",
#if defined(Py_mod_gil) && !defined(GOFT_WITHOUT_GIL_SLOT)
                                   1
#else
                                   0
#endif
    );
}

static PyMethodDef methods[] = {
    {"sum_squares", sum_squares, METH_O, "sum_squares(n) -> sum of i*i % 7 for i < n, in Go"},
    {"free_threaded_build", free_threaded_build, METH_NOARGS, "built with Py_GIL_DISABLED"},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, goft_exec},
#if defined(Py_mod_gil) && !defined(GOFT_WITHOUT_GIL_SLOT)
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "goft._core", "Go work for the GIL and the free-threaded CPython.", 0,
    methods, slots,
};

PyMODINIT_FUNC PyInit__core(void) { return PyModuleDef_Init(&module); }
