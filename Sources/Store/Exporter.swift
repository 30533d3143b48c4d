import Foundation
import Numerics

/// What `layerscope export` was asked to do.
public struct ExportRequest: Sendable {
    public var store: URL
    public var out: URL
    public var model: String?
    public var layers: ClosedRange<Int>?

    public init(store: URL, out: URL, model: String? = nil, layers: ClosedRange<Int>? = nil) {
        self.store = store
        self.out = out
        self.model = model
        self.layers = layers
    }
}

/// What an export wrote.
public struct ExportSummary: Sendable {
    public var model: String
    public var layers: [Int]
    /// Requested layers the store does not hold.
    public var missing: [Int]
    public var tokens: Int
}

/// Writes a store back out for Python or R: `tokens.tsv` in store row order (every token column)
/// and one float32 `L<n>.npy` per layer, each file written atomically.
public enum Exporter {
    public static func run(_ request: ExportRequest) throws -> ExportSummary {
        let store = try EmbeddingStore(opening: request.store)
        let models = try store.models()
        let model: ModelRecord
        if let name = request.model {
            model = try store.model(named: name)
        } else if models.count == 1 {
            model = models[0]
        } else {
            let names = models.map(\.name).joined(separator: ", ")
            throw StoreError(request.store, models.isEmpty ? "holds no models" : "holds several models (\(names)); choose one with --model")
        }
        let present = try store.arrays(model: model.name, kind: .layer)
        let wanted = request.layers ?? 0...(max(model.layerCount, 1) - 1)
        let selected = present.filter { wanted.contains($0.layer) }
        let missing = wanted.filter { layer in !present.contains { $0.layer == layer } }
        guard !selected.isEmpty else {
            throw StoreError(request.store, "model '\(model.name)' has no layers in \(wanted.lowerBound)-\(wanted.upperBound)")
        }
        do {
            try FileManager.default.createDirectory(at: request.out, withIntermediateDirectories: true)
        } catch {
            throw StoreError(request.out, "cannot be created (\(error.localizedDescription))")
        }
        let tokens = try store.tokens()
        try writeText(tokens.tsv(), to: request.out.appendingPathComponent("tokens.tsv"))
        for record in selected {
            let array = try store.open(record)
            let target = request.out.appendingPathComponent("L\(record.layer).npy")
            let writer = try AtomicNpyWriter(destination: target, header: NpyHeader(dtype: .float32, shape: [array.rows, array.cols]))
            try array.view.forEachBlock(rows: max(1, (4 << 20) / max(array.cols, 1))) { _, block in
                try writer.append(floats: block)
            }
            try writer.commit()
        }
        return ExportSummary(model: model.name, layers: selected.map(\.layer), missing: missing, tokens: tokens.count)
    }

    /// Writes text through a temporary file and a rename, so a reader never sees half of it.
    static func writeText(_ text: String, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try Data(text.utf8).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else { throw StoreError(url, "cannot be moved into place") }
        } catch let error as StoreError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw StoreError(url, "cannot be written (\(error.localizedDescription))")
        }
    }
}
