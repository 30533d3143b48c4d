// The inner loop of UMAP's layout optimisation (umap-learn's optimize_layout_euclidean), for one
// thread's range of head points over one epoch. It lives in C so that the eight negative samples of
// an edge can be computed in eight SIMD lanes, with AVX2 chosen at run time where the CPU has it;
// both paths compute the same operations in the same order, so they give the same result.
#ifndef LAYERSCOPE_UMAP_KERNELS_H
#define LAYERSCOPE_UMAP_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// One thread's share of one epoch: two ranges of head points ("streams") whose edges are
/// processed in lockstep, so that two independent dependency chains keep the CPU busy. Each
/// stream owns its range like a thread does: it moves those points in place, reads the others
/// from `frozen`, and queues the moves it owes them. Points are rows of two floats.
typedef struct {
    const int64_t *row_start;        // edges of head j: row_start[j] ..< row_start[j + 1]
    const int32_t *tail;             // tail point of each edge
    const float *epochs_per_sample;
    const float *epochs_per_negative_sample;
    float *epoch_of_next_sample;
    float *epoch_of_next_negative_sample;
    float *live;                     // the layout, moved in place within the streams' ranges
    const float *frozen;             // the layout at the start of the epoch, read for other points
    int64_t n_vertices;
    float a, b, gamma, alpha, epoch;
    int64_t lo[2], hi[2];            // the streams' ranges (an empty range is allowed)
    uint64_t *rng[2];                // per stream: 32 bytes of state (eight xorshift32 lanes), advanced in place
    int32_t *queue_index[2];         // out, per stream: points of other streams owed a move ...
    float *queue_move[2];            // ... and the moves (2 floats each); capacity: the range's edges
    int64_t queue_count[2];          // out: entries written
    int64_t *scratch;                // room for the edges of both ranges (the epoch's sampled edges)
} ls_umap_epoch_args;

/// Runs the edges whose head lies in the two ranges for one epoch.
void ls_umap_optimize_epoch(ls_umap_epoch_args *args);

/// Whether the AVX2 path is used on this CPU.
int ls_umap_has_avx2(void);

#endif
