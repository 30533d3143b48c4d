// Choosing OpenBLAS's kernels at run time, for CPUs its DYNAMIC_ARCH detection does not know.
#ifndef LAYERSCOPE_BLAS_CORE_H
#define LAYERSCOPE_BLAS_CORE_H

/// Whether the CPU has the AVX-512 subsets OpenBLAS's SkylakeX kernels use (F, BW, DQ, VL).
int ls_cpu_has_avx512_skylakex(void);
/// Re-runs OpenBLAS's DYNAMIC_ARCH core selection (which reads OPENBLAS_CORETYPE). Returns 0 when the
/// linked OpenBLAS has no such entry points (a build without DYNAMIC_ARCH); then nothing changes.
/// Call only while no BLAS routine is running in any thread.
int ls_openblas_reselect_core(void);

#endif
