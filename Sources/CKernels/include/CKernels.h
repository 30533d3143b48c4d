// Hot elementwise kernels that need CPU-specific instructions (F16C) chosen at run time.
// Swift cannot enable a target feature per function, so these few loops live in C.
#ifndef LAYERSCOPE_CKERNELS_H
#define LAYERSCOPE_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Converts IEEE binary16 values to float32.
void ls_half_to_float(const uint16_t *src, float *dst, size_t count);
/// Converts float32 values to IEEE binary16, rounding to nearest even (overflow gives infinity).
void ls_float_to_half(const float *src, uint16_t *dst, size_t count);
/// Converts float64 values to float32.
void ls_double_to_float(const double *src, float *dst, size_t count);
/// The number of rows (of `cols` values each) that hold a NaN or an infinity.
size_t ls_count_nonfinite_rows(const float *values, size_t rows, size_t cols);
/// The number of rows (of `cols` binary16 values each) that hold a NaN or an infinity.
size_t ls_count_nonfinite_rows_half(const uint16_t *values, size_t rows, size_t cols);
/// Continues the CRC-32 (zlib's polynomial) of a byte stream: start with 0, feed chunks in order.
uint32_t ls_crc32(uint32_t crc, const void *bytes, size_t count);
/// Starts writing a file's dirty pages to disk without waiting (Linux `sync_file_range`).
int ls_start_writeback(int fd);
/// Whether this CPU converts half precision in hardware.
int ls_has_f16c(void);

#include "NeuralKernels.h"
#include "BLASCore.h"
#include "UMAPKernels.h"
#include "DistanceKernels.h"
#include "KMeansKernels.h"

#endif
