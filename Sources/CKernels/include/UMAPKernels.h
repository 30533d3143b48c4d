// The inner loop of UMAP's layout optimisation (umap-learn's optimize_layout_euclidean), for one
// thread's range of head points over one epoch. It lives in C so that the eight negative samples of
// an edge can be computed in eight SIMD lanes, with AVX2 chosen at run time where the CPU has it;
// both paths compute the same operations in the same order, so they give the same result.
#ifndef LAYERSCOPE_UMAP_KERNELS_H
#define LAYERSCOPE_UMAP_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// One thread's share of one epoch. Points are rows of two floats.
typedef struct {
    const int64_t *row_start;        // edges of head j: row_start[j] ..< row_start[j + 1]
    const int32_t *tail;             // tail point of each edge
    const float *epochs_per_sample;
    const float *epochs_per_negative_sample;
    float *epoch_of_next_sample;
    float *epoch_of_next_negative_sample;
    float *live;                     // the layout; this thread moves only points in [lo, hi)
    const float *frozen;             // the layout at the start of the epoch, read for other points
    int64_t lo, hi, n_vertices;
    float a, b, gamma, alpha, epoch;
    uint64_t *rng;                   // this thread's xoshiro256** state, 4 words, advanced in place
    int32_t *queue_index;            // out: points of other threads owed a move ...
    float *queue_move;               // ... and the moves (2 floats each); capacity: the range's edges
    int64_t queue_count;             // out: entries written
} ls_umap_epoch_args;

/// Runs the edges whose head lies in [lo, hi) for one epoch.
void ls_umap_optimize_epoch(ls_umap_epoch_args *args);

/// Whether the AVX2 path is used on this CPU.
int ls_umap_has_avx2(void);

#endif
