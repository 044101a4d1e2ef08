/*
 * argv.exe, copied as python.exe, pip.exe, crossgo.exe...: prints the name it runs under and
 * each argument as the C runtime split its command line, one per line. A test runs a
 * command through cmd.exe (under wine) with these on PATH, and through bash with shell
 * stand-ins, and compares what each program was given.
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    char path[MAX_PATH];
    DWORD length = GetModuleFileNameA(NULL, path, MAX_PATH);
    if (length == 0 || length == MAX_PATH) return 10;
    char *name = strrchr(path, '\\');
    name = name ? name + 1 : path;
    char *dot = strrchr(name, '.');
    if (dot) *dot = '\0';
    printf("@@%s\n", name);
    for (int i = 1; i < argc; i++) printf("@@arg %s\n", argv[i]);
    return 0;
}
