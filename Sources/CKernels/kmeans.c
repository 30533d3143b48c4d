// k-means row loops (see KMeansKernels.h). Plain C that the compiler vectorises; `LS_CLONES` builds
// each for AVX-512, AVX2+FMA and baseline x86-64. Scores arrive centre by centre (each centre's scores
// for consecutive rows are contiguous), so every loop runs across rows.
#include "KMeansKernels.h"
#include <math.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define LS_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define LS_CLONES
#endif

// Rows are handled in chunks whose running minima and labels stay in registers or L1; each centre's
// scores for the chunk are contiguous, so the comparisons vectorise across rows.
#define CHUNK 256
// Dot products keep this many partial sums, so they vectorise without reassociating anything.
#define LANES 16

LS_CLONES void ls_nearest_two(const float *scores, size_t stride, size_t rows, size_t count, const float *centre_norms,
                              const float *row_norms, int32_t *labels, float *nearest, float *second) {
    for (size_t start = 0; start < rows; start += CHUNK) {
        size_t n = rows - start < CHUNK ? rows - start : CHUNK;
        float best[CHUNK], next[CHUNK];
        int32_t label[CHUNK];
        for (size_t i = 0; i < n; i++) { best[i] = INFINITY; next[i] = INFINITY; label[i] = 0; }
        // Centres in order with a strict `<`: the first centre reaching the minimum wins, as scikit-learn.
        for (size_t j = 0; j < count; j++) {
            const float *s = scores + j * stride + start;
            float norm = centre_norms[j];
            for (size_t i = 0; i < n; i++) {
                float v = s[i] + norm;
                int better = v < best[i];
                next[i] = better ? best[i] : (v < next[i] ? v : next[i]);
                best[i] = better ? v : best[i];
                label[i] = better ? (int32_t)j : label[i];
            }
        }
        for (size_t i = 0; i < n; i++) {
            float d = row_norms[start + i] + best[i], e = row_norms[start + i] + next[i];
            labels[start + i] = label[i];
            nearest[start + i] = sqrtf(d > 0 ? d : 0);
            second[start + i] = sqrtf(e > 0 ? e : 0);
        }
    }
}

LS_CLONES size_t ls_hamerly_screen(const float *x, size_t rows, size_t cols, const float *row_norms, const int32_t *labels,
                                   float *upper, float *lower, const float *centres, const float *centre_norms,
                                   const float *shift, const float *half_gap, int32_t farthest, float largest_shift,
                                   float second_shift, int32_t *needed) {
    size_t count = 0;
    for (size_t i = 0; i < rows; i++) {
        int32_t a = labels[i];
        float u = upper[i] + shift[a];
        float l = lower[i] - (a == farthest ? second_shift : largest_shift);
        float bound = half_gap[a] > l ? half_gap[a] : l;
        if (u > bound) {
            // Tighten the upper bound to the exact distance to the own centre before paying for all of them.
            const float *row = x + i * cols, *centre = centres + (size_t)a * cols;
            float lanes[LANES] = {0};
            size_t j = 0;
            for (; j + LANES <= cols; j += LANES)
                for (int l = 0; l < LANES; l++) lanes[l] += row[j + l] * centre[j + l];
            float dot = 0;
            for (int l = 0; l < LANES; l++) dot += lanes[l];
            for (; j < cols; j++) dot += row[j] * centre[j];
            float d = row_norms[i] - 2 * dot + centre_norms[a];
            u = sqrtf(d > 0 ? d : 0);
            if (u > bound) needed[count++] = (int32_t)i;
        }
        upper[i] = u;
        lower[i] = l;
    }
    return count;
}

LS_CLONES void ls_move_rows(const float *x, size_t rows, size_t cols, const int32_t *from, const int32_t *to,
                            double *sums, int64_t *counts) {
    for (size_t i = 0; i < rows; i++) {
        if (from[i] == to[i]) continue;
        const float *row = x + i * cols;
        if (from[i] >= 0) {
            double *source = sums + (size_t)from[i] * cols;
            for (size_t j = 0; j < cols; j++) source[j] -= row[j];
            counts[from[i]] -= 1;
        }
        double *target = sums + (size_t)to[i] * cols;
        for (size_t j = 0; j < cols; j++) target[j] += row[j];
        counts[to[i]] += 1;
    }
}

LS_CLONES void ls_nearer_with_candidates(const float *scores, size_t stride, size_t rows, size_t first, size_t count,
                                         const float *candidate_norms, const float *row_norms, const float *closest,
                                         float *nearer, size_t nearer_stride, double *potentials) {
    for (size_t q = 0; q < count; q++) {
        const float *s = scores + (first + q) * stride;
        float norm = candidate_norms[first + q];
        float *target = nearer + q * nearer_stride;
        for (size_t i = 0; i < rows; i++) {
            float d = row_norms[i] + s[i] + norm;
            d = d > 0 ? d : 0;
            target[i] = closest[i] < d ? closest[i] : d;
        }
        double sum = 0;
        for (size_t i = 0; i < rows; i++) sum += target[i];
        potentials[q] += sum;
    }
}

LS_CLONES void ls_row_squared_norms(const float *x, size_t rows, size_t cols, float *norms) {
    for (size_t i = 0; i < rows; i++) {
        const float *row = x + i * cols;
        double sum = 0;
        for (size_t j = 0; j < cols; j++) sum += (double)row[j] * row[j];
        norms[i] = (float)sum;
    }
}

LS_CLONES double ls_squared_distances_to_assigned(const float *x, size_t rows, size_t cols, const float *centres,
                                                  const int32_t *labels) {
    double total = 0;
    for (size_t i = 0; i < rows; i++) {
        const float *row = x + i * cols, *centre = centres + (size_t)labels[i] * cols;
        double lanes[LANES] = {0};
        size_t j = 0;
        for (; j + LANES <= cols; j += LANES)
            for (int l = 0; l < LANES; l++) {
                double difference = (double)row[j + l] - centre[j + l];
                lanes[l] += difference * difference;
            }
        double sum = 0;
        for (int l = 0; l < LANES; l++) sum += lanes[l];
        for (; j < cols; j++) {
            double difference = (double)row[j] - centre[j];
            sum += difference * difference;
        }
        total += sum;
    }
    return total;
}
