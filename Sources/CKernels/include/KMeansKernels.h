// Row loops of k-means that follow the distance GEMM: picking each row's nearest centre, the k-means++
// candidate step, and per-cluster row sums. Compiled for AVX-512, AVX2+FMA and plain x86-64, chosen
// at load time.
#ifndef LAYERSCOPE_KMEANS_KERNELS_H
#define LAYERSCOPE_KMEANS_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// `scores` holds one line per centre (line stride `stride`), one value per row. For each of `rows` rows: the
/// centre j in [first, first + count) with the smallest scores[j][i] + centre_norms[j] (the first on ties).
/// Writes labels[i] = j − first, adds to `*changed` the rows whose label was different, and returns
/// Σ max(0, row_norms[i] + that smallest value).
double ls_nearest_centres(const float *scores, size_t stride, size_t rows, size_t first, size_t count,
                          const float *centre_norms, const float *row_norms, int32_t *labels, size_t *changed);
/// `scores` holds one line per candidate (line stride `stride`). For each candidate c in [first, first + count)
/// and each row i: d = max(0, row_norms[i] + scores[c][i] + candidate_norms[c]);
/// nearer[(c − first)·nearer_stride + i] = min(closest[i], d); adds Σᵢ of those to potentials[c − first].
void ls_nearer_with_candidates(const float *scores, size_t stride, size_t rows, size_t first, size_t count,
                               const float *candidate_norms, const float *row_norms, const float *closest,
                               float *nearer, size_t nearer_stride, double *potentials);
/// sums[labels[i]][·] += x[i][·] (float64 sums of `cols` columns) and counts[labels[i]] += 1 for each row.
void ls_add_rows_by_label(const float *x, size_t rows, size_t cols, const int32_t *labels, double *sums, int64_t *counts);
/// ‖x_i‖² for each row, summed in float64.
void ls_row_squared_norms(const float *x, size_t rows, size_t cols, float *norms);

#endif
