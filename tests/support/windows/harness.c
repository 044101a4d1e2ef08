/*
 * crossgo test harness: load a DLL, look up an exported symbol, call it as
 *
 *     int64_t symbol(int64_t, ...)   (0 to 4 integer arguments)
 *
 * and print the int64 result as the last line of stdout.
 *
 * usage: harness.exe <dll-path> <symbol> [int64 ...]
 *
 * The DLL is loaded with LoadLibraryExW(LOAD_WITH_ALTERED_SEARCH_PATH) on its
 * absolute path so that DLLs sitting next to it are found first.
 *
 * On the Windows x64 ABI the first four integer arguments travel in
 * RCX/RDX/R8/R9, so a function taking narrower integers (int, short) reads the
 * low bits of the argument correctly. The return value is read from RAX in
 * full: call only functions returning a 64-bit integer (C.longlong / int64_t),
 * otherwise the upper half of the printed value is undefined.
 *
 * Exit codes: 0 success, 10 usage/argument error, 11 LoadLibraryExW failed,
 * 12 symbol not found (a Go runtime that aborts exits with 2).
 */
#include <windows.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

enum { EXIT_USAGE = 10, EXIT_LOAD = 11, EXIT_SYMBOL = 12 };

typedef int64_t (*fn0)(void);
typedef int64_t (*fn1)(int64_t);
typedef int64_t (*fn2)(int64_t, int64_t);
typedef int64_t (*fn3)(int64_t, int64_t, int64_t);
typedef int64_t (*fn4)(int64_t, int64_t, int64_t, int64_t);

static void print_last_error(const char *what, const wchar_t *subject)
{
    DWORD code = GetLastError();
    wchar_t msg[512];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                             NULL, code, 0, msg, sizeof msg / sizeof msg[0], NULL);
    while (n > 0 && (msg[n - 1] == L'\r' || msg[n - 1] == L'\n' || msg[n - 1] == L' '))
        msg[--n] = L'\0';
    fwprintf(stderr, L"harness: %hs %ls failed: error %lu%ls%ls\n", what, subject,
             (unsigned long)code, n ? L": " : L"", n ? msg : L"");
}

int wmain(int argc, wchar_t **argv)
{
    if (argc < 3 || argc > 7) {
        fwprintf(stderr, L"usage: harness.exe <dll> <symbol> [int64 ...] (0-4 arguments)\n");
        return EXIT_USAGE;
    }

    int64_t args[4] = {0, 0, 0, 0};
    int nargs = argc - 3;
    for (int i = 0; i < nargs; i++) {
        wchar_t *end = NULL;
        errno = 0;
        long long v = wcstoll(argv[3 + i], &end, 0);
        if (errno != 0 || end == argv[3 + i] || *end != L'\0') {
            fwprintf(stderr, L"harness: argument %d is not an int64: %ls\n", i + 1, argv[3 + i]);
            return EXIT_USAGE;
        }
        args[i] = (int64_t)v;
    }

    wchar_t full[32768];
    DWORD len = GetFullPathNameW(argv[1], sizeof full / sizeof full[0], full, NULL);
    if (len == 0 || len >= sizeof full / sizeof full[0]) {
        print_last_error("GetFullPathNameW", argv[1]);
        return EXIT_LOAD;
    }

    /* Do not let a missing dependency pop up a message box. */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX);
    HMODULE mod = LoadLibraryExW(full, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (mod == NULL) {
        print_last_error("LoadLibraryExW", full);
        return EXIT_LOAD;
    }

    /* Export names are ASCII; argv is wide because of -municode. */
    char symbol[1024];
    int slen = WideCharToMultiByte(CP_UTF8, 0, argv[2], -1, symbol, sizeof symbol, NULL, NULL);
    if (slen == 0) {
        fwprintf(stderr, L"harness: symbol name too long or invalid: %ls\n", argv[2]);
        return EXIT_USAGE;
    }
    FARPROC proc = GetProcAddress(mod, symbol);
    if (proc == NULL) {
        DWORD code = GetLastError();
        fwprintf(stderr, L"harness: symbol not found: %hs in %ls (error %lu)\n", symbol, full,
                 (unsigned long)code);
        return EXIT_SYMBOL;
    }

    int64_t result;
    switch (nargs) {
    case 0: result = ((fn0)(void (*)(void))proc)(); break;
    case 1: result = ((fn1)(void (*)(void))proc)(args[0]); break;
    case 2: result = ((fn2)(void (*)(void))proc)(args[0], args[1]); break;
    case 3: result = ((fn3)(void (*)(void))proc)(args[0], args[1], args[2]); break;
    default: result = ((fn4)(void (*)(void))proc)(args[0], args[1], args[2], args[3]); break;
    }

    printf("%" PRId64 "\n", result);
    fflush(stdout);
    return 0;
}
