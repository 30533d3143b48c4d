#include "UMAPKernels.h"

// No fused multiply-adds: the AVX2 and generic paths must round identically.
#pragma clang fp contract(off)

typedef float f8 __attribute__((ext_vector_type(8)));
typedef int32_t i8 __attribute__((ext_vector_type(8)));

#define LS_INLINE static inline __attribute__((always_inline))

// log2(1 + u) ≈ u·P(u) on u ∈ [√½ − 1, √2 − 1]; the same coefficients as Analysis/UMAP/FastMath.swift.
#define L0 1.4426964f
#define L1 (-0.72136405f)
#define L2 0.48062906f
#define L3 (-0.3593501f)
#define L4 0.2956346f
#define L5 (-0.2695124f)
#define L6 0.17213276f
#define LN2 0.69314718f
// 1.5·2^23: adding then subtracting it rounds a float to the nearest integer.
#define MAGIC 12582912.0f

LS_INLINE uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

LS_INLINE uint64_t xoshiro_next(uint64_t *s) {
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

// Uniform in [0, bound): Lemire's multiply-shift on the top 32 bits.
LS_INLINE int64_t random_index(uint64_t *s, int64_t bound) {
    return (int64_t)(((xoshiro_next(s) >> 32) * (uint64_t)bound) >> 32);
}

LS_INLINE f8 log2_8(f8 x) {
    i8 bits = (i8)x;
    i8 exponent = ((bits >> 23) & 0xff) - 127;
    f8 m = (f8)((bits & 0x007fffff) | 0x3f800000);
    i8 high = m > 1.4142136f;  // all ones where true
    m = (f8)(((i8)(m * 0.5f) & high) | ((i8)m & ~high));
    exponent = exponent - high;
    f8 u = m - 1.0f;
    f8 p = u * L6 + L5;
    p = p * u + L4;
    p = p * u + L3;
    p = p * u + L2;
    p = p * u + L1;
    p = p * u + L0;
    return __builtin_convertvector(exponent, f8) + u * p;
}

LS_INLINE f8 exp2_8(f8 y) {
    y = __builtin_elementwise_min(__builtin_elementwise_max(y, (f8)(-126.0f)), (f8)(126.0f));
    f8 shifted = y + MAGIC;
    f8 i = shifted - MAGIC;
    i8 integer = (i8)shifted - 0x4B400000;
    f8 x = (y - i) * LN2;
    f8 p = x * (1.0f / 720) + (1.0f / 120);
    p = p * x + (1.0f / 24);
    p = p * x + (1.0f / 6);
    p = p * x + 0.5f;
    p = p * x + 1.0f;
    p = p * x + 1.0f;
    return p * (f8)((integer + 127) << 23);
}

LS_INLINE float clip(float g) { return g > 4.0f ? 4.0f : (g < -4.0f ? -4.0f : g); }

LS_INLINE void optimize_epoch(ls_umap_epoch_args *args) {
    const int64_t *row_start = args->row_start;
    const int32_t *tail = args->tail;
    const float *eps = args->epochs_per_sample, *epns = args->epochs_per_negative_sample;
    float *eons = args->epoch_of_next_sample, *eonns = args->epoch_of_next_negative_sample;
    float *live = args->live;
    const float *frozen = args->frozen;
    const int64_t lo = args->lo, hi = args->hi, n = args->n_vertices;
    const float a = args->a, b = args->b, gamma = args->gamma, alpha = args->alpha, epoch = args->epoch;
    uint64_t rng[4] = {args->rng[0], args->rng[1], args->rng[2], args->rng[3]};
    int64_t queued = 0;
    const f8 four = 4.0f, minus_four = -4.0f;

    for (int64_t j = lo; j < hi; j++) {
        float cx = live[2 * j], cy = live[2 * j + 1];
        for (int64_t p = row_start[j]; p < row_start[j + 1]; p++) {
            if (eons[p] > epoch) continue;
            int64_t k = tail[p];
            int own = k >= lo && k < hi;
            const float *other = (own ? live : frozen) + 2 * k;
            float dx = cx - other[0], dy = cy - other[1];
            float d2 = dx * dx + dy * dy;
            float coeff = 0.0f;
            if (d2 > 0.0f) {
                // d^(2(b−1)) = d^(2b)/d², folded into the one division.
                float pb = exp2_8(b * log2_8((f8)d2))[0];
                coeff = (-2.0f * a * b * pb) / (d2 * (a * pb + 1.0f));
            }
            float gx = clip(coeff * dx) * alpha, gy = clip(coeff * dy) * alpha;
            cx += gx;
            cy += gy;
            if (own) {
                live[2 * k] -= gx;
                live[2 * k + 1] -= gy;
            } else {
                args->queue_index[queued] = (int32_t)k;
                args->queue_move[2 * queued] = -gx;
                args->queue_move[2 * queued + 1] = -gy;
                queued++;
            }
            eons[p] += eps[p];

            int64_t negatives = (int64_t)((epoch - eonns[p]) / epns[p]);
            if (negatives < 0) negatives = 0;
            // The negative samples of this edge are evaluated together from the head's position
            // after the attraction (umap-learn moves the head after each): the same step to first
            // order, and their pow chains run side by side.
            for (int64_t done = 0; done < negatives; done += 8) {
                int64_t lanes = negatives - done < 8 ? negatives - done : 8;
                f8 xs = 0.0f, ys = 0.0f, valid = 0.0f;
                for (int64_t l = 0; l < lanes; l++) {
                    int64_t m = random_index(rng, n);
                    if (m == j) continue;
                    const float *q = ((m >= lo && m < hi) ? live : frozen) + 2 * m;
                    xs[l] = q[0];
                    ys[l] = q[1];
                    valid[l] = 1.0f;
                }
                f8 ndx = cx - xs, ndy = cy - ys;
                f8 nd2 = ndx * ndx + ndy * ndy;
                i8 positive = nd2 > 0.0f;
                valid = (f8)((i8)valid & positive);
                nd2 = (f8)(((i8)nd2 & positive) | ((i8)(f8)1.0f & ~positive));
                f8 pb = exp2_8(b * log2_8(nd2));
                f8 c = valid * (2.0f * gamma * b) / ((0.001f + nd2) * (a * pb + 1.0f));
                f8 ngx = __builtin_elementwise_min(__builtin_elementwise_max(c * ndx, minus_four), four);
                f8 ngy = __builtin_elementwise_min(__builtin_elementwise_max(c * ndy, minus_four), four);
                float sx = 0.0f, sy = 0.0f;
                for (int l = 0; l < 8; l++) {
                    sx += ngx[l];
                    sy += ngy[l];
                }
                cx += sx * alpha;
                cy += sy * alpha;
            }
            eonns[p] += (float)negatives * epns[p];
        }
        live[2 * j] = cx;
        live[2 * j + 1] = cy;
    }
    for (int w = 0; w < 4; w++) args->rng[w] = rng[w];
    args->queue_count = queued;
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static void optimize_epoch_avx2(ls_umap_epoch_args *args) { optimize_epoch(args); }
#endif

static void optimize_epoch_generic(ls_umap_epoch_args *args) { optimize_epoch(args); }

int ls_umap_has_avx2(void) {
#if defined(__x86_64__)
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2");
    }
    return cached;
#else
    return 0;
#endif
}

void ls_umap_optimize_epoch(ls_umap_epoch_args *args) {
#if defined(__x86_64__)
    if (ls_umap_has_avx2()) {
        optimize_epoch_avx2(args);
        return;
    }
#endif
    optimize_epoch_generic(args);
}
