/*
 * crossgo bindings harness for Windows (run under wine):
 *
 *   goload.exe exports DLL            print crossgo_exports() and free it with crossgo_free
 *   goload.exe stress ROUNDS DLL...   load every DLL (one Go runtime each) and run Churn(64)
 *                                     ROUNDS times in each, all DLLs at once, one thread each
 *
 * Exit codes: 0 success, 10 usage, 11 LoadLibraryExW failed, 12 symbol not found.
 */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

typedef char *(*exports_fn)(void);
typedef void (*free_fn)(void *);
typedef long long (*churn_fn)(int);

struct job {
    churn_fn churn;
    int rounds;
    long long total;
};

static DWORD WINAPI run(LPVOID arg)
{
    struct job *job = arg;
    for (int i = 0; i < job->rounds; i++)
        job->total += job->churn(64);
    return 0;
}

static HMODULE load(const wchar_t *path)
{
    HMODULE module = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (!module)
        fwprintf(stderr, L"goload: cannot load %ls: error %lu\n", path, GetLastError());
    return module;
}

static int exports(const wchar_t *path)
{
    HMODULE module = load(path);
    if (!module)
        return 11;
    exports_fn describe = (exports_fn)GetProcAddress(module, "crossgo_exports");
    free_fn release = (free_fn)GetProcAddress(module, "crossgo_free");
    if (!describe || !release)
        return 12;
    char *text = describe();
    fputs(text, stdout);
    release(text);
    puts("freed");
    return 0;
}

static int stress(int rounds, int count, wchar_t **paths)
{
    HANDLE threads[8];
    struct job jobs[8];
    if (count > 8)
        return 10;
    for (int i = 0; i < count; i++) {
        HMODULE module = load(paths[i]);
        if (!module)
            return 11;
        jobs[i].churn = (churn_fn)GetProcAddress(module, "Churn");
        if (!jobs[i].churn)
            return 12;
        jobs[i].rounds = rounds;
        jobs[i].total = 0;
        wprintf(L"loaded %ls\n", paths[i]);
        fflush(stdout);
    }
    for (int i = 0; i < count; i++)
        threads[i] = CreateThread(NULL, 0, run, &jobs[i], 0, NULL);
    WaitForMultipleObjects(count, threads, TRUE, INFINITE);
    for (int i = 0; i < count; i++)
        wprintf(L"churned %lld\n", jobs[i].total);
    puts("ok");
    return 0;
}

int wmain(int argc, wchar_t **argv)
{
    if (argc == 3 && wcscmp(argv[1], L"exports") == 0)
        return exports(argv[2]);
    if (argc >= 4 && wcscmp(argv[1], L"stress") == 0)
        return stress(_wtoi(argv[2]), argc - 3, argv + 3);
    fwprintf(stderr, L"usage: goload.exe exports DLL | stress ROUNDS DLL...\n");
    return 10;
}
