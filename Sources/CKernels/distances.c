#include "DistanceKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static inline float distance_avx2(const float *a, const float *b, size_t dim) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t c = 0;
    for (; c + 16 <= dim; c += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + c), _mm256_loadu_ps(b + c));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + c + 8), _mm256_loadu_ps(b + c + 8));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
        acc1 = _mm256_fmadd_ps(d1, d1, acc1);
    }
    for (; c + 8 <= dim; c += 8) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + c), _mm256_loadu_ps(b + c));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    }
    acc0 = _mm256_add_ps(acc0, acc1);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc0), _mm256_extractf128_ps(acc0, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    float sum = _mm_cvtss_f32(s);
    for (; c < dim; c++) {
        float d = a[c] - b[c];
        sum += d * d;
    }
    return sum;
}

__attribute__((target("avx2,fma")))
static void gather_avx2(const float *query, const float *rows, size_t dim, const int32_t *indices, size_t count,
                        float *out) {
    for (size_t i = 0; i < count; i++) out[i] = distance_avx2(query, rows + (size_t)indices[i] * dim, dim);
}

__attribute__((target("avx2,fma")))
static void within_avx2(const float *rows, size_t count, size_t dim, float *out) {
    for (size_t i = 0; i < count; i++) {
        for (size_t j = i + 1; j < count; j++) out[i * count + j] = distance_avx2(rows + i * dim, rows + j * dim, dim);
    }
}

static int has_avx2_fma(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
}
#endif

static inline float distance_plain(const float *a, const float *b, size_t dim) {
    float acc[8] = {0};
    size_t c = 0;
    for (; c + 8 <= dim; c += 8) {
        for (int l = 0; l < 8; l++) {
            float d = a[c + l] - b[c + l];
            acc[l] += d * d;
        }
    }
    float sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; c < dim; c++) {
        float d = a[c] - b[c];
        sum += d * d;
    }
    return sum;
}

void ls_squared_distances_gather(const float *query, const float *rows, size_t dim, const int32_t *indices,
                                 size_t count, float *out) {
#if defined(__x86_64__)
    if (has_avx2_fma()) {
        gather_avx2(query, rows, dim, indices, count, out);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++) out[i] = distance_plain(query, rows + (size_t)indices[i] * dim, dim);
}

void ls_squared_distances_within(const float *rows, size_t count, size_t dim, float *out) {
#if defined(__x86_64__)
    if (has_avx2_fma()) {
        within_avx2(rows, count, dim, out);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++) {
        for (size_t j = i + 1; j < count; j++) out[i * count + j] = distance_plain(rows + i * dim, rows + j * dim, dim);
    }
}
