import CKernels

/// Squared Euclidean distances between rows of row-major float32 matrices: one pair at a time
/// with SIMD, or a whole block at once through GEMM (‖x‖² − 2x·y + ‖y‖²).
/// (Products and sums are separate operations on purpose: `addingProduct` must be fused, and
/// without FMA in the baseline target it becomes one `fmaf` call per lane.)
public enum SquaredDistances {
    /// ‖a − b‖² for two rows of `dim` values.
    @inlinable @inline(__always)
    public static func between(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dim: Int) -> Float {
        var i = 0
        var acc0 = SIMD16<Float>()
        var acc1 = SIMD16<Float>()
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        while i + 32 <= dim {
            let d0 = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                - rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let d1 = ra.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
                - rb.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            acc0 += d0 * d0
            acc1 += d1 * d1
            i += 32
        }
        if i + 16 <= dim {
            let d0 = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                - rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc0 += d0 * d0
            i += 16
        }
        var acc4 = SIMD4<Float>()
        while i + 4 <= dim {
            let d = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD4<Float>.self)
                - rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD4<Float>.self)
            acc4 += d * d
            i += 4
        }
        var sum = (acc0 + acc1).sum() + acc4.sum()
        while i < dim {
            let d = a[i] - b[i]
            sum += d * d
            i += 1
        }
        return sum
    }

    /// a · b for two rows of `dim` values.
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dim: Int) -> Float {
        var i = 0
        var acc0 = SIMD16<Float>()
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        while i + 16 <= dim {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        var sum = acc0.sum()
        while i < dim {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// ‖row‖² for each of `rows` rows of `cols` values, into `norms`.
    public static func rowNorms(_ matrix: UnsafePointer<Float>, rows: Int, cols: Int, into norms: UnsafeMutablePointer<Float>) {
        ComputeThreads.parallelChunks(rows, minimumChunk: 4096) { range in
            for r in range {
                let row = matrix + r * cols
                var sum: Float = 0
                for c in 0..<cols { sum += row[c] * row[c] }
                norms[r] = sum
            }
        }
    }

    /// Fills `out` (queryCount × referenceCount, row-major) with the squared distances between the
    /// query rows and the reference rows, clamped at zero (cancellation can make tiny ones negative).
    /// The norms are the rows' squared norms. The multiplication is one `cblas_sgemm` call.
    public static func block(
        queries: UnsafePointer<Float>, queryCount: Int, queryNorms: UnsafePointer<Float>,
        references: UnsafePointer<Float>, referenceCount: Int, referenceNorms: UnsafePointer<Float>,
        dim: Int, into out: UnsafeMutablePointer<Float>
    ) {
        guard queryCount > 0, referenceCount > 0 else { return }
        Float.gemm(transposeA: false, transposeB: true, m: queryCount, n: referenceCount, k: dim,
                   alpha: -2, a: queries, lda: dim, b: references, ldb: dim, beta: 0, c: out, ldc: referenceCount)
        for q in 0..<queryCount {
            let row = out + q * referenceCount
            let qn = queryNorms[q]
            for r in 0..<referenceCount { row[r] = max(0, row[r] + qn + referenceNorms[r]) }
        }
    }
}

extension SquaredDistances {
    /// out[i] = ‖query − rows[indices[i]]‖² (rows `dim` floats apart), AVX2 where the CPU has it.
    /// The corresponding C function is `ls_squared_distances_gather`.
    public static func gather(query: UnsafePointer<Float>, rows: UnsafePointer<Float>, dim: Int,
                              indices: UnsafePointer<Int32>, count: Int, into out: UnsafeMutablePointer<Float>) {
        ls_squared_distances_gather(query, rows, dim, indices, count, out)
    }

    /// The upper triangle (j > i) of the squared distances among `count` contiguous rows, into
    /// out[i·count + j]. The corresponding C function is `ls_squared_distances_within`.
    public static func within(rows: UnsafePointer<Float>, count: Int, dim: Int, into out: UnsafeMutablePointer<Float>) {
        ls_squared_distances_within(rows, count, dim, out)
    }
}
