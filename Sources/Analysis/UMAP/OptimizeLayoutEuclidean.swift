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
/// the points are split into two contiguous ranges ("streams") per thread, balanced by edge count;
/// a stream walks the edges whose head is in its range, in order, with its own random stream, and
/// a thread runs its two streams in lockstep (two independent dependency chains keep a core busy).
/// Points of its own range a stream reads and moves in place, as the serial algorithm does; points
/// of other ranges it reads from a snapshot taken at the start of the epoch, and the moves it owes
/// them (the tail's half of an attraction) are queued and applied after the epoch, stream by
/// stream in order. Nothing depends on timing, so a seed and a thread count give one result.
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
    /// Stream s owns points ranges[s]..<ranges[s + 1]; thread t runs streams 2t and 2t + 1.
    let ranges: [Int]
    /// Four words of random state per stream.
    var randomState: [UInt64]
    /// Stream s queues at most one move per edge of its range, at the range's first edge onwards.
    var queueIndex: [Int32]
    var queueMove: [Float]
    /// Room for the sampled edges of an epoch, at each thread's first edge onwards.
    var scratch: [Int]

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
        let streams = 2 * max(1, min(threads, max(1, graph.rows)))
        var ranges = [0]
        let edges = graph.nonzeroCount
        var row = 0
        for s in 1..<streams {
            let target = edges * s / streams
            while row < graph.rows && graph.rowStart[row] < target { row += 1 }
            ranges.append(max(row, ranges.last!))
        }
        ranges.append(graph.rows)
        self.ranges = ranges
        randomState = (0..<streams).flatMap { s -> [UInt64] in
            var generator = SeededRandom(seed: seed, stream: 0x4C41_594F_0000 &+ UInt64(s))
            return (0..<4).map { _ in generator.next() }
        }
        queueIndex = [Int32](repeating: 0, count: max(edges, 1))
        queueMove = [Float](repeating: 0, count: max(2 * edges, 2))
        scratch = [Int](repeating: 0, count: max(edges, 1))
    }

    /// The learning rate during epoch `n`.
    public func alpha(epoch n: Int) -> Float {
        initialAlpha * (1 - Float(n) / Float(nEpochs))
    }

    /// Runs epoch `n` (0-based) on `embedding` (vertexCount × 2, row-major).
    public mutating func runEpoch(_ n: Int, embedding: inout [Float]) {
        precondition(embedding.count == vertexCount * 2, "the layout must be points × 2")
        let snapshot = embedding
        let streams = ranges.count - 1
        var queued = [Int](repeating: 0, count: streams)
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
        scratch.withUnsafeMutableBufferPointer { scratchBuffer in
        queued.withUnsafeMutableBufferPointer { queuedBuffer in
            let live = SendablePointer(embeddingBuffer.baseAddress!)
            let queuedOut = SendablePointer(queuedBuffer.baseAddress!)
            let queueIndex = SendablePointer(queueIndexBuffer.baseAddress!)
            let queueMove = SendablePointer(queueMoveBuffer.baseAddress!)
            let random = SendablePointer(randomBuffer.baseAddress!)
            let scratch = SendablePointer(scratchBuffer.baseAddress!)
            let eons = SendablePointer(eonsBuffer.baseAddress!), eonns = SendablePointer(eonnsBuffer.baseAddress!)
            let rowStart = rowStartBuffer.baseAddress!
            ComputeThreads.parallelFor(streams / 2) { t in
                func stream(_ s: Int) -> LayoutEpochKernel.Stream {
                    let firstEdge = rowStart[ranges[s]]
                    return LayoutEpochKernel.Stream(range: ranges[s]..<ranges[s + 1], random: random.pointer + 4 * s,
                                                    queueIndex: queueIndex.pointer + firstEdge,
                                                    queueMove: queueMove.pointer + 2 * firstEdge)
                }
                let arguments = LayoutEpochKernel.Arguments(
                    rowStart: rowStart, tail: tailBuffer.baseAddress!, epochsPerSample: epsBuffer.baseAddress!,
                    epochsPerNegativeSample: epnsBuffer.baseAddress!, epochOfNextSample: eons.pointer,
                    epochOfNextNegativeSample: eonns.pointer, live: live.pointer, frozen: snapshotBuffer.baseAddress!,
                    vertexCount: count, a: a, b: b, gamma: gamma, alpha: alpha, epoch: Float(n),
                    scratch: scratch.pointer + rowStart[ranges[2 * t]])
                let (first, second) = LayoutEpochKernel.run(arguments, stream(2 * t), stream(2 * t + 1))
                queuedOut.pointer[2 * t] = first
                queuedOut.pointer[2 * t + 1] = second
            }
            // The moves owed to other streams' points, in stream order, each thread applying its own.
            ComputeThreads.parallelFor(streams / 2) { t in
                let lo = Int32(ranges[2 * t]), hi = Int32(ranges[2 * t + 2])
                for s in 0..<streams {
                    let firstEdge = rowStart[ranges[s]]
                    for i in firstEdge..<(firstEdge + queuedOut.pointer[s]) {
                        let point = queueIndex.pointer[i]
                        if point >= lo && point < hi {
                            live.pointer[2 * Int(point)] += queueMove.pointer[2 * i]
                            live.pointer[2 * Int(point) + 1] += queueMove.pointer[2 * i + 1]
                        }
                    }
                }
            }
        }}}}}}}}}}}}}
    }
}
