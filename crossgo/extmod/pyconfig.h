/* pyconfig.h for CPython's limited API (abi3) and for free-threaded builds, written by crossgo,
 * not by CPython's configure.
 *
 * crossgo builds abi3 extension modules with the headers of the CPython that runs it and this
 * file in place of that CPython's own pyconfig.h, which describes the machine CPython was
 * built on, not the target. What the limited API's headers read from pyconfig.h is the size of
 * the C types, the platform, and whether the core is a DLL. The sizes come from the compiler,
 * which knows the target (GCC and clang predefine __SIZEOF_LONG__ and the rest: long is 4 bytes
 * on 64-bit Windows and 8 elsewhere); the rest follows CPython's own PC/pyconfig.h on Windows
 * and its configure results on Linux and macOS.
 *
 * A free-threaded module (Py_GIL_DISABLED, which crossgo defines at the top of its copy) uses
 * the full API, which also reads the thread library (Py_tss_t holds a pthread_key_t or a
 * DWORD) and the allocators: both are set below. Debug and trace-refs builds are refused.
 */
#ifndef Py_CONFIG_H
#define Py_CONFIG_H

#if !defined(Py_LIMITED_API) && !defined(Py_GIL_DISABLED)
#  error "crossgo's pyconfig.h is for the limited API (abi3) or a free-threaded build"
#endif
#if defined(Py_LIMITED_API) && defined(Py_GIL_DISABLED)
#  error "the stable ABI (abi3) has no free-threaded variant (abi3t is PEP 803, CPython 3.15)"
#endif
#if defined(Py_DEBUG) || defined(Py_TRACE_REFS)
#  error "crossgo's pyconfig.h has no debug or trace-refs variant"
#endif
#if !defined(__SIZEOF_POINTER__) || !defined(__SIZEOF_LONG__)
#  error "crossgo's pyconfig.h needs a GCC- or clang-compatible C compiler (cgo's)"
#endif

#define SIZEOF_SHORT __SIZEOF_SHORT__
#define SIZEOF_INT __SIZEOF_INT__
#define SIZEOF_LONG __SIZEOF_LONG__
#define ALIGNOF_LONG __SIZEOF_LONG__
#define SIZEOF_LONG_LONG __SIZEOF_LONG_LONG__
#define SIZEOF_FLOAT __SIZEOF_FLOAT__
#define SIZEOF_DOUBLE __SIZEOF_DOUBLE__
#define SIZEOF_VOID_P __SIZEOF_POINTER__
#define SIZEOF_UINTPTR_T __SIZEOF_POINTER__
#define SIZEOF_SIZE_T __SIZEOF_SIZE_T__
#define ALIGNOF_SIZE_T __SIZEOF_SIZE_T__
#define SIZEOF_WCHAR_T __SIZEOF_WCHAR_T__
#define SIZEOF__BOOL 1
#define SIZEOF_TIME_T 8
#define SIZEOF_PID_T 4
#define DOUBLE_IS_LITTLE_ENDIAN_IEEE754 1
#define WITH_DOC_STRINGS 1
#define WITH_PYMALLOC 1
#define HAVE_WCHAR_H 1
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_TYPES_H 1
#ifdef Py_GIL_DISABLED
#  define WITH_MIMALLOC 1 /* a free-threaded CPython always allocates with mimalloc */
#endif

#if defined(_WIN32)
/* As PC/pyconfig.h: the core is python3.dll's, imported with __declspec(dllimport). */
#  define MS_WIN32
#  define MS_WINDOWS
#  ifdef _WIN64
#    define MS_WIN64
#  endif
#  define NT_THREADS
#  define WITH_THREAD
#  define Py_ENABLE_SHARED 1
#  define MS_COREDLL
#  define HAVE_DECLSPEC_DLL
#  define HAVE_IO_H
#  define PY_LONG_LONG long long
#  define PY_LLONG_MIN LLONG_MIN
#  define PY_LLONG_MAX LLONG_MAX
#  define PY_ULLONG_MAX ULLONG_MAX
#  define SIZEOF_OFF_T 4
#  define SIZEOF_FPOS_T 8
#  define SIZEOF_HKEY __SIZEOF_POINTER__
#  define HAVE_LARGEFILE_SUPPORT
#  define LONG_BIT 32
#  define WORD_BIT 32
#else
#  define SIZEOF_OFF_T 8
#  define SIZEOF_PTHREAD_T __SIZEOF_POINTER__
#  define HAVE_SSIZE_T 1
#  define HAVE_UNISTD_H 1
#  define HAVE_FORK 1
#  define HAVE_SYS_TIME_H 1
#  define HAVE_SYS_SELECT_H 1
#  define HAVE_PTHREAD_H 1 /* Py_tss_t holds a pthread_key_t */
#  define HAVE_CLOCK_GETTIME 1
#endif

#endif /* Py_CONFIG_H */
