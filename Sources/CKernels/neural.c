// Loops of transformer inference that BLAS does not cover. Written as plain C that the compiler
// vectorises; `LS_CLONES` builds each for AVX-512, AVX2+FMA and baseline x86-64 and picks one when
// the library loads. Reductions keep 16 independent partial results so they vectorise without
// reassociating the caller's arithmetic.
#include "NeuralKernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define LS_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define LS_CLONES
#endif
#define LS_INLINE static inline __attribute__((always_inline))
#define LANES 16

// e^x as in Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-7 polynomial, 2^n by
// building the exponent bits. Relative error ≈ 1e-7 over the clamped range.
LS_INLINE float ls_exp(float x) {
    x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
    // Round to nearest by the 1.5·2^23 trick, which needs no rounding instruction on baseline x86-64.
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

LS_CLONES void ls_gelu_erf(float *x, size_t count) {
    // GELU(v) = v·(1 + erf(v/√2))/2. erfc(z), z = |v|/√2, by Abramowitz & Stegun 7.1.26
    // (|error| ≤ 1.5e-7); writing GELU through erfc avoids cancellation for negative v.
    for (size_t i = 0; i < count; i++) {
        float v = x[i];
        float z = fabsf(v) * 0.70710678118654752f;
        float t = 1.0f / (1.0f + 0.3275911f * z);
        float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t
                      + 0.254829592f) * t;
        float half_erfc = 0.5f * poly * ls_exp(-z * z);
        x[i] = v * (v >= 0.0f ? 1.0f - half_erfc : half_erfc);
    }
}

LS_INLINE float lanes_sum(const float *lanes) {
    float s = 0;
    for (int j = 0; j < LANES; j++) s += lanes[j];
    return s;
}

LS_CLONES void ls_softmax_rows(float *x, size_t rows, size_t cols, size_t stride, float scale) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * stride;
        float lanes[LANES];
        for (int j = 0; j < LANES; j++) lanes[j] = -INFINITY;
        size_t c = 0;
        for (; c + LANES <= cols; c += LANES)
            for (int j = 0; j < LANES; j++) lanes[j] = row[c + j] > lanes[j] ? row[c + j] : lanes[j];
        float m = -INFINITY;
        for (int j = 0; j < LANES; j++) m = lanes[j] > m ? lanes[j] : m;
        for (; c < cols; c++) m = row[c] > m ? row[c] : m;
        // softmax(s·x) = exp(s·(x − max x)) / Σ, for s > 0.
        for (int j = 0; j < LANES; j++) lanes[j] = 0;
        c = 0;
        for (; c + LANES <= cols; c += LANES)
            for (int j = 0; j < LANES; j++) {
                float e = ls_exp(scale * (row[c + j] - m));
                row[c + j] = e;
                lanes[j] += e;
            }
        float sum = lanes_sum(lanes);
        for (; c < cols; c++) {
            float e = ls_exp(scale * (row[c] - m));
            row[c] = e;
            sum += e;
        }
        float inverse = 1.0f / sum;
        for (c = 0; c < cols; c++) row[c] *= inverse;
    }
}

LS_CLONES void ls_layer_norm_rows(const float *x, size_t x_stride, float *y, size_t y_stride, size_t rows,
                                  size_t cols, const float *gamma, const float *beta, float eps) {
    for (size_t r = 0; r < rows; r++) {
        const float *in = x + r * x_stride;
        float *out = y + r * y_stride;
        float lanes[LANES] = {0};
        size_t c = 0;
        for (; c + LANES <= cols; c += LANES)
            for (int j = 0; j < LANES; j++) lanes[j] += in[c + j];
        float sum = lanes_sum(lanes);
        for (; c < cols; c++) sum += in[c];
        float mean = sum / (float)cols;
        // Two passes (mean, then squared deviations), as the variance of large, nearly equal
        // activations loses everything in the one-pass formula.
        for (int j = 0; j < LANES; j++) lanes[j] = 0;
        c = 0;
        for (; c + LANES <= cols; c += LANES)
            for (int j = 0; j < LANES; j++) {
                float d = in[c + j] - mean;
                lanes[j] += d * d;
            }
        float squares = lanes_sum(lanes);
        for (; c < cols; c++) {
            float d = in[c] - mean;
            squares += d * d;
        }
        float inverse = 1.0f / sqrtf(squares / (float)cols + eps);
        for (c = 0; c < cols; c++) out[c] = (in[c] - mean) * inverse * gamma[c] + beta[c];
    }
}

LS_CLONES void ls_column_moments(const float *x, size_t rows, size_t cols, size_t stride, double *sums,
                                 double *squares) {
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * stride;
        for (size_t c = 0; c < cols; c++) {
            double v = row[c];
            sums[c] += v;
            squares[c] += v * v;
        }
    }
}

LS_CLONES void ls_scale_shift_columns(float *x, size_t rows, size_t cols, size_t stride, const float *scale,
                                      const float *shift) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * stride;
        for (size_t c = 0; c < cols; c++) row[c] = row[c] * scale[c] + shift[c];
    }
}

LS_CLONES void ls_add(float *y, const float *x, size_t count) {
    for (size_t i = 0; i < count; i++) y[i] += x[i];
}
