import Foundation
import GRDB
import Numerics

/// Everything `layerscope info` reports about a store; its JSON form is the stable `info --json`.
public struct StoreInfo: Codable, Sendable {
    public struct Label: Codable, Sendable {
        public var name: String
        /// Tokens per class, in natural class order.
        public var classes: [ClassCount]
        /// Tokens with no value for this label.
        public var missing: Int
    }

    public struct ClassCount: Codable, Sendable {
        public var name: String
        public var count: Int
    }

    public struct Layers: Codable, Sendable {
        public var total: Int
        public var present: [Int]
        public var missing: [Int]
    }

    public struct Task: Codable, Sendable {
        public var name: String
        public var classes: [String]
        public var values: String
        public var utterances: Int
    }

    public struct Model: Codable, Sendable {
        public var name: String
        public var dim: Int
        public var dtype: String
        public var layers: Layers
        public var tasks: [Task]
        public var checkpoint: String?
    }

    public struct Analysis: Codable, Sendable {
        public var model: String
        public var kind: String
        public var layers: [Int]
        public var labels: [String]
    }

    public struct Bytes: Codable, Sendable {
        public var total: Int
        public var arrays: Int
        public var metadata: Int
    }

    public var store: String
    public var formatVersion: Int
    public var simulated: Bool
    public var tokens: Int
    public var utterances: Int
    public var speakers: Int
    public var labels: [Label]
    public var models: [Model]
    public var analyses: [Analysis]
    public var bytes: Bytes

    enum CodingKeys: String, CodingKey {
        case store, formatVersion = "format_version", simulated, tokens, utterances, speakers, labels, models, analyses, bytes
    }

    /// Gathers the report for the store at `url`.
    public static func read(_ url: URL) throws -> StoreInfo {
        let store = try EmbeddingStore(opening: url)
        let meta = try store.meta()
        let tokens = try store.tokens()
        let labels = tokens.labels.map { column in
            Label(name: column.name, classes: zip(column.classes, column.counts).map { ClassCount(name: $0, count: $1) },
                  missing: column.missingCount)
        }
        var models: [Model] = []
        for model in try store.models() {
            let present = try store.presentLayers(model: model.name)
            let missing = (0..<model.layerCount).filter { !present.contains($0) }
            let tasks = try store.tasks(model: model.name).map { task in
                Task(name: task.task, classes: task.classNames, values: task.valueKind.rawValue,
                     utterances: (try? store.frameRangeCount(model: model.name, task: task.task)) ?? 0)
            }
            models.append(Model(name: model.name, dim: model.dim, dtype: model.dtype.rawValue,
                                layers: Layers(total: model.layerCount, present: present, missing: missing),
                                tasks: tasks, checkpoint: model.checkpoint))
        }
        var analyses: [Analysis] = []
        for record in try store.analyses() {
            if let index = analyses.firstIndex(where: { $0.model == record.model && $0.kind == record.kind }) {
                if !analyses[index].layers.contains(record.layer) { analyses[index].layers.append(record.layer) }
                if !record.label.isEmpty && !analyses[index].labels.contains(record.label) { analyses[index].labels.append(record.label) }
            } else {
                analyses.append(Analysis(model: record.model, kind: record.kind, layers: [record.layer],
                                         labels: record.label.isEmpty ? [] : [record.label]))
            }
        }
        for record in try store.arrays(kind: .umap) {
            if let index = analyses.firstIndex(where: { $0.model == record.model && $0.kind == "umap" }) {
                if !analyses[index].layers.contains(record.layer) { analyses[index].layers.append(record.layer) }
            } else {
                analyses.append(Analysis(model: record.model, kind: "umap", layers: [record.layer], labels: []))
            }
        }
        for i in analyses.indices { analyses[i].layers.sort() }
        let disk = store.bytesOnDisk()
        return StoreInfo(store: url.path, formatVersion: Int(meta["format_version"] ?? "") ?? 0,
                         simulated: meta["simulated"] == "true", tokens: tokens.count,
                         utterances: tokens.utterances.count, speakers: tokens.speakers.count, labels: labels,
                         models: models, analyses: analyses,
                         bytes: Bytes(total: disk.total, arrays: disk.arrays, metadata: disk.total - disk.arrays))
    }

    /// The stable JSON form.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The report as a person reads it.
    public func text() -> String {
        var lines: [String] = []
        lines.append("store       \(store)\(simulated ? "   (SIMULATED sample data)" : "")")
        lines.append("format      \(formatVersion)")
        lines.append("tokens      \(tokens) in \(utterances) utterances from \(speakers) speakers")
        lines.append("on disk     \(Self.bytes(bytes.total)) (arrays \(Self.bytes(bytes.arrays)))")
        lines.append("")
        lines.append("labels")
        for label in labels {
            let classes = label.classes.map { "\($0.name) \($0.count)" }.joined(separator: ", ")
            let missing = label.missing > 0 ? "; \(label.missing) without a value" : ""
            lines.append("  \(label.name) (\(label.classes.count) classes\(missing)): \(classes)")
        }
        lines.append("")
        lines.append("models")
        if models.isEmpty { lines.append("  none") }
        for model in models {
            lines.append("  \(model.name): \(model.dim) dims, \(model.dtype), layers \(Self.ranges(model.layers.present)) of 0-\(model.layers.total - 1)"
                + (model.layers.missing.isEmpty ? "" : "; missing \(Self.ranges(model.layers.missing))"))
            for task in model.tasks {
                lines.append("    frames \(task.name): \(task.classes.count) classes (\(task.values)), \(task.utterances) utterances")
            }
            if let checkpoint = model.checkpoint { lines.append("    checkpoint \(checkpoint)") }
        }
        lines.append("")
        lines.append("analyses")
        if analyses.isEmpty { lines.append("  none") }
        for analysis in analyses {
            let labels = analysis.labels.isEmpty ? "" : " (\(analysis.labels.joined(separator: ", ")))"
            lines.append("  \(analysis.model) \(analysis.kind): layers \(Self.ranges(analysis.layers))\(labels)")
        }
        return lines.joined(separator: "\n")
    }

    /// "0-4, 7, 9-12" for a sorted list of layers.
    static func ranges(_ values: [Int]) -> String {
        guard !values.isEmpty else { return "none" }
        var parts: [String] = []
        var start = values[0]
        var previous = values[0]
        for value in values.dropFirst() + [Int.min] {
            if value == previous + 1 { previous = value; continue }
            parts.append(start == previous ? "\(start)" : "\(start)-\(previous)")
            start = value
            previous = value
        }
        return parts.joined(separator: ", ")
    }

    /// A byte count as a person reads it: "15.2 MB".
    public static func bytes(_ count: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }
}

extension EmbeddingStore {
    /// How many utterances have frames for (`model`, `task`).
    public func frameRangeCount(model: String, task: String) throws -> Int {
        try database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM frame_ranges WHERE model = ? AND task = ?",
                             arguments: [model, task]) ?? 0
        }
    }
}
