/*
 * A stand-in for Windows 10's bcryptprimitives.dll, for running Windows
 * builds under Wine 8 (Debian 12's), which lacks it: Rust's standard library
 * (1.78 on) takes its random numbers from bcryptprimitives!ProcessPrng, so
 * toonstore.dll cannot load there without it. Built by
 * scripts/matrix/test-c.sh into the test directory only; never shipped.
 * ProcessPrng is answered with BCryptGenRandom, which Wine has.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
