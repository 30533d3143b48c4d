import Numerics

/// The k-nearest-neighbour graph UMAP starts from: for every point, its `k` nearest points
/// (itself first, at distance 0, as umap-learn's `nearest_neighbors` returns them), by Euclidean distance.
public struct KNNGraph: Sendable, Equatable {
    public let count: Int
    public let k: Int
    /// Row-major count × k neighbour indices, nearest first.
    public var indices: [Int32]
    /// Row-major count × k Euclidean distances, ascending.
    public var distances: [Float]

    public init(count: Int, k: Int, indices: [Int32], distances: [Float]) {
        precondition(indices.count == count * k && distances.count == count * k, "graph arrays must be count × k")
        self.count = count
        self.k = k
        self.indices = indices
        self.distances = distances
    }

    /// The fraction of true neighbours found, against an exact graph of the same points and k.
    public func recall(against exact: KNNGraph, rows: [Int]? = nil) -> Double {
        let checked = rows ?? Array(0..<count)
        var hits = 0
        for r in checked {
            let truth = Set(exact.indices[(r * exact.k)..<((r + 1) * exact.k)])
            for j in 0..<k where truth.contains(indices[r * k + j]) { hits += 1 }
        }
        return Double(hits) / Double(max(1, checked.count * exact.k))
    }
}

/// Which nearest-neighbour search builds the graph.
public enum NeighborSearch: String, Sendable, Codable {
    /// Exact blocked GEMM search for small inputs, NN-descent above `UMAPParameters.exactNeighborLimit`.
    case automatic
    case exact
    case nnDescent = "nn_descent"
}

/// umap-learn's `nearest_neighbors` step: exact for small inputs, NN-descent for large ones.
public func nearestNeighbors(_ data: Matrix<Float>, k: Int, search: NeighborSearch = .automatic,
                             exactLimit: Int = 4_095, seed: UInt64 = 0) -> KNNGraph {
    let k = min(k, data.rows)
    switch search {
    case .exact:
        return exactNearestNeighbors(data, k: k)
    case .nnDescent:
        return NNDescent(data: data, k: k, seed: seed).run()
    case .automatic:
        return data.rows <= exactLimit ? exactNearestNeighbors(data, k: k) : NNDescent(data: data, k: k, seed: seed).run()
    }
}

/// Exact k nearest neighbours by blocks of squared distances from one GEMM each
/// (‖x‖² − 2x·y + ‖y‖²); the distances of the neighbours kept are then recomputed directly,
/// so cancellation in the GEMM form never reaches the result.
public func exactNearestNeighbors(_ data: Matrix<Float>, k: Int) -> KNNGraph {
    let n = data.rows
    let dim = data.cols
    let k = min(k, n)
    guard n > 0, k > 0 else { return KNNGraph(count: n, k: 0, indices: [], distances: []) }
    var indices = [Int32](repeating: -1, count: n * k)
    var distances = [Float](repeating: .infinity, count: n * k)
    var norms = [Float](repeating: 0, count: n)
    let queryBlock = 512
    let referenceBlock = 8_192
    var block = [Float](repeating: 0, count: queryBlock * min(referenceBlock, n))
    data.storage.withUnsafeBufferPointer { x in
        let base = x.baseAddress!
        norms.withUnsafeMutableBufferPointer { SquaredDistances.rowNorms(base, rows: n, cols: dim, into: $0.baseAddress!) }
        indices.withUnsafeMutableBufferPointer { idx in
            distances.withUnsafeMutableBufferPointer { dist in
                norms.withUnsafeBufferPointer { nrm in
                    block.withUnsafeMutableBufferPointer { blk in
                        // Every row keeps its k − 1 nearest others; the point itself goes first afterwards.
                        let others = k - 1
                        var q0 = 0
                        while q0 < n {
                            let qn = min(queryBlock, n - q0)
                            var r0 = 0
                            while r0 < n {
                                let rn = min(referenceBlock, n - r0)
                                SquaredDistances.block(queries: base + q0 * dim, queryCount: qn, queryNorms: nrm.baseAddress! + q0,
                                                       references: base + r0 * dim, referenceCount: rn,
                                                       referenceNorms: nrm.baseAddress! + r0, dim: dim, into: blk.baseAddress!)
                                let blkBase = blk.baseAddress!
                                let idxBase = idx.baseAddress!
                                let distBase = dist.baseAddress!
                                ComputeThreads.parallelChunks(qn, minimumChunk: 32) { rows in
                                    for q in rows {
                                        let row = blkBase + q * rn
                                        let query = q0 + q
                                        let keptD = distBase + query * k + 1
                                        let keptI = idxBase + query * k + 1
                                        for r in 0..<rn where r0 + r != query {
                                            insertSorted(row[r], Int32(r0 + r), into: keptD, keptI, count: others)
                                        }
                                    }
                                }
                                r0 += rn
                            }
                            q0 += qn
                        }
                        let idxBase = idx.baseAddress!
                        let distBase = dist.baseAddress!
                        ComputeThreads.parallelChunks(n, minimumChunk: 256) { rows in
                            for q in rows {
                                idxBase[q * k] = Int32(q)
                                distBase[q * k] = 0
                                for j in 1..<k {
                                    let other = Int(idxBase[q * k + j])
                                    distBase[q * k + j] = SquaredDistances.between(base + q * dim, base + other * dim, dim: dim).squareRoot()
                                }
                                sortRow(distBase + q * k + 1, idxBase + q * k + 1, count: others)
                            }
                        }
                    }
                }
            }
        }
    }
    return KNNGraph(count: n, k: k, indices: indices, distances: distances)
}

/// Inserts (d, i) into an ascending list of `count` entries if it beats the last; ties keep the earlier index.
@inline(__always)
func insertSorted(_ d: Float, _ i: Int32, into dist: UnsafeMutablePointer<Float>, _ ids: UnsafeMutablePointer<Int32>, count: Int) {
    guard count > 0, d < dist[count - 1] else { return }
    var p = count - 1
    while p > 0 && dist[p - 1] > d {
        dist[p] = dist[p - 1]
        ids[p] = ids[p - 1]
        p -= 1
    }
    dist[p] = d
    ids[p] = i
}

/// Sorts a short list by (distance, index) with insertion sort.
func sortRow(_ dist: UnsafeMutablePointer<Float>, _ ids: UnsafeMutablePointer<Int32>, count: Int) {
    guard count > 1 else { return }
    for a in 1..<count {
        let d = dist[a], i = ids[a]
        var p = a
        while p > 0 && (dist[p - 1] > d || (dist[p - 1] == d && ids[p - 1] > i)) {
            dist[p] = dist[p - 1]
            ids[p] = ids[p - 1]
            p -= 1
        }
        dist[p] = d
        ids[p] = i
    }
}
