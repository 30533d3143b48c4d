import CKernels

/// The hot loops of k-means. Scores come from one GEMM per block of rows, one line of scores per centre
/// (−2·c·x), so that ‖x‖² + score + ‖c‖² is the squared distance, as scikit-learn computes it; the row
/// loops after it (nearest centres, Hamerly's bounds, moving rows between clusters' sums) are in C.
public enum NearestCentres {
    /// scores[j][i] = −2·c_j·x_i for `count` rows of `cols` values against `centreCount` centres: one line
    /// of `count` scores per centre (line stride `count`). The corresponding C function is `cblas_sgemm`.
    public static func scores(
        rows x: UnsafePointer<Float>, count: Int, cols: Int, centres: UnsafePointer<Float>, centreCount: Int,
        into scores: UnsafeMutablePointer<Float>
    ) {
        guard count > 0, centreCount > 0 else { return }
        guard cols > 0 else {
            scores.update(repeating: 0, count: count * centreCount)
            return
        }
        Float.gemm(transposeA: false, transposeB: true, m: centreCount, n: count, k: cols, alpha: -2, a: centres, lda: cols,
                   b: x, ldb: cols, beta: 0, c: scores, ldc: count)
    }

    /// norms[i] = ‖x_i‖², summed in double precision, for `count` rows of `cols` values.
    /// The corresponding C function is `ls_row_squared_norms`.
    public static func rowSquaredNorms(_ x: UnsafePointer<Float>, count: Int, cols: Int, into norms: UnsafeMutablePointer<Float>) {
        ls_row_squared_norms(x, count, cols, norms)
    }

    /// For `count` rows of a score block (one line per centre, `centreCount` lines of stride `stride`): the
    /// nearest centre (the first on ties, as scikit-learn) into `labels`, and the distance to it and to the
    /// next nearest into `nearest` and `second`. The corresponding C function is `ls_nearest_two`.
    public static func nearestTwo(
        scores: UnsafePointer<Float>, stride: Int, count: Int, centreCount: Int, centreNorms: UnsafePointer<Float>,
        rowNorms: UnsafePointer<Float>, labels: UnsafeMutablePointer<Int32>, nearest: UnsafeMutablePointer<Float>,
        second: UnsafeMutablePointer<Float>
    ) {
        ls_nearest_two(scores, stride, count, centreCount, centreNorms, rowNorms, labels, nearest, second)
    }

    /// Hamerly's bounds after the centres moved by `shift` (Euclidean, per centre): each row's upper bound
    /// grows by its own centre's shift, its lower bound shrinks by the largest shift of another centre. A row
    /// whose upper bound exceeds max(halfGap[own], lower) has the upper bound recomputed from its own centre;
    /// rows that still exceed it may have a nearer centre and are written to `needed` (row offsets), whose
    /// count is returned. The corresponding C function is `ls_hamerly_screen`.
    public static func screen(
        rows x: UnsafePointer<Float>, count: Int, cols: Int, rowNorms: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        upper: UnsafeMutablePointer<Float>, lower: UnsafeMutablePointer<Float>, centres: UnsafePointer<Float>,
        centreNorms: UnsafePointer<Float>, shift: UnsafePointer<Float>, halfGap: UnsafePointer<Float>,
        farthest: Int, largestShift: Float, secondShift: Float, needed: UnsafeMutablePointer<Int32>
    ) -> Int {
        ls_hamerly_screen(x, count, cols, rowNorms, labels, upper, lower, centres, centreNorms, shift, halfGap,
                          Int32(farthest), largestShift, secondShift, needed)
    }

    /// For each row whose label changed from `from[i]` (−1: none) to `to[i]`: its values leave `sums[from]`
    /// and join `sums[to]` (double precision, k × cols), and `counts` follow: Lloyd's M-step totals kept up
    /// to date by the rows that moved. The corresponding C function is `ls_move_rows`.
    public static func moveRows(
        _ x: UnsafePointer<Float>, count: Int, cols: Int, from: UnsafePointer<Int32>, to: UnsafePointer<Int32>,
        sums: UnsafeMutablePointer<Double>, counts: UnsafeMutablePointer<Int64>
    ) {
        ls_move_rows(x, count, cols, from, to, sums, counts)
    }

    /// The candidate step of k-means++ for `count` rows: for each candidate line c in `columns` of a score
    /// block (line stride `stride`), the squared distance d = max(0, ‖x‖² + score + candidateNorms[c]), the
    /// row's distance to its nearest centre were the candidate added, min(closest, d), written to
    /// `nearer[q · nearerStride + i]` (q = c − columns.lowerBound), and its sum over the rows added to
    /// `potentials[q]`. The corresponding C function is `ls_nearer_with_candidates`.
    public static func nearerWithCandidates(
        scores: UnsafePointer<Float>, stride: Int, count: Int, columns: Range<Int>, candidateNorms: UnsafePointer<Float>,
        rowNorms: UnsafePointer<Float>, closest: UnsafePointer<Float>, nearer: UnsafeMutablePointer<Float>, nearerStride: Int,
        potentials: UnsafeMutablePointer<Double>
    ) {
        ls_nearer_with_candidates(scores, stride, count, columns.lowerBound, columns.count, candidateNorms, rowNorms, closest,
                                  nearer, nearerStride, potentials)
    }

    /// Σᵢ ‖x_i − centres[labels[i]]‖² over `count` rows, computed from the differences (not from the
    /// GEMM's expansion), in double precision: the exact inertia of a clustering.
    /// The corresponding C function is `ls_squared_distances_to_assigned`.
    public static func squaredDistancesToAssigned(
        rows x: UnsafePointer<Float>, count: Int, cols: Int, centres: UnsafePointer<Float>, labels: UnsafePointer<Int32>
    ) -> Double {
        ls_squared_distances_to_assigned(x, count, cols, centres, labels)
    }
}
