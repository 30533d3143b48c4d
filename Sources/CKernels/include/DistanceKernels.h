// Squared Euclidean distances between float32 rows, for nearest-neighbour search: AVX2 with FMA
// chosen at run time where the CPU has it, plain C otherwise.
#ifndef LAYERSCOPE_DISTANCE_KERNELS_H
#define LAYERSCOPE_DISTANCE_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// out[i] = ‖query − rows[indices[i]]‖² for i < count; rows are `dim` floats apart.
void ls_squared_distances_gather(const float *query, const float *rows, size_t dim, const int32_t *indices,
                                 size_t count, float *out);

/// The upper triangle of the squared distances among `count` contiguous rows:
/// out[i * count + j] for j > i (the rest is left untouched).
void ls_squared_distances_within(const float *rows, size_t count, size_t dim, float *out);

#endif
