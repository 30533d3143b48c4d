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

LS_CLONES double ls_nearest_centres(const float *scores, size_t stride, size_t rows, size_t first, size_t count,
                                    const float *centre_norms, const float *row_norms, int32_t *labels, size_t *changed) {
    double distance = 0;
    size_t moved = 0;
    for (size_t start = 0; start < rows; start += CHUNK) {
        size_t n = rows - start < CHUNK ? rows - start : CHUNK;
        float best[CHUNK];
        int32_t label[CHUNK];
        const float *s0 = scores + first * stride + start;
        float norm0 = centre_norms[first];
        for (size_t i = 0; i < n; i++) { best[i] = s0[i] + norm0; label[i] = 0; }
        // Centres in order with a strict `<`: the first centre reaching the minimum wins, as scikit-learn.
        for (size_t j = 1; j < count; j++) {
            const float *s = scores + (first + j) * stride + start;
            float norm = centre_norms[first + j];
            for (size_t i = 0; i < n; i++) {
                float v = s[i] + norm;
                int better = v < best[i];
                best[i] = better ? v : best[i];
                label[i] = better ? (int32_t)j : label[i];
            }
        }
        for (size_t i = 0; i < n; i++) {
            if (labels[start + i] != label[i]) { labels[start + i] = label[i]; moved++; }
            float d = row_norms[start + i] + best[i];
            distance += d > 0 ? d : 0;
        }
    }
    *changed += moved;
    return distance;
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

LS_CLONES void ls_add_rows_by_label(const float *x, size_t rows, size_t cols, const int32_t *labels, double *sums, int64_t *counts) {
    for (size_t i = 0; i < rows; i++) {
        const float *row = x + i * cols;
        double *target = sums + (size_t)labels[i] * cols;
        for (size_t j = 0; j < cols; j++) target[j] += row[j];
        counts[labels[i]] += 1;
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
