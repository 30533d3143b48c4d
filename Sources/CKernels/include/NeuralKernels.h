// Elementwise and row-wise loops of transformer inference (GELU, softmax, layer norm, channel
// statistics). Each is compiled for AVX-512, AVX2+FMA and plain x86-64, chosen at load time.
#ifndef LAYERSCOPE_NEURAL_KERNELS_H
#define LAYERSCOPE_NEURAL_KERNELS_H
#include <stddef.h>

/// x ← GELU(x) = x·Φ(x) with the exact (erf) form, in place; |error| ≤ 3e-7 · max(1, |GELU(x)|).
void ls_gelu_erf(float *x, size_t count);
/// Each of `rows` rows (`cols` values, rows `stride` apart) ← softmax(scale · row), in place.
void ls_softmax_rows(float *x, size_t rows, size_t cols, size_t stride, float scale);
/// y_r ← (x_r − mean) / sqrt(var + eps) · gamma + beta for each row (biased variance); y may be x.
void ls_layer_norm_rows(const float *x, size_t x_stride, float *y, size_t y_stride, size_t rows, size_t cols,
                        const float *gamma, const float *beta, float eps);
/// Adds each column's sum and sum of squares over `rows` rows into `sums` and `squares` (float64).
void ls_column_moments(const float *x, size_t rows, size_t cols, size_t stride, double *sums, double *squares);
/// x[r][c] ← x[r][c] · scale[c] + shift[c], in place.
void ls_scale_shift_columns(float *x, size_t rows, size_t cols, size_t stride, const float *scale, const float *shift);
/// y[i] ← y[i] + x[i].
void ls_add(float *y, const float *x, size_t count);

#endif
