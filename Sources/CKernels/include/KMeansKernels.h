// Row loops of k-means around the distance GEMM: each row's nearest centres, Hamerly's bounds, the
// k-means++ candidate step, per-cluster sums and the inertia. Compiled for AVX-512, AVX2+FMA and plain x86-64, chosen
// at load time.
#ifndef LAYERSCOPE_KMEANS_KERNELS_H
#define LAYERSCOPE_KMEANS_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// `scores` holds one line per centre (line stride `stride`, `count` centres), one value per row. For each
/// of `rows` rows: the centre with the smallest scores[j][i] + centre_norms[j] (the first on ties) into
/// `labels`, and the distances sqrt(max(0, row_norms[i] + value)) to it and to the next nearest centre
/// into `nearest` and `second` (infinity with one centre).
void ls_nearest_two(const float *scores, size_t stride, size_t rows, size_t count, const float *centre_norms,
                    const float *row_norms, int32_t *labels, float *nearest, float *second);
/// Hamerly's test for `rows` rows: moves each row's bounds by the centres' shifts (upper += shift[own],
/// lower −= the largest shift of another centre: `largest_shift`, or `second_shift` for the row of centre
/// `farthest`), and where upper > max(half_gap[own], lower) recomputes upper exactly from the own centre.
/// Rows still failing are listed in `needed` (row offsets); returns how many.
size_t ls_hamerly_screen(const float *x, size_t rows, size_t cols, const float *row_norms, const int32_t *labels,
                         float *upper, float *lower, const float *centres, const float *centre_norms,
                         const float *shift, const float *half_gap, int32_t farthest, float largest_shift,
                         float second_shift, int32_t *needed);
/// For each row whose label changed from from[i] (−1: none) to to[i]: its values leave sums[from] and join
/// sums[to] (float64, `cols` per cluster), and the counts follow.
void ls_move_rows(const float *x, size_t rows, size_t cols, const int32_t *from, const int32_t *to,
                  double *sums, int64_t *counts);
/// `scores` holds one line per candidate (line stride `stride`). For each candidate c in [first, first + count)
/// and each row i: d = max(0, row_norms[i] + scores[c][i] + candidate_norms[c]);
/// nearer[(c − first)·nearer_stride + i] = min(closest[i], d); adds Σᵢ of those to potentials[c − first].
void ls_nearer_with_candidates(const float *scores, size_t stride, size_t rows, size_t first, size_t count,
                               const float *candidate_norms, const float *row_norms, const float *closest,
                               float *nearer, size_t nearer_stride, double *potentials);
/// Σᵢ ‖x_i − centres[labels[i]]‖², from the differences, in float64.
double ls_squared_distances_to_assigned(const float *x, size_t rows, size_t cols, const float *centres, const int32_t *labels);
/// ‖x_i‖² for each row, summed in float64.
void ls_row_squared_norms(const float *x, size_t rows, size_t cols, float *norms);

#endif
