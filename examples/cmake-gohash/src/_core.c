/* cmake_gohash._core: a CPython extension whose functions call the Go library libgohash.
   crossgo_add_library() builds libgohash and its cgo header; target_link_libraries() links
   it here like any other shared library. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "libgohash.h" /* cgo's header: Add, Sha256Hex, GoVersion, FreeString */

static PyObject *take_string(char *text) {
    PyObject *result = PyUnicode_FromString(text);
    FreeString(text);
    return result;
}

static PyObject *core_add(PyObject *self, PyObject *args) {
    long long a, b;
    (void)self;
    if (!PyArg_ParseTuple(args, "LL:add", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLongLong(Add(a, b));
}

static PyObject *core_sha256_hex(PyObject *self, PyObject *args) {
    Py_buffer data;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*:sha256_hex", &data)) {
        return NULL;
    }
    if (data.len > 0x7fffffff) {
        PyBuffer_Release(&data);
        PyErr_SetString(PyExc_OverflowError, "data is larger than 2 GiB");
        return NULL;
    }
    char *hex = Sha256Hex((char *)data.buf, (int)data.len);
    PyBuffer_Release(&data);
    return take_string(hex);
}

static PyObject *core_go_version(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return take_string(GoVersion());
}

static PyMethodDef core_methods[] = {
    {"add", core_add, METH_VARARGS, "a + b, computed by Go."},
    {"sha256_hex", core_sha256_hex, METH_VARARGS, "The hex SHA-256 of bytes, by Go."},
    {"go_version", core_go_version, METH_NOARGS, "The Go release the library was built with."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT, "_core", "Calls into libgohash, a Go library.", -1, core_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__core(void) { return PyModule_Create(&core_module); }
