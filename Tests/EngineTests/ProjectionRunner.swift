import Engine
import Foundation
import Numerics
import Store

/// A small real runner for scheduler tests: "UMAP" stores the layer's first two columns as the
/// layout (through the store's write protocol), "SVCCA" stores each label's mean of column 0 over
/// its first class. Jobs can be held (they wait, checking for cancellation) or made to fail.
final class ProjectionRunner: JobRunner, @unchecked Sendable {
    let kinds: Set<JobKind>
    private let lock = NSLock()
    private var held: Set<JobKey> = []
    private var failing: Set<JobKey> = []
    private(set) var started: [JobKey] = []

    init(kinds: Set<JobKind> = [.umap, .svcca]) {
        self.kinds = kinds
    }

    func hold(_ key: JobKey) { locked { held.insert(key) } }
    func release(_ key: JobKey) { locked { held.remove(key) } }
    func fail(_ key: JobKey) { locked { failing.insert(key) } }
    var startedJobs: [JobKey] { locked { started } }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    func isStored(_ key: JobKey, in store: EmbeddingStore) throws -> Bool {
        switch key.kind {
        case .umap: return try store.arrays(model: key.model, kind: .umap).contains { $0.layer == key.layer }
        default: return try store.analyses(model: key.model, kind: key.kind.rawValue).contains { $0.layer == key.layer }
        }
    }

    func run(_ key: JobKey, in store: EmbeddingStore, context: JobContext) throws {
        locked { started.append(key) }
        while locked({ held.contains(key) }) {
            try context.checkCancelled()
            usleep(1000)
        }
        context.report(0.5, "half way")
        if locked({ failing.contains(key) }) { throw StoreError("test", "planted failure") }
        let layer = try store.layer(model: key.model, layer: key.layer).view.matrix(rows: 0..<(try store.tokenCount()))
        try context.checkCancelled()
        switch key.kind {
        case .umap:
            var layout = Matrix<Float>(rows: layer.rows, cols: 2)
            for r in 0..<layer.rows {
                layout[r, 0] = layer[r, 0]
                layout[r, 1] = layer[r, 1]
            }
            context.publish(layout: layout.storage, fraction: 0.9)
            try store.withWriteLock {
                let target = try store.newArrayPath(model: key.model, name: String(format: "umap-L%02d.npy", key.layer))
                try AtomicNpyWriter.write(layout, as: .float32, to: target.url)
                let header = 64 + layout.rows * 2 * 4
                try store.register(model: nil, arrays: [
                    ArrayRecord(model: key.model, kind: .umap, layer: key.layer, path: target.relative, dtype: .float32,
                                rows: layout.rows, cols: 2, bytes: header),
                ])
            }
        default:
            let tokens = try store.tokens()
            let records = tokens.labels.map { label -> AnalysisRecord in
                let rows = (0..<tokens.count).filter { label.codes[$0] == 0 }
                let mean = rows.map { Double(layer[$0, 0]) }.reduce(0, +) / Double(max(rows.count, 1))
                return AnalysisRecord(model: key.model, kind: key.kind.rawValue, layer: key.layer, label: label.name,
                                      params: "{}", inputs: "test", result: "{\"value\": \(mean)}")
            }
            try store.withWriteLock { try store.saveAnalyses(records) }
        }
    }

    /// What the SVCCA stand-in stores for `label` at a layer: the mean of column 0 over class 0.
    static func expectedMean(_ matrix: Matrix<Float>, codes: [Int32]) -> Double {
        let rows = codes.indices.filter { codes[$0] == 0 }
        return rows.map { Double(matrix[$0, 0]) }.reduce(0, +) / Double(rows.count)
    }
}

/// Collects engine events from the engine's thread and waits for conditions on them.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [EngineEvent] = []

    func append(_ event: EngineEvent) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    var all: [EngineEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }

    /// Jobs in the order they finished.
    var finished: [JobKey] { all.compactMap { if case .finished(let key) = $0 { key } else { nil } } }
    var cancelled: [JobKey] { all.compactMap { if case .cancelled(let key) = $0 { key } else { nil } } }

    /// Waits up to `seconds` for `condition`; returns whether it came true.
    @discardableResult
    func wait(seconds: Double = 10, until condition: (EventLog) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(self) { return true }
            usleep(2000)
        }
        return condition(self)
    }
}
