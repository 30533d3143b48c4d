import Numerics

/// umap-learn's `make_epochs_per_sample`: an edge of weight w is sampled every max(w)/w epochs
/// (the strongest edge every epoch); edges of weight 0 never (−1).
public func makeEpochsPerSample(_ weights: [Float], nEpochs: Int) -> [Float] {
    let largest = weights.max() ?? 0
    return weights.map { w in
        let samples = Double(nEpochs) * Double(w) / Double(largest)
        return samples > 0 ? Float(Double(nEpochs) / samples) : -1
    }
}

/// umap-learn's `optimize_layout_euclidean` (2-D output, `move_other` on): SGD over the fuzzy
/// graph's edges, each sampled as often as its weight says, attracting its ends with the gradient
/// of log(1/(1 + a·d^(2b))) and repelling the head from `negativeSampleRate` random points per
/// sample, every gradient coordinate clipped to ±4, the learning rate falling linearly to 0.
/// The per-edge work is `LayoutEpochKernel` (C, SIMD); this type owns the schedule and threads.
///
/// Deterministic parallel scheme (umap-learn's parallel loop races and is not reproducible):
/// the points are split into one contiguous range per thread, balanced by edge count; a thread
/// walks the edges whose head is in its range, in order, with its own random stream. Points of its
/// own range it reads and moves in place, as the serial algorithm does; points of other ranges it
/// reads from a snapshot taken at the start of the epoch, and the moves it owes them (the tail's
/// half of an attraction) are queued and applied after the epoch, thread by thread in order.
/// Nothing depends on timing, so a seed and a thread count give one result; with one thread this
/// is the serial algorithm (apart from the negative samples of an edge being evaluated together).
public struct LayoutOptimizer {
    public let vertexCount: Int
    public let nEpochs: Int
    public let a: Float
    public let b: Float
    public let gamma: Float
    public let initialAlpha: Float
    public let negativeSampleRate: Float
    /// The graph's rows: the edges with head j are `rowStart[j]..<rowStart[j + 1]`.
    let rowStart: [Int]
    let tail: [Int32]
    let epochsPerSample: [Float]
    let epochsPerNegativeSample: [Float]
    var epochOfNextSample: [Float]
    var epochOfNextNegativeSample: [Float]
    /// Thread t owns points ranges[t]..<ranges[t + 1].
    let ranges: [Int]
    /// Four words of random state per thread.
    var randomState: [UInt64]
    /// Thread t queues at most one move per edge of its range, at the range's first edge onwards.
    var queueIndex: [Int32]
    var queueMove: [Float]

    /// Prepares the schedule for `graph` (already pruned of edges too weak to be sampled).
    public init(graph: SparseMatrix, nEpochs: Int, a: Double, b: Double, gamma: Double = 1, initialAlpha: Double = 1,
                negativeSampleRate: Double = 5, seed: UInt64, threads: Int = ComputeThreads.count) {
        vertexCount = graph.rows
        self.nEpochs = nEpochs
        self.a = Float(a)
        self.b = Float(b)
        self.gamma = Float(gamma)
        self.initialAlpha = Float(initialAlpha)
        self.negativeSampleRate = Float(negativeSampleRate)
        rowStart = graph.rowStart
        tail = graph.columns
        epochsPerSample = makeEpochsPerSample(graph.values, nEpochs: nEpochs)
        let rate = Float(negativeSampleRate)
        epochsPerNegativeSample = epochsPerSample.map { $0 / rate }
        epochOfNextSample = epochsPerSample
        epochOfNextNegativeSample = epochsPerNegativeSample
        let threads = max(1, min(threads, max(1, graph.rows)))
        var ranges = [0]
        let edges = graph.nonzeroCount
        var row = 0
        for t in 1..<threads {
            let target = edges * t / threads
            while row < graph.rows && graph.rowStart[row] < target { row += 1 }
            ranges.append(max(row, ranges.last!))
        }
        ranges.append(graph.rows)
        self.ranges = ranges
        randomState = (0..<threads).flatMap { t -> [UInt64] in
            var generator = SeededRandom(seed: seed, stream: 0x4C41_594F_0000 &+ UInt64(t))
            return (0..<4).map { _ in generator.next() }
        }
        queueIndex = [Int32](repeating: 0, count: max(edges, 1))
        queueMove = [Float](repeating: 0, count: max(2 * edges, 2))
    }

    /// The learning rate during epoch `n`.
    public func alpha(epoch n: Int) -> Float {
        initialAlpha * (1 - Float(n) / Float(nEpochs))
    }

    /// Runs epoch `n` (0-based) on `embedding` (vertexCount × 2, row-major).
    public mutating func runEpoch(_ n: Int, embedding: inout [Float]) {
        precondition(embedding.count == vertexCount * 2, "the layout must be points × 2")
        let snapshot = embedding
        let threads = ranges.count - 1
        var queued = [Int](repeating: 0, count: threads)
        let alpha = self.alpha(epoch: n)
        let (a, b, gamma, count, ranges) = (self.a, self.b, self.gamma, vertexCount, self.ranges)
        embedding.withUnsafeMutableBufferPointer { embeddingBuffer in
        snapshot.withUnsafeBufferPointer { snapshotBuffer in
        rowStart.withUnsafeBufferPointer { rowStartBuffer in
        tail.withUnsafeBufferPointer { tailBuffer in
        epochsPerSample.withUnsafeBufferPointer { epsBuffer in
        epochsPerNegativeSample.withUnsafeBufferPointer { epnsBuffer in
        epochOfNextSample.withUnsafeMutableBufferPointer { eonsBuffer in
        epochOfNextNegativeSample.withUnsafeMutableBufferPointer { eonnsBuffer in
        randomState.withUnsafeMutableBufferPointer { randomBuffer in
        queueIndex.withUnsafeMutableBufferPointer { queueIndexBuffer in
        queueMove.withUnsafeMutableBufferPointer { queueMoveBuffer in
        queued.withUnsafeMutableBufferPointer { queuedBuffer in
            let live = SendablePointer(embeddingBuffer.baseAddress!)
            let queuedOut = SendablePointer(queuedBuffer.baseAddress!)
            let queueIndex = SendablePointer(queueIndexBuffer.baseAddress!)
            let queueMove = SendablePointer(queueMoveBuffer.baseAddress!)
            let random = SendablePointer(randomBuffer.baseAddress!)
            let eons = SendablePointer(eonsBuffer.baseAddress!), eonns = SendablePointer(eonnsBuffer.baseAddress!)
            let rowStart = rowStartBuffer.baseAddress!
            ComputeThreads.parallelFor(threads) { t in
                let firstEdge = rowStart[ranges[t]]
                queuedOut.pointer[t] = LayoutEpochKernel.run(LayoutEpochKernel.Arguments(
                    rowStart: rowStart, tail: tailBuffer.baseAddress!, epochsPerSample: epsBuffer.baseAddress!,
                    epochsPerNegativeSample: epnsBuffer.baseAddress!, epochOfNextSample: eons.pointer,
                    epochOfNextNegativeSample: eonns.pointer, live: live.pointer, frozen: snapshotBuffer.baseAddress!,
                    range: ranges[t]..<ranges[t + 1], vertexCount: count, a: a, b: b, gamma: gamma, alpha: alpha,
                    epoch: Float(n), random: random.pointer + 4 * t, queueIndex: queueIndex.pointer + firstEdge,
                    queueMove: queueMove.pointer + 2 * firstEdge))
            }
            guard threads > 1 else { return }
            // The moves owed to other threads' points, in thread order, each thread applying its own.
            ComputeThreads.parallelFor(threads) { owner in
                let lo = Int32(ranges[owner]), hi = Int32(ranges[owner + 1])
                for t in 0..<threads {
                    let firstEdge = rowStart[ranges[t]]
                    for i in firstEdge..<(firstEdge + queuedOut.pointer[t]) {
                        let point = queueIndex.pointer[i]
                        if point >= lo && point < hi {
                            live.pointer[2 * Int(point)] += queueMove.pointer[2 * i]
                            live.pointer[2 * Int(point) + 1] += queueMove.pointer[2 * i + 1]
                        }
                    }
                }
            }
        }}}}}}}}}}}}
    }
}
