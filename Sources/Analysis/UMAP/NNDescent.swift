import Foundation
import Numerics

/// Approximate k nearest neighbours by NN-descent (Dong, Moses & Li 2011), as pynndescent's
/// `nn_descent`: a random projection forest seeds every point's candidate heap (each leaf searched
/// exactly with one GEMM), then rounds of local joins compare the neighbours of each point with one
/// another until fewer than `delta`·k·N heap entries change in a round.
///
/// Deterministic for a seed, whatever the thread count: candidate sampling uses hashed priorities,
/// joins run over fixed blocks of points against the heaps as they stood at the block's start, and
/// their updates are applied in a fixed order (a heap's final contents do not depend on it anyway).
public struct NNDescent {
    public let data: Matrix<Float>
    /// Neighbours per point, the point itself included.
    public let k: Int
    public var seed: UInt64
    public var treeCount: Int
    public var leafSize: Int
    public var maxCandidates = 60
    public var iterations: Int
    public var delta: Float = 0.001

    public init(data: Matrix<Float>, k: Int, seed: UInt64 = 0) {
        self.data = data
        self.k = k
        self.seed = seed
        let n = max(data.rows, 2)
        // Measured on clustered 100-dimensional data: a few balanced trees with large leaves give
        // most neighbours for little GEMM time, leaving NN-descent only the stragglers.
        treeCount = 4
        leafSize = max(4 * k, 256)
        iterations = max(5, Int((log2(Double(n))).rounded()))
    }

    /// The neighbour graph, each row sorted by distance with the point itself first.
    public func run() -> KNNGraph {
        let n = data.rows
        let dim = data.cols
        let others = k - 1
        guard n > 1, others > 0 else { return exactNearestNeighbors(data, k: k) }
        var heap = NeighborHeap(count: n, k: others)
        let forest = RandomProjectionForest(data: data, treeCount: treeCount, leafSize: max(leafSize, 2 * k), seed: seed)
        heap.withMutablePointers { h in
            data.storage.withUnsafeBufferPointer { x in
                let base = x.baseAddress!
                for tree in forest.trees { joinLeaves(tree, base: base, dim: dim, heap: h) }
                for iteration in 0..<iterations {
                    let changed = descend(iteration: iteration, base: base, dim: dim, heap: h, n: n)
                    if Float(changed) <= delta * Float(others * n) { break }
                }
                // Exact distances for the neighbours kept, then nearest first.
                ComputeThreads.parallelChunks(n, minimumChunk: 512) { rows in
                    for r in rows {
                        for j in 0..<others {
                            let id = Int(h.ids[r * others + j])
                            h.distances[r * others + j] = id < 0 ? .infinity
                                : SquaredDistances.between(base + r * dim, base + id * dim, dim: dim).squareRoot()
                        }
                        h.sortRow(r)
                    }
                }
            }
        }
        var indices = [Int32](repeating: -1, count: n * k)
        var distances = [Float](repeating: .infinity, count: n * k)
        for r in 0..<n {
            indices[r * k] = Int32(r)
            distances[r * k] = 0
            for j in 0..<others {
                indices[r * k + 1 + j] = heap.ids[r * others + j]
                distances[r * k + 1 + j] = heap.distances[r * others + j]
            }
        }
        return KNNGraph(count: n, k: k, indices: indices, distances: distances)
    }

    /// Every pair within each leaf of `tree` (pynndescent's `init_rp_tree`). A tree's leaves hold
    /// disjoint points, so they are searched in parallel without touching the same heap.
    private func joinLeaves(_ tree: RandomProjectionForest.Tree, base: UnsafePointer<Float>, dim: Int, heap: HeapPointers) {
        let leaves = tree.leafStart.count - 1
        let largest = zip(tree.leafStart.dropFirst(), tree.leafStart).map { $0 - $1 }.max() ?? 0
        tree.order.withUnsafeBufferPointer { order in
            tree.leafStart.withUnsafeBufferPointer { leafStart in
                ComputeThreads.parallelChunks(leaves, minimumChunk: 4) { range in
                    let gathered = UnsafeMutablePointer<Float>.allocate(capacity: largest * dim)
                    let distances = UnsafeMutablePointer<Float>.allocate(capacity: largest * largest)
                    defer {
                        gathered.deallocate()
                        distances.deallocate()
                    }
                    for leaf in range {
                        let lo = leafStart[leaf]
                        let size = leafStart[leaf + 1] - lo
                        let members = order.baseAddress! + lo
                        for i in 0..<size { (gathered + i * dim).update(from: base + Int(members[i]) * dim, count: dim) }
                        SquaredDistances.within(rows: gathered, count: size, dim: dim, into: distances)
                        for i in 0..<size {
                            let p = Int(members[i])
                            for j in (i + 1)..<max(i + 1, size) {
                                let d = distances[i * size + j]
                                let q = Int(members[j])
                                if d < heap.threshold(p) { heap.push(p, d, members[j], flag: 1) }
                                if d < heap.threshold(q) { heap.push(q, d, members[i], flag: 1) }
                            }
                        }
                    }
                }
            }
        }
    }
}

