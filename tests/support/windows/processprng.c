/*
 * Minimal bcryptprimitives.dll for Wine versions that lack it (Wine < 9.x).
 *
 * Go 1.22+ runtimes load bcryptprimitives.dll from system32 and call
 * ProcessPrng for all randomness; without it a Go DLL/EXE aborts with
 * "bcryptprimitives.dll not found". This shim implements ProcessPrng with
 * RtlGenRandom (advapi32!SystemFunction036), which Wine has.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000u ? 0x40000000u : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
