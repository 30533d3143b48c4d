#include "BLASCore.h"

// OpenBLAS's DYNAMIC_ARCH builds export these (driver/others/dynamic.c): quit forgets the chosen
// kernel table, init picks one again from OPENBLAS_CORETYPE or the CPU. Weak references, so that an
// OpenBLAS built for one fixed core, which lacks them, still links.
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));

int ls_cpu_has_avx512_skylakex(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

int ls_openblas_reselect_core(void) {
    if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit) return 0;
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    return 1;
}
