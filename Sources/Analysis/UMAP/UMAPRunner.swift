import Foundation
import Numerics
import Store

/// Computes the UMAP layouts of a store's layers on their PCA features, writes each as
/// `arrays/<model>/umap-L07.npy` (float32, tokens × 2) with its parameters in the array record,
/// and reuses a stored layout while those parameters and the layer it came from still match.
/// The engine calls `layout(...)` (or `events(...)` for frames while it runs); `layerscope analyze
/// --umap` calls it for each layer.
public struct UMAPRunner: Sendable {
    public let store: EmbeddingStore
    public var parameters: UMAPParameters
    /// PCA components the layout is computed on (DESIGN.md: k = 100).
    public var pcaComponents: Int
    public var frameInterval: Int
    public var threads: Int
    /// Tokens sampled to measure the stored layout's trustworthiness (15 neighbours; O(n²)).
    public var trustworthinessSample: Int
    /// The features of a layer: its PCA projection to `pcaComponents` dimensions.
    public var features: @Sendable (MatrixView, Int) throws -> Matrix<Float>

    public init(store: EmbeddingStore, parameters: UMAPParameters = UMAPParameters(), pcaComponents: Int = 100,
                frameInterval: Int = 10, threads: Int = ComputeThreads.count, trustworthinessSample: Int = 2_000,
                features: @escaping @Sendable (MatrixView, Int) throws -> Matrix<Float> = UMAPRunner.pcaFeatures) {
        self.store = store
        self.parameters = parameters
        self.pcaComponents = pcaComponents
        self.frameInterval = frameInterval
        self.threads = threads
        self.trustworthinessSample = trustworthinessSample
        self.features = features
    }

    /// What a stored layout was made from (its record's `params`, as JSON) and how good it is.
    public struct Provenance: Codable, Equatable, Sendable {
        /// Bumped when the computation changes, so older layouts are recomputed.
        public var version = Self.currentVersion
        public var nNeighbors: Int
        public var minDist: Double
        public var spread: Double
        public var epochs: Int
        public var learningRate: Double
        public var negativeSampleRate: Int
        public var repulsionStrength: Double
        public var seed: UInt64
        public var pca: Int
        /// The layer whose layout this one started from, or nil for a spectral start.
        public var alignedTo: Int?
        /// The layer array (and, when aligned, the neighbour layout) it was computed from.
        public var input: String
        // Outcome, not matched on reuse:
        public var threads: Int
        public var initialization: String
        public var trustworthiness: Double?
        public var seconds: Double

        public static let currentVersion = 1

        enum CodingKeys: String, CodingKey {
            case version, nNeighbors = "n_neighbors", minDist = "min_dist", spread, epochs
            case learningRate = "learning_rate", negativeSampleRate = "negative_sample_rate"
            case repulsionStrength = "repulsion_strength", seed, pca, alignedTo = "aligned_to", input, threads
            case initialization, trustworthiness, seconds
        }

        /// Whether a layout with this provenance answers a request with `other`'s settings and inputs.
        public func matches(_ other: Provenance) -> Bool {
            version == other.version && nNeighbors == other.nNeighbors && minDist == other.minDist
                && spread == other.spread && epochs == other.epochs && learningRate == other.learningRate
                && negativeSampleRate == other.negativeSampleRate && repulsionStrength == other.repulsionStrength
                && seed == other.seed && pca == other.pca && alignedTo == other.alignedTo && input == other.input
        }
    }

    /// A layout, fresh or reused.
    public struct Outcome: Sendable {
        public let model: String
        public let layer: Int
        /// Path relative to the store folder.
        public let path: String
        public let layout: Matrix<Float>
        public let reused: Bool
        public let provenance: Provenance
    }

    /// What `events` publishes: frames while a layout is computed, then the stored outcome.
    public enum Event: Sendable {
        case frame(UMAPFrame)
        case stored(Outcome)
    }

    /// The stored layout of (model, layer) and its provenance, if there is one.
    public func stored(model: String, layer: Int) throws -> (record: ArrayRecord, provenance: Provenance?)? {
        guard let record = try store.arrays(model: model, kind: .umap).first(where: { $0.layer == layer }) else { return nil }
        let provenance = record.params.flatMap { try? JSONDecoder().decode(Provenance.self, from: Data($0.utf8)) }
        return (record, provenance)
    }

    /// The layout of `layer`, reused when stored with matching parameters (unless `force`), else
    /// computed (from `alignTo`'s stored layout when given, so clusters stay in place between
    /// layers), written and registered. `progress` and `isCancelled` are as in `UMAP.fit`.
    public func layout(model: String, layer: Int, alignTo: Int? = nil, force: Bool = false,
                       progress: ((UMAPFrame) -> Void)? = nil, isCancelled: () -> Bool = { false }) throws -> Outcome {
        let layerRecord = try layerRecord(model: model, layer: layer)
        var neighbor: (record: ArrayRecord, layout: Matrix<Float>)?
        if let alignTo {
            guard let (record, _) = try stored(model: model, layer: alignTo) else {
                throw StoreError(store.url, "model '\(model)' has no UMAP layout of layer \(alignTo) to align layer \(layer) to")
            }
            let mapped = try store.open(record)
            neighbor = (record, mapped.view.matrix(rows: 0..<mapped.rows))
        }
        var request = provenance(layer: layerRecord, neighbor: neighbor?.record, alignTo: alignTo)
        if !force, let (record, existing) = try stored(model: model, layer: layer), let existing, existing.matches(request) {
            let mapped = try store.open(record)
            return Outcome(model: model, layer: layer, path: record.path, layout: mapped.view.matrix(rows: 0..<mapped.rows),
                           reused: true, provenance: existing)
        }
        let mapped = try store.open(layerRecord)
        let data = try features(mapped.view, pcaComponents)
        guard !isCancelled() else { throw UMAPError.cancelled }
        let umap = UMAP(parameters: parameters, frameInterval: frameInterval, threads: threads)
        let start = Date()
        let result = try umap.fit(data, initialLayout: neighbor?.layout, progress: progress, isCancelled: isCancelled)
        request.seconds = Date().timeIntervalSince(start)
        request.initialization = result.initialization.rawValue
        request.trustworthiness = sampledTrustworthiness(data, result.embedding)
        let path = try write(result.embedding, model: model, layer: layer, provenance: request)
        return Outcome(model: model, layer: layer, path: path, layout: result.embedding, reused: false, provenance: request)
    }

    /// `layout(...)` on a background queue, as an async sequence of frames ending with the stored
    /// outcome; leaving the sequence early cancels the computation at its next check.
    public func events(model: String, layer: Int, alignTo: Int? = nil) -> AsyncThrowingStream<Event, Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingNewest(3)) { continuation in
            let cancellation = UMAPCancellation()
            continuation.onTermination = { _ in cancellation.cancel() }
            let runner = self
            DispatchQueue.global(qos: .userInitiated).async {
                do {
                    let outcome = try runner.layout(model: model, layer: layer, alignTo: alignTo,
                                                    progress: { continuation.yield(.frame($0)) },
                                                    isCancelled: { cancellation.isCancelled })
                    continuation.yield(.stored(outcome))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
        }
    }

    private func layerRecord(model: String, layer: Int) throws -> ArrayRecord {
        _ = try store.model(named: model)
        guard let record = try store.arrays(model: model, kind: .layer).first(where: { $0.layer == layer }) else {
            throw StoreError(store.url, "model '\(model)' has no layer \(layer) in this store")
        }
        return record
    }

    private func provenance(layer: ArrayRecord, neighbor: ArrayRecord?, alignTo: Int?) -> Provenance {
        var input = "layer=\(layer.path)|\(layer.bytes)|\(layer.createdAt)|\(layer.rows)x\(layer.cols)|\(layer.dtype.rawValue)"
        if let neighbor { input += ";start=\(neighbor.path)|\(neighbor.createdAt)" }
        let p = parameters
        return Provenance(nNeighbors: p.nNeighbors, minDist: p.minDist, spread: p.spread, epochs: p.epochs(points: layer.rows),
                          learningRate: p.learningRate, negativeSampleRate: p.negativeSampleRate,
                          repulsionStrength: p.repulsionStrength, seed: p.seed, pca: pcaComponents, alignedTo: alignTo,
                          input: input, threads: threads, initialization: "", trustworthiness: nil, seconds: 0)
    }

    private func sampledTrustworthiness(_ data: Matrix<Float>, _ layout: Matrix<Float>) -> Double? {
        let n = data.rows
        guard n > 2 * 15 + 1 else { return nil }
        var rows = Array(0..<n)
        if n > trustworthinessSample {
            var random = SeededRandom(seed: parameters.seed, stream: 0x5452_5553)
            for i in 0..<trustworthinessSample { rows.swapAt(i, i + random.index(below: n - i)) }
            rows = Array(rows[0..<trustworthinessSample]).sorted()
        }
        let sampled = Matrix(rows: rows.count, cols: data.cols, storage: rows.flatMap { Array(data.row($0)) })
        let sampledLayout = Matrix(rows: rows.count, cols: 2, storage: rows.flatMap { Array(layout.row($0)) })
        let value = trustworthiness(original: sampled, embedded: sampledLayout, nNeighbors: 15)
        return value.isFinite ? value : nil
    }

    /// Writes the layout atomically and registers it; a replaced layout's file goes after the commit.
    private func write(_ layout: Matrix<Float>, model: String, layer: Int, provenance: Provenance) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let params = String(decoding: try encoder.encode(provenance), as: UTF8.self)
        return try store.withWriteLock {
            let target = try store.newArrayPath(model: model, name: String(format: "umap-L%02d.npy", layer))
            try AtomicNpyWriter.write(layout, as: .float32, to: target.url)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: target.url.path)[.size] as? Int) ?? 0
            do {
                try store.register(model: nil, arrays: [ArrayRecord(model: model, kind: .umap, layer: layer, path: target.relative,
                                                                    dtype: .float32, rows: layout.rows, cols: 2,
                                                                    bytes: bytes, params: params)])
            } catch {
                try? FileManager.default.removeItem(at: target.url)
                throw error
            }
            return target.relative
        }
    }
}

extension UMAPRunner {
    /// The default features: the layer's PCA projection (`PCA.fitTransform`, k capped as PCA caps it).
    public static let pcaFeatures: @Sendable (MatrixView, Int) throws -> Matrix<Float> = { view, components in
        try PCA.fitTransform(view, components: components).features
    }
}
