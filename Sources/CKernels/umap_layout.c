#include "UMAPKernels.h"

// Multiply-adds may fuse (the AVX2 path is compiled with FMA): results are reproducible on one kind
// of CPU, and may differ in the last bits between CPUs with and without AVX2.
#pragma clang fp contract(on)

typedef float f8 __attribute__((ext_vector_type(8)));
typedef int32_t i8 __attribute__((ext_vector_type(8)));

#define LS_INLINE static inline __attribute__((always_inline))

// log2(1 + u) ≈ u·P(u) on u ∈ [√½ − 1, √2 − 1], |error| < 4e-6, and 2^f ≈ Q(f) on [−½, ½],
// relative error < 4e-6 (least squares on Chebyshev nodes). The layout's SGD needs nothing finer.
#define L0 1.4427018f
#define L1 (-0.721208443f)
#define L2 0.479793639f
#define L3 (-0.366413721f)
#define L4 0.318410577f
#define L5 (-0.206860461f)
#define E0 1.00000008f
#define E1 0.693121029f
#define E2 0.240221073f
#define E3 0.0559220775f
#define E4 0.00967604193f
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

// x^y for eight positive x, as 2^(y·log2 x); polynomials evaluated by Estrin's scheme, whose
// short dependency chains matter more here than operation counts.
LS_INLINE f8 pow_8(f8 x, float y) {
    i8 bits = (i8)x;
    i8 exponent = ((bits >> 23) & 0xff) - 127;
    f8 m = (f8)((bits & 0x007fffff) | 0x3f800000);
    i8 high = m > 1.4142136f;  // all ones where true
    m = (f8)(((i8)(m * 0.5f) & high) | ((i8)m & ~high));
    exponent = exponent - high;
    f8 u = m - 1.0f;
    f8 u2 = u * u;
    f8 p = (L0 + L1 * u) + u2 * ((L2 + L3 * u) + u2 * (L4 + L5 * u));
    f8 l = y * (__builtin_convertvector(exponent, f8) + u * p);
    l = __builtin_elementwise_min(__builtin_elementwise_max(l, (f8)(-126.0f)), (f8)(126.0f));
    f8 shifted = l + MAGIC;
    f8 f = l - (shifted - MAGIC);
    i8 integer = (i8)shifted - 0x4B400000;
    f8 f2 = f * f;
    f8 q = (E0 + E1 * f) + f2 * ((E2 + E3 * f) + f2 * E4);
    return q * (f8)((integer + 127) << 23);
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
    const float a = args->a, b = args->b, alpha = args->alpha, epoch = args->epoch;
    const float attract = -2.0f * a * b, repel = 2.0f * args->gamma * b;
    uint64_t rng[4] = {args->rng[0], args->rng[1], args->rng[2], args->rng[3]};
    int64_t queued = 0;
    const f8 four = 4.0f, minus_four = -4.0f;
    // Lane 0 is the edge (attraction), lanes 1–7 its negative samples (repulsion).
    const f8 is_edge = {1, 0, 0, 0, 0, 0, 0, 0};

    for (int64_t j = lo; j < hi; j++) {
        float cx = live[2 * j], cy = live[2 * j + 1];
        for (int64_t p = row_start[j]; p < row_start[j + 1]; p++) {
            if (eons[p] > epoch) continue;
            int64_t k = tail[p];
            int own = k >= lo && k < hi;
            const float *other = (own ? live : frozen) + 2 * k;
            int64_t negatives = (int64_t)((epoch - eonns[p]) / epns[p]);
            if (negatives < 0) negatives = 0;
            eons[p] += eps[p];
            eonns[p] += (float)negatives * epns[p];

            // The edge and its negative samples are evaluated together, from the head's position
            // before this edge moves it (umap-learn moves the head after each): the same step to
            // first order, with one pow chain instead of six in a row.
            int64_t done = 0;
            int first = 1;
            while (first || done < negatives) {
                int64_t lanes = negatives - done < (first ? 7 : 8) ? negatives - done : (first ? 7 : 8);
                f8 xs = cx, ys = cy, valid = 0.0f;
                int offset = first ? 1 : 0;
                if (first) {
                    xs[0] = other[0];
                    ys[0] = other[1];
                    valid[0] = 1.0f;
                }
                for (int64_t l = 0; l < lanes; l++) {
                    int64_t m = random_index(rng, n);
                    if (m == j) continue;
                    const float *q = ((m >= lo && m < hi) ? live : frozen) + 2 * m;
                    xs[l + offset] = q[0];
                    ys[l + offset] = q[1];
                    valid[l + offset] = 1.0f;
                }
                f8 dx = cx - xs, dy = cy - ys;
                f8 d2 = dx * dx + dy * dy;
                i8 positive = d2 > 0.0f;
                valid = (f8)((i8)valid & positive);
                d2 = (f8)(((i8)d2 & positive) | ((i8)(f8)1.0f & ~positive));
                f8 pb = pow_8(d2, b);
                f8 edge = first ? is_edge : (f8)0.0f;
                // attraction −2ab·d^(2b)/(d²(a·d^(2b) + 1)); repulsion 2γb/((0.001 + d²)(a·d^(2b) + 1))
                f8 numerator = edge * (attract * pb) + (1.0f - edge) * repel;
                f8 denominator = (d2 + (1.0f - edge) * 0.001f) * (a * pb + 1.0f);
                f8 c = valid * numerator / denominator;
                f8 gx = __builtin_elementwise_min(__builtin_elementwise_max(c * dx, minus_four), four) * alpha;
                f8 gy = __builtin_elementwise_min(__builtin_elementwise_max(c * dy, minus_four), four) * alpha;
                float sx = 0.0f, sy = 0.0f;
                for (int l = 0; l < 8; l++) {
                    sx += gx[l];
                    sy += gy[l];
                }
                if (first) {
                    // The tail moves opposite to the head's attraction.
                    if (own) {
                        live[2 * k] -= gx[0];
                        live[2 * k + 1] -= gy[0];
                    } else {
                        args->queue_index[queued] = (int32_t)k;
                        args->queue_move[2 * queued] = -gx[0];
                        args->queue_move[2 * queued + 1] = -gy[0];
                        queued++;
                    }
                }
                cx += sx;
                cy += sy;
                done += lanes;
                first = 0;
            }
        }
        live[2 * j] = cx;
        live[2 * j + 1] = cy;
    }
    for (int w = 0; w < 4; w++) args->rng[w] = rng[w];
    args->queue_count = queued;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void optimize_epoch_avx2(ls_umap_epoch_args *args) { optimize_epoch(args); }
#endif

static void optimize_epoch_generic(ls_umap_epoch_args *args) { optimize_epoch(args); }

int ls_umap_has_avx2(void) {
#if defined(__x86_64__)
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
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
