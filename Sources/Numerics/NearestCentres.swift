import CKernels

/// The hot loops of k-means, written for several clusterings side by side: one GEMM scores a block of
/// rows against every centre of every clustering (−2·c·x, one line of scores per centre), and each row
/// then picks, per clustering, the centre with the smallest ‖c‖² − 2·x·c, which is its squared distance
/// less ‖x‖² (the same for every centre). Squared distances are ‖x‖² − 2·x·c + ‖c‖² throughout, as
/// scikit-learn computes them.
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

    /// For `count` rows of a score block (one line per centre, line stride `stride`), the centre j in `group`
    /// (score lines) with the smallest `scores[j][i] + centreNorms[j]`; the first such centre on ties, as scikit-learn. Writes
    /// `labels[i] = j − group.lowerBound` and returns Σᵢ max(0, ‖xᵢ‖² + that smallest value) (the squared
    /// distances to the chosen centres) and how many labels differ from what `labels` held before.
    /// The corresponding C function is `ls_nearest_centres`.
    public static func assign(
        scores: UnsafePointer<Float>, stride: Int, count: Int, group: Range<Int>, centreNorms: UnsafePointer<Float>,
        rowNorms: UnsafePointer<Float>, labels: UnsafeMutablePointer<Int32>
    ) -> (distance: Double, changed: Int) {
        var changed = 0
        let distance = ls_nearest_centres(scores, stride, count, group.lowerBound, group.count, centreNorms, rowNorms, labels, &changed)
        return (distance, changed)
    }

    /// The candidate step of k-means++ for `count` rows: for each candidate line c in `columns` of a score
    /// block (line stride `stride`), the squared distance d = max(0, ‖x‖² + score + candidateNorms[c]), the row's distance to its
    /// nearest centre were the candidate added, min(closest, d), written to `nearer[q · nearerStride + i]`
    /// (q = c − columns.lowerBound), and its sum over the rows added to `potentials[q]`.
    /// The corresponding C function is `ls_nearer_with_candidates`.
    public static func nearerWithCandidates(
        scores: UnsafePointer<Float>, stride: Int, count: Int, columns: Range<Int>, candidateNorms: UnsafePointer<Float>,
        rowNorms: UnsafePointer<Float>, closest: UnsafePointer<Float>, nearer: UnsafeMutablePointer<Float>, nearerStride: Int,
        potentials: UnsafeMutablePointer<Double>
    ) {
        ls_nearer_with_candidates(scores, stride, count, columns.lowerBound, columns.count, candidateNorms, rowNorms, closest,
                                  nearer, nearerStride, potentials)
    }

    /// sums[labels[i]] += xᵢ (double precision, k × cols) and counts[labels[i]] += 1 for `count` rows: the
    /// M-step's per-cluster totals. The corresponding C function is `ls_add_rows_by_label`.
    public static func addRowsByLabel(
        _ x: UnsafePointer<Float>, count: Int, cols: Int, labels: UnsafePointer<Int32>,
        sums: UnsafeMutablePointer<Double>, counts: UnsafeMutablePointer<Int64>
    ) {
        ls_add_rows_by_label(x, count, cols, labels, sums, counts)
    }

    /// Σᵢ ‖x_i − centres[labels[i]]‖² over `count` rows, computed from the differences (not from the
    /// GEMM's expansion), in double precision: the exact inertia of a clustering.
    public static func squaredDistancesToAssigned(
        rows x: UnsafePointer<Float>, count: Int, cols: Int, centres: UnsafePointer<Float>, labels: UnsafePointer<Int32>
    ) -> Double {
        var total: Double = 0
        for i in 0..<count {
            let row = x + i * cols, centre = centres + Int(labels[i]) * cols
            var sum: Double = 0
            for j in 0..<cols {
                let difference = Double(row[j]) - Double(centre[j])
                sum += difference * difference
            }
            total += sum
        }
        return total
    }
}
