#include "UMAPKernels.h"
#include <string.h>

// Multiply-adds may fuse (the AVX2 path is compiled with FMA): results are reproducible on one kind
// of CPU, and may differ in the last bits between CPUs with and without AVX2.
#pragma clang fp contract(on)
// The 8-lane helpers are static and always inlined, so their vector arguments never cross an ABI
// boundary; the generic (non-AVX) build need not warn that passing them would differ.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float f8 __attribute__((ext_vector_type(8)));
typedef int32_t i8 __attribute__((ext_vector_type(8)));
typedef uint32_t u8 __attribute__((ext_vector_type(8)));

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

// Eight xorshift32 generators (Marsaglia 2003), one per lane, stepped together; the top 24 bits
// of each make a float in [0, 1) that scales to an index below `bound` (bias below 2^-24·bound).
LS_INLINE u8 xorshift_next(u8 *state) {
    u8 x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

LS_INLINE i8 random_indices(u8 *state, int64_t bound) {
    f8 unit = __builtin_convertvector(xorshift_next(state) >> 8, f8) * (1.0f / 16777216.0f);
    i8 index = __builtin_convertvector(unit * (float)bound, i8);
    return index < (int32_t)bound ? index : (i8)((int32_t)bound - 1);
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

// One stream's state while it walks its sampled edges.
typedef struct {
    const int64_t *edges;    // the sampled edges, in order
    int64_t count;
    int64_t lo, hi;
    int64_t head;            // the head whose position is in (cx, cy), or -1
    float cx, cy;
    u8 rng;                  // eight xorshift32 generators, one per lane
    int32_t *queue_index;
    float *queue_move;
    int64_t queued;
} stream;

// The edges of [lo, hi) due this epoch, in order, without a branch per edge.
LS_INLINE int64_t sampled_edges(const ls_umap_epoch_args *args, int64_t lo, int64_t hi, int64_t *out) {
    const float *eons = args->epoch_of_next_sample;
    const float epoch = args->epoch;
    int64_t count = 0;
    for (int64_t p = args->row_start[lo]; p < args->row_start[hi]; p++) {
        out[count] = p;
        count += eons[p] <= epoch;
    }
    return count;
}

// The head of edge p: the row whose range holds it, found by walking forward from the last head.
LS_INLINE int64_t head_of(const int64_t *row_start, int64_t from, int64_t p) {
    int64_t j = from;
    while (row_start[j + 1] <= p) j++;
    return j;
}

// Lane 0: the edge (attraction); lanes 1–7: its negative samples (repulsion). The edge and its
// negative samples are evaluated together, from the head's position before this edge moves it
// (umap-learn moves the head after each): the same step to first order, with one pow chain instead
// of six in a row. Eight random points are drawn for every batch and the lanes beyond the edge's
// count masked, so that no branch depends on the count.
LS_INLINE void process_edge(const ls_umap_epoch_args *args, stream *s, int64_t p) {
    const int64_t n = args->n_vertices;
    const float a = args->a, b = args->b, alpha = args->alpha;
    float *live = args->live;
    const float *frozen = args->frozen;
    int64_t j = head_of(args->row_start, s->head < 0 ? s->lo : s->head, p);
    if (j != s->head) {
        if (s->head >= 0) {
            live[2 * s->head] = s->cx;
            live[2 * s->head + 1] = s->cy;
        }
        s->head = j;
        s->cx = live[2 * j];
        s->cy = live[2 * j + 1];
    }
    const int64_t lo = s->lo, hi = s->hi;
    int64_t k = args->tail[p];
    int own = k >= lo && k < hi;
    float *eonns = args->epoch_of_next_negative_sample;
    const float epns = args->epochs_per_negative_sample[p];
    // Written so that a rate of 0 (epns infinite, the quotient 0 or NaN) gives no negative samples.
    float due = (args->epoch - eonns[p]) / epns;
    int64_t negatives = due >= 1.0f ? (int64_t)due : 0;
    args->epoch_of_next_sample[p] += args->epochs_per_sample[p];
    if (negatives > 0) eonns[p] += (float)negatives * epns;

    const float attract = -2.0f * a * b, repel = 2.0f * args->gamma * b;
    const f8 four = 4.0f, minus_four = -4.0f;
    const f8 lane = {0, 1, 2, 3, 4, 5, 6, 7};
    const f8 is_edge = {1, 0, 0, 0, 0, 0, 0, 0};
    int64_t done = 0;
    int first = 1;
    do {
        float cx = s->cx, cy = s->cy;
        int64_t wanted = negatives - done;
        f8 xs, ys, valid;
        int offset = first ? 1 : 0;
        const float *other = (own ? live : frozen) + 2 * k;
        // Negative samples read every point from the epoch's snapshot, even this stream's own:
        // their positions are at most one epoch stale, and no lane needs a choice of array.
        i8 picks = random_indices(&s->rng, n);
        for (int l = 0; l < 8; l++) {
            const float *q = frozen + 2 * (int64_t)picks[l];
            xs[l] = q[0];
            ys[l] = q[1];
        }
        valid = (f8)((picks != (int32_t)j) & (i8)(f8)1.0f);
        if (first) {
            xs[0] = other[0];
            ys[0] = other[1];
            valid[0] = 1.0f;
        }
        // Lanes past this edge's negative samples do nothing.
        valid = (f8)((i8)valid & (lane < (float)(wanted + offset)));
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
        // Pairwise sums: a short chain, in a fixed order.
        float sx = ((gx[0] + gx[1]) + (gx[2] + gx[3])) + ((gx[4] + gx[5]) + (gx[6] + gx[7]));
        float sy = ((gy[0] + gy[1]) + (gy[2] + gy[3])) + ((gy[4] + gy[5]) + (gy[6] + gy[7]));
        if (first) {
            // The tail moves opposite to the head's attraction.
            if (own) {
                live[2 * k] -= gx[0];
                live[2 * k + 1] -= gy[0];
            } else {
                s->queue_index[s->queued] = (int32_t)k;
                s->queue_move[2 * s->queued] = -gx[0];
                s->queue_move[2 * s->queued + 1] = -gy[0];
                s->queued++;
            }
        }
        s->cx = cx + sx;
        s->cy = cy + sy;
        done += first ? 7 : 8;
        first = 0;
    } while (done < negatives);
}

LS_INLINE void optimize_epoch(ls_umap_epoch_args *args) {
    stream streams[2];
    int64_t *scratch = args->scratch;
    for (int t = 0; t < 2; t++) {
        stream *s = &streams[t];
        s->lo = args->lo[t];
        s->hi = args->hi[t];
        s->edges = scratch;
        s->count = s->hi > s->lo ? sampled_edges(args, s->lo, s->hi, scratch) : 0;
        scratch += s->count;
        s->head = -1;
        s->cx = s->cy = 0;
        uint32_t words[8];
        memcpy(words, args->rng[t], sizeof words);
        for (int l = 0; l < 8; l++) s->rng[l] = words[l] ? words[l] : 0x9E3779B9u + (uint32_t)l;  // 0 is a fixed point
        s->queue_index = args->queue_index[t];
        s->queue_move = args->queue_move[t];
        s->queued = 0;
    }
    // Two independent chains, interleaved edge by edge.
    int64_t longest = streams[0].count > streams[1].count ? streams[0].count : streams[1].count;
    for (int64_t i = 0; i < longest; i++) {
        if (i < streams[0].count) process_edge(args, &streams[0], streams[0].edges[i]);
        if (i < streams[1].count) process_edge(args, &streams[1], streams[1].edges[i]);
    }
    for (int t = 0; t < 2; t++) {
        stream *s = &streams[t];
        if (s->head >= 0) {
            args->live[2 * s->head] = s->cx;
            args->live[2 * s->head + 1] = s->cy;
        }
        uint32_t words[8];
        for (int l = 0; l < 8; l++) words[l] = s->rng[l];
        memcpy(args->rng[t], words, sizeof words);
        args->queue_count[t] = s->queued;
    }
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
