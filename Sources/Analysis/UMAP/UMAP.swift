import Dispatch
import Numerics

/// A UMAP layout of one matrix of features (McInnes, Healy & Melville 2018), step by step as
/// umap-learn's `UMAP.fit`: `nearestNeighbors` → `fuzzySimplicialSet` (`smoothKNNDist`,
/// `computeMembershipStrengths`, fuzzy union) → pruning by `makeEpochsPerSample` → `spectralLayout`
/// (or a given layout) → `LayoutOptimizer` (`optimize_layout_euclidean`) with `findABParams`'s curve.
public struct UMAP: Sendable {
    public var parameters: UMAPParameters
    /// Epochs between two published frames.
    public var frameInterval: Int
    /// Threads for the optimisation (the result depends on the seed and on this count).
    public var threads: Int

    public init(parameters: UMAPParameters = UMAPParameters(), frameInterval: Int = 10,
                threads: Int = ComputeThreads.count) {
        self.parameters = parameters
        self.frameInterval = max(1, frameInterval)
        self.threads = max(1, threads)
    }

    /// How a run started its layout.
    public enum Initialization: String, Sendable, Codable {
        case spectral
        /// The eigensolver failed and umap-learn's fallback, uniform random coordinates, was used.
        case random
        /// The caller's layout (a neighbouring layer's, for aligned layouts).
        case given
    }

    /// A finished layout and what it took.
    public struct Result: Sendable {
        /// points × 2.
        public let embedding: Matrix<Float>
        public let initialization: Initialization
        public let epochs: Int
        public let a: Double
        public let b: Double
        /// Seconds per step: neighbors, fuzzy_simplicial_set, initialization, optimize_layout.
        public let seconds: [String: Double]
        /// The neighbour graph, for quality measures.
        public let neighbors: KNNGraph
    }

    /// Lays out `data` (points × features). `initialLayout` (points × 2) replaces the spectral
    /// initialisation. `progress` receives a frame before the neighbours are searched, after the
    /// initialisation, every `frameInterval` epochs and at the end; `isCancelled` is asked between
    /// steps and between epochs, and a true answer ends the run with `UMAPError.cancelled`.
    public func fit(_ data: Matrix<Float>, initialLayout: Matrix<Float>? = nil,
                    progress: ((UMAPFrame) -> Void)? = nil,
                    isCancelled: () -> Bool = { false }) throws -> Result {
        let n = data.rows
        let nonfinite = data.storage.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { FiniteCheck.nonfiniteRows($0, rows: n, cols: data.cols) } ?? 0
        }
        if nonfinite > 0, let index = data.storage.firstIndex(where: { !$0.isFinite }) {
            throw UMAPError.nonFinite(row: index / max(data.cols, 1))
        }
        if let initialLayout, initialLayout.cols != 2 || initialLayout.rows != n {
            throw UMAPError.notTwoDimensional(columns: initialLayout.cols)
        }
        let p = parameters
        let nEpochs = p.epochs(points: n)
        var seconds: [String: Double] = [:]
        func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let start = DispatchTime.now().uptimeNanoseconds
            defer { seconds[name] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
            return try body()
        }
        if let progress {
            // Something to draw at once: the given layout as it is, or the first two features.
            let preview = initialLayout ?? rescaledToBox(Matrix(rows: n, cols: 2, storage: (0..<n).flatMap { r in
                (0..<2).map { c in c < data.cols ? data[r, c] : 0 }
            }))
            progress(UMAPFrame(stage: .preview, epoch: 0, totalEpochs: nEpochs, coordinates: preview))
        }
        guard !isCancelled() else { throw UMAPError.cancelled }

        let k = max(1, min(p.nNeighbors, n))
        let neighbors = timed("neighbors") {
            nearestNeighbors(data, k: k, search: p.neighborSearch, exactLimit: p.exactNeighborLimit, seed: p.seed)
        }
        guard !isCancelled() else { throw UMAPError.cancelled }
        let graph = timed("fuzzy_simplicial_set") {
            pruneForEpochs(fuzzySimplicialSet(neighbors, nNeighbors: k, localConnectivity: p.localConnectivity,
                                              setOpMixRatio: p.setOpMixRatio).graph, nEpochs: nEpochs)
        }
        guard !isCancelled() else { throw UMAPError.cancelled }

        var initialization = Initialization.given
        var random = SeededRandom(seed: p.seed, stream: 0x494E_4954)
        let start: Matrix<Float> = timed("initialization") {
            if let initialLayout { return separatingDuplicates(initialLayout, random: &random) }
            let (layout, fellBack) = spectralLayout(data: data, graph: graph, dim: 2, seed: p.seed)
            initialization = fellBack ? .random : .spectral
            return noisyScaleCoords(layout, random: &random)
        }
        // The optimisation runs in the [0, 10] box (as umap-learn's); a given layout's frame is
        // restored for the frames and the result, so an aligned layer stays where its neighbour is.
        let box = BoxFrame(start)
        let restoresFrame = initialLayout != nil
        func output(_ layout: Matrix<Float>) -> Matrix<Float> { restoresFrame ? box.restore(layout) : layout }
        progress?(UMAPFrame(stage: .initialized, epoch: 0, totalEpochs: nEpochs, coordinates: output(box.apply(start))))

        let (a, b) = findABParams(spread: p.spread, minDist: p.minDist)
        let boxed = box.apply(start)
        // Threads get compact regions of the starting layout (see LocalityOrder).
        let locality = LocalityOrder(layout: boxed)
        var optimizer = LayoutOptimizer(graph: locality.permute(graph), nEpochs: nEpochs, a: a, b: b,
                                        gamma: p.repulsionStrength, initialAlpha: p.learningRate,
                                        negativeSampleRate: Double(p.negativeSampleRate), seed: p.seed, threads: threads)
        var layout = locality.permute(boxed.storage)
        try timed("optimize_layout") {
            for epoch in 0..<nEpochs {
                guard !isCancelled() else { throw UMAPError.cancelled }
                optimizer.runEpoch(epoch, embedding: &layout)
                if let progress, (epoch + 1) % frameInterval == 0, epoch + 1 < nEpochs {
                    progress(UMAPFrame(stage: .optimizing, epoch: epoch + 1, totalEpochs: nEpochs,
                                       coordinates: output(locality.restore(layout))))
                }
            }
        }
        let embedding = output(locality.restore(layout))
        progress?(UMAPFrame(stage: .finished, epoch: nEpochs, totalEpochs: nEpochs, coordinates: embedding))
        return Result(embedding: embedding, initialization: initialization, epochs: nEpochs, a: a, b: b,
                      seconds: seconds, neighbors: neighbors)
    }
}

/// umap-learn's pruning in `simplicial_set_embedding`: edges weaker than max/nEpochs would be
/// sampled less than once, so they are dropped (against max/200 when nEpochs ≤ 10).
public func pruneForEpochs(_ graph: SparseMatrix, nEpochs: Int) -> SparseMatrix {
    let largest = graph.values.max() ?? 0
    let threshold = largest / Float(nEpochs > 10 ? nEpochs : 200)
    var start = [0]
    var columns: [Int32] = []
    var values: [Float] = []
    columns.reserveCapacity(graph.nonzeroCount)
    values.reserveCapacity(graph.nonzeroCount)
    for r in 0..<graph.rows {
        for q in graph.rowStart[r]..<graph.rowStart[r + 1] where graph.values[q] >= threshold && graph.values[q] > 0 {
            columns.append(graph.columns[q])
            values.append(graph.values[q])
        }
        start.append(columns.count)
    }
    return SparseMatrix(rows: graph.rows, cols: graph.cols, rowStart: start, columns: columns, values: values)
}

/// umap-learn's `noisy_scale_coords`: scaled so the largest |coordinate| is 10, plus N(0, 10⁻⁴) noise.
func noisyScaleCoords(_ coords: Matrix<Float>, random: inout SeededRandom, maxCoord: Float = 10, noise: Double = 1e-4) -> Matrix<Float> {
    let largest = coords.storage.map(abs).max() ?? 0
    let expansion = largest > 0 ? maxCoord / largest : 1
    return Matrix(rows: coords.rows, cols: coords.cols,
                  storage: coords.storage.map { $0 * expansion + Float(random.normal() * noise) })
}

/// Each column mapped linearly onto [0, 10], as `simplicial_set_embedding` does before optimising.
func rescaledToBox(_ coords: Matrix<Float>) -> Matrix<Float> {
    BoxFrame(coords).apply(coords)
}

/// The per-column affine map of a layout onto [0, 10]², and back.
struct BoxFrame {
    var low: [Float]
    var span: [Float]

    init(_ coords: Matrix<Float>) {
        let columns = (0..<coords.cols).map { coords.column($0) }
        let low = columns.map { $0.min() ?? 0 }
        self.low = low
        span = columns.indices.map { (columns[$0].max() ?? 0) - low[$0] }
    }

    func apply(_ coords: Matrix<Float>) -> Matrix<Float> {
        var result = coords
        for r in 0..<coords.rows {
            for c in 0..<coords.cols { result[r, c] = span[c] > 0 ? 10 * (coords[r, c] - low[c]) / span[c] : 0 }
        }
        return result
    }

    func restore(_ coords: Matrix<Float>) -> Matrix<Float> {
        var result = coords
        for r in 0..<coords.rows {
            for c in 0..<coords.cols { result[r, c] = low[c] + coords[r, c] * span[c] / 10 }
        }
        return result
    }
}

/// A given initial layout with exactly repeated rows nudged apart, as umap-learn does (noise of
/// 0.1% of the typical spacing; umap-learn measures the spacing with a KD-tree, here it is the
/// side of the bounding box over √n), since coincident points cannot be told apart by the gradient.
func separatingDuplicates(_ layout: Matrix<Float>, random: inout SeededRandom) -> Matrix<Float> {
    let n = layout.rows
    let order = (0..<n).sorted { (layout[$0, 0], layout[$0, 1], $0) < (layout[$1, 0], layout[$1, 1], $1) }
    let duplicated = zip(order, order.dropFirst()).contains { layout[$0, 0] == layout[$1, 0] && layout[$0, 1] == layout[$1, 1] }
    guard duplicated else { return layout }
    let box = BoxFrame(layout)
    let spacing = Double(max(box.span[0], box.span[1])) / Double(n).squareRoot()
    return Matrix(rows: n, cols: 2, storage: layout.storage.map { $0 + Float(random.normal() * 0.001 * spacing) })
}
