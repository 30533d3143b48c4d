import Analysis
import Engine
import Foundation
import Store

/// Reads what the explorer shows from a store: tokens and models at start, then layouts, results
/// and framewise predictions on demand. Never touches a layer array.
public final class StoreLoader: @unchecked Sendable {
    public let store: EmbeddingStore
    /// F0 tracks of utterances whose audio the store records.
    public let pitch: PitchSource
    private var framesArrays: [String: MappedArray] = [:]
    private var nextLayoutID = 1
    private let lock = NSLock()

    public init(store: EmbeddingStore, pitch: PitchSource? = nil) {
        self.store = store
        self.pitch = pitch ?? PitchSource(store: store)
    }

    /// The token table and labels, with per-utterance indexes.
    public func snapshot(displayName: String) throws -> StoreSnapshot {
        let meta = try store.meta()
        let hasAudio = try store.utteranceSources().contains { $0.audio != nil }
        return StoreSnapshot(storeName: displayName, simulated: meta["simulated"] == "true", tokens: try store.tokens(),
                             hasAudio: hasAudio)
    }

    /// The models with their present layers, stored layouts and task heads.
    public func models() throws -> [ModelInfo] {
        let arrays = try store.arrays()
        return try store.models().map { model in
            let mine = arrays.filter { $0.model == model.name }
            let tasks = try store.tasks(model: model.name).map {
                TaskInfo(name: $0.task, classes: $0.classNames, probabilities: $0.valueKind == .probabilities)
            }
            return ModelInfo(name: model.name, layerCount: model.layerCount,
                             presentLayers: Set(mine.filter { $0.kind == .layer }.map(\.layer)),
                             umapLayers: Set(mine.filter { $0.kind == .umap }.map(\.layer)), tasks: tasks)
        }
    }

    /// Stored SVCCA, probe or clusters (NMI) results of a model.
    public func results(model: String, metric: Metric) throws -> LayerScores {
        try ResultsReader.scores(in: store, model: model, kind: metric.jobKind)
    }

    /// The stored clustering of a layer compared with a label: the cluster id of every token and the
    /// per-cluster legend (docs/CLUSTERS.md).
    public func clustering(_ key: ClusterKey, tokens: Int) throws -> Clustering {
        guard case .success(let result)? = try StoredClusters.result(in: store, model: key.model, layer: key.layer, label: key.label),
              let ids = try StoredClusters.assignments(in: store, model: key.model, layer: key.layer, k: result.k) else {
            throw StoreError(store.url, "model '\(key.model)' has no clustering of layer \(key.layer) for label '\(key.label)'")
        }
        guard ids.count == tokens else {
            throw StoreError(store.url, "the clustering of layer \(key.layer) has \(ids.count) ids for \(tokens) tokens")
        }
        return Clustering(ids: ids, result: result, id: makeLayoutID())
    }

    /// A fresh layout identity.
    public func makeLayoutID() -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextLayoutID += 1
        return nextLayoutID
    }

    /// The stored UMAP layout of a layer (tokens × 2, float32 or float16).
    public func layout(_ key: LayoutKey, tokens: Int) throws -> Layout {
        guard let record = try store.arrays(model: key.model, kind: .umap).first(where: { $0.layer == key.layer }) else {
            throw StoreError(store.url, "model '\(key.model)' has no UMAP layout for layer \(key.layer)")
        }
        let array = try store.open(record)
        guard array.cols == 2, array.rows == tokens else {
            throw StoreError(store.url.appendingPathComponent(record.path), "is \(array.rows)×\(array.cols); a layout must be \(tokens)×2")
        }
        let points = array.view.matrix(rows: 0..<array.rows).storage
        return Layout(interleaved: points, progress: 1, id: makeLayoutID())
    }

    /// The framewise predictions of `model` for one utterance (argmax and its probability per
    /// frame) and, when the store records its audio, its F0 on the same frames.
    public func utterance(_ index: Int, name: String, model: ModelInfo, withPitch: Bool = false) -> UtteranceDetail {
        var detail = predictions(index, name: name, model: model)
        guard withPitch else { return detail }
        switch pitch.track(utterance: name, frameCount: detail.frameCount > 0 ? detail.frameCount : nil) {
        case .track(let f0): detail.pitch = f0
        case .unavailable(let why): detail.pitchNote = why
        }
        return detail
    }

    private func predictions(_ index: Int, name: String, model: ModelInfo) -> UtteranceDetail {
        guard !model.tasks.isEmpty else {
            return UtteranceDetail(utterance: index, model: model.name, tasks: [],
                                   note: "no framewise predictions for model \(model.name) in this store")
        }
        var tasks: [TaskFrames] = []
        var problems: [String] = []
        for task in model.tasks {
            do {
                guard let range = try store.frameRange(model: model.name, task: task.name, utterance: name) else { continue }
                let array = try framesArray(model: model.name, task: task.name)
                guard range.firstRow >= 0, range.firstRow + range.rowCount <= array.rows, array.cols == task.classes.count else {
                    problems.append("\(task.name): frames out of range")
                    continue
                }
                let values = array.view.matrix(rows: range.firstRow..<(range.firstRow + range.rowCount))
                tasks.append(Self.decode(task: task, values: values.storage, frames: range.rowCount))
            } catch {
                problems.append("\(error)")
            }
        }
        if tasks.isEmpty {
            let note = problems.first ?? "no framewise predictions of model \(model.name) for utterance \(name)"
            return UtteranceDetail(utterance: index, model: model.name, tasks: [], note: note)
        }
        return UtteranceDetail(utterance: index, model: model.name, tasks: tasks)
    }

    private func framesArray(model: String, task: String) throws -> MappedArray {
        let key = "\(model)/\(task)"
        if let known = framesArrays[key] { return known }
        guard let record = try store.arrays(model: model, kind: .frames).first(where: { $0.task == task }) else {
            throw StoreError(store.url, "model '\(model)' has no frames for task \(task)")
        }
        let array = try store.open(record)
        framesArrays[key] = array
        return array
    }

    /// Argmax per frame and its probability (softmax when the values are logits).
    static func decode(task: TaskInfo, values: [Float], frames: Int) -> TaskFrames {
        let classes = task.classes.count
        var argmax = [Int32](repeating: 0, count: frames)
        var confidence = [Float](repeating: 0, count: frames)
        for f in 0..<frames {
            var best = 0
            for c in 1..<max(classes, 1) where values[f * classes + c] > values[f * classes + best] { best = c }
            argmax[f] = Int32(best)
            if task.probabilities {
                confidence[f] = values[f * classes + best]
            } else {
                let top = values[f * classes + best]
                var sum: Float = 0
                for c in 0..<classes { sum += exp(values[f * classes + c] - top) }
                confidence[f] = 1 / sum
            }
        }
        return TaskFrames(task: task.name, classes: task.classes, argmax: argmax, confidence: confidence)
    }
}
