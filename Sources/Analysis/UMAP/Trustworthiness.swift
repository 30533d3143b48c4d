import Numerics

/// How well a low-dimensional layout keeps the neighbourhoods of the original points, as
/// scikit-learn's `sklearn.manifold.trustworthiness` defines it (Venna & Kaski 2001):
/// T(k) = 1 − 2/(n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Nᵏ(i) in the layout} max(0, r(i, j) − k),
/// where r(i, j) is the rank of j among i's neighbours in the original space (nearest = 1).
/// It costs O(n²) distances: measure it on a subsample of large layouts.
public func trustworthiness(original: Matrix<Float>, embedded: Matrix<Float>, nNeighbors k: Int = 5) -> Double {
    let n = original.rows
    precondition(embedded.rows == n, "the layout must have one row per point")
    guard n > 1, k >= 1, Double(k) < Double(n) / 2 else { return .nan }
    // The layout's neighbours, the point itself left out (as scikit-learn's kneighbors()).
    let layoutNeighbors = exactNearestNeighbors(embedded, k: k + 1)
    let dim = original.cols
    let block = 256
    var norms = [Float](repeating: 0, count: n)
    var distances = [Float](repeating: 0, count: block * n)
    var penalty = 0.0
    original.storage.withUnsafeBufferPointer { x in
        let base = x.baseAddress!
        norms.withUnsafeMutableBufferPointer { SquaredDistances.rowNorms(base, rows: n, cols: dim, into: $0.baseAddress!) }
        var start = 0
        while start < n {
            let rows = min(block, n - start)
            distances.withUnsafeMutableBufferPointer { out in
                norms.withUnsafeBufferPointer { nrm in
                    SquaredDistances.block(queries: base + start * dim, queryCount: rows, queryNorms: nrm.baseAddress! + start,
                                           references: base, referenceCount: n, referenceNorms: nrm.baseAddress!,
                                           dim: dim, into: out.baseAddress!)
                }
            }
            var partial = [Double](repeating: 0, count: rows)
            distances.withUnsafeBufferPointer { all in
                partial.withUnsafeMutableBufferPointer { sums in
                    let out = SendablePointer(sums.baseAddress!)
                    ComputeThreads.parallelChunks(rows, minimumChunk: 16) { range in
                        for q in range {
                            let i = start + q
                            let row = all.baseAddress! + q * n
                            // The k-th smallest distance: a neighbour no farther has rank ≤ k and costs nothing.
                            var smallest = [Float](repeating: .infinity, count: k)
                            for m in 0..<n where m != i && row[m] < smallest[k - 1] {
                                var p = k - 1
                                while p > 0 && smallest[p - 1] > row[m] {
                                    smallest[p] = smallest[p - 1]
                                    p -= 1
                                }
                                smallest[p] = row[m]
                            }
                            var total = 0.0
                            for j in 1...k {
                                let neighbor = Int(layoutNeighbors.indices[i * (k + 1) + j])
                                let target = row[neighbor]
                                if target <= smallest[k - 1] { continue }
                                // r(i, j) = 1 + the number of other points nearer to i than j.
                                var rank = 1
                                for m in 0..<n where m != i && row[m] < target { rank += 1 }
                                total += Double(max(0, rank - k))
                            }
                            out.pointer[q] = total
                        }
                    }
                }
            }
            penalty += partial.reduce(0, +)
            start += rows
        }
    }
    let nd = Double(n), kd = Double(k)
    return 1 - penalty * (2 / (nd * kd * (2 * nd - 3 * kd - 1)))
}
