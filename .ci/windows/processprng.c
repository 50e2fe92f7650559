/*
 * A stand-in for bcryptprimitives.dll!ProcessPrng, for running passchip's Windows test
 * executables under Wine 8, which lacks it (Rust's standard library and getrandom call it
 * on Windows 10 and later). Built with mingw by .ci/run and put beside the test
 * executables only; never shipped. ProcessPrng fills the buffer from the system RNG and
 * cannot fail on real Windows; here RtlGenRandom (advapi32's SystemFunction036) does it.
 */
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG) len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
