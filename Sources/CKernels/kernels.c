#include "CKernels.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LS_X86 1
#endif

// Portable conversions, used where the CPU lacks F16C.
static float half_to_float_scalar(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {
            // Subnormal half: renormalise into a float32 exponent.
            int shift = 0;
            while ((mantissa & 0x400u) == 0) { mantissa <<= 1; shift++; }
            mantissa &= 0x3ffu;
            bits = sign | ((uint32_t)(127 - 15 - shift + 1) << 23) | (mantissa << 13);
        }
    } else if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static uint16_t float_to_half_scalar(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    uint32_t sign = (bits >> 16) & 0x8000u;
    uint32_t magnitude = bits & 0x7fffffffu;
    if (magnitude >= 0x7f800000u) {  // infinity or NaN
        return (uint16_t)(sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x200u : 0));
    }
    if (magnitude >= 0x477ff000u) {  // rounds past the largest half
        return (uint16_t)(sign | 0x7c00u);
    }
    if (magnitude < 0x38800000u) {  // half subnormal or zero
        if (magnitude < 0x33000000u) return (uint16_t)sign;
        uint32_t exponent = magnitude >> 23;
        uint32_t mantissa = (magnitude & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126 - exponent;  // value / 2^-24, the half subnormal unit
        uint32_t half = mantissa >> (shift);
        uint32_t rest = mantissa & ((1u << shift) - 1);
        uint32_t halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (half & 1u))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t rounded = magnitude + 0xfffu + ((magnitude >> 13) & 1u);
    return (uint16_t)(sign | ((rounded - 0x38000000u) >> 13));
}

#ifdef LS_X86
__attribute__((target("avx,f16c")))
static void half_to_float_f16c(const uint16_t *src, float *dst, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(src + i));
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
    }
    for (; i < count; i++) dst[i] = _cvtsh_ss(src[i]);
}

__attribute__((target("avx,f16c")))
static void float_to_half_f16c(const float *src, uint16_t *dst, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 f = _mm256_loadu_ps(src + i);
        _mm_storeu_si128((__m128i *)(dst + i), _mm256_cvtps_ph(f, _MM_FROUND_TO_NEAREST_INT));
    }
    for (; i < count; i++) dst[i] = _cvtss_sh(src[i], _MM_FROUND_TO_NEAREST_INT);
}
#endif

int ls_has_f16c(void) {
#ifdef LS_X86
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx");
    }
    return cached;
#else
    return 0;
#endif
}

void ls_half_to_float(const uint16_t *src, float *dst, size_t count) {
#ifdef LS_X86
    if (ls_has_f16c()) { half_to_float_f16c(src, dst, count); return; }
#endif
    for (size_t i = 0; i < count; i++) dst[i] = half_to_float_scalar(src[i]);
}

void ls_float_to_half(const float *src, uint16_t *dst, size_t count) {
#ifdef LS_X86
    if (ls_has_f16c()) { float_to_half_f16c(src, dst, count); return; }
#endif
    for (size_t i = 0; i < count; i++) dst[i] = float_to_half_scalar(src[i]);
}

void ls_double_to_float(const double *src, float *dst, size_t count) {
    for (size_t i = 0; i < count; i++) dst[i] = (float)src[i];
}

size_t ls_count_nonfinite_rows(const float *values, size_t rows, size_t cols) {
    size_t bad = 0;
    for (size_t r = 0; r < rows; r++) {
        const uint32_t *row = (const uint32_t *)(const void *)(values + r * cols);
        uint32_t any = 0;
        // An exponent of all ones marks NaN and infinity; OR-reduce so the loop vectorises.
        for (size_t c = 0; c < cols; c++) any |= ((row[c] & 0x7f800000u) == 0x7f800000u);
        bad += any != 0;
    }
    return bad;
}

size_t ls_count_nonfinite_rows_half(const uint16_t *values, size_t rows, size_t cols) {
    size_t bad = 0;
    for (size_t r = 0; r < rows; r++) {
        const uint16_t *row = values + r * cols;
        uint32_t any = 0;
        for (size_t c = 0; c < cols; c++) any |= ((row[c] & 0x7c00u) == 0x7c00u);
        bad += any != 0;
    }
    return bad;
}
