import Foundation
import Store

/// Shard stores opened together, checked to be parts of one extraction: the same models (name,
/// width, element type, layer count, checkpoint, settings apart from the shard), the same layers,
/// tasks and label columns, and no utterance in two of them.
struct ShardSet {
    struct Member {
        let url: URL
        let store: EmbeddingStore
        let tokens: TokenTable
        /// Token rows of each utterance: utterance index → range.
        let rows: [Range<Int>]
    }

    /// One model as every shard has it.
    struct Model {
        var record: ModelRecord
        var layers: [Int]
        var tasks: [TaskRecord]
        /// Settings with the shard removed and paths resolved, as a comparable string.
        var identity: String
        var settings: ExtractionSettings?
    }

    let shards: [Member]
    let models: [Model]
    let labelNames: [String]
    /// Every utterance, sorted by name: which shard and which utterance index there.
    let order: [(name: String, shard: Int, index: Int)]
    /// `I/N` values the shards recorded, and the shard numbers missing from 0…N−1.
    let missingShards: [Int]

    static func open(_ urls: [URL]) throws -> ShardSet {
        guard !urls.isEmpty else { throw StoreError("merge", "give at least one shard store") }
        var shards: [Member] = []
        for url in urls {
            let store = try EmbeddingStore(opening: url)
            let tokens = try store.tokens()
            var rows = [Range<Int>](repeating: 0..<0, count: tokens.utterances.count)
            var row = 0
            while row < tokens.count {
                let u = Int(tokens.utterance[row])
                let start = row
                while row < tokens.count, Int(tokens.utterance[row]) == u { row += 1 }
                guard rows[u].isEmpty else {
                    throw StoreError(url, "its tokens of utterance \(tokens.utterances[u]) are not together; only stores made by extract can be merged")
                }
                rows[u] = start..<row
            }
            shards.append(Member(url: url.standardizedFileURL, store: store, tokens: tokens, rows: rows))
        }
        let first = shards[0]
        let labelNames = first.tokens.labels.map(\.name)
        var models: [Model] = []
        for record in try first.store.models() {
            models.append(try model(record, in: first))
        }
        guard !models.isEmpty else { throw StoreError(first.url, "has no model to merge") }
        for shard in shards.dropFirst() {
            let names = shard.tokens.labels.map(\.name)
            guard names == labelNames else {
                throw StoreError(shard.url, "has label columns \(names.joined(separator: ", ")); \(first.url.lastPathComponent) has \(labelNames.joined(separator: ", "))")
            }
            let records = try shard.store.models()
            guard records.map(\.name) == models.map(\.record.name) else {
                throw StoreError(shard.url, "has models \(records.map(\.name).joined(separator: ", ")); \(first.url.lastPathComponent) has \(models.map(\.record.name).joined(separator: ", "))")
            }
            for (record, reference) in zip(records, models) {
                let other = try model(record, in: shard)
                try same(other, reference, shard: shard.url, first: first.url)
            }
        }
        var seen: [String: Int] = [:]
        var order: [(name: String, shard: Int, index: Int)] = []
        for (s, shard) in shards.enumerated() {
            for (index, name) in shard.tokens.utterances.enumerated() {
                if let other = seen[name] {
                    throw StoreError(shard.url, "utterance \(name) is also in \(shards[other].url.path); shards must not overlap")
                }
                seen[name] = s
                order.append((name, s, index))
            }
        }
        order.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return ShardSet(shards: shards, models: models, labelNames: labelNames, order: order,
                        missingShards: missing(shards, models: models))
    }

    private static func model(_ record: ModelRecord, in shard: Member) throws -> Model {
        let layers = try shard.store.presentLayers(model: record.name)
        let tasks = try shard.store.tasks(model: record.name)
        var settings = record.settings.flatMap(ExtractionSettings.decode)
        var identity = record.settings ?? ""
        if var normal = settings {
            normal.shard = nil
            normal.audio = StorePaths.resolve(normal.audio, store: shard.url).path
            normal.alignments = StorePaths.resolve(normal.alignments, store: shard.url).path
            normal.speakers = StorePaths.resolve(normal.speakers, store: shard.url).path
            identity = normal.json()
            settings = normal
        }
        var resolved = record
        resolved.checkpoint = record.checkpoint.map { StorePaths.resolve($0, store: shard.url).path }
        return Model(record: resolved, layers: layers, tasks: tasks, identity: identity, settings: settings)
    }

    private static func same(_ a: Model, _ b: Model, shard: URL, first: URL) throws {
        let name = a.record.name
        func differ(_ what: String) -> StoreError {
            StoreError(shard, "model \(name) differs from \(first.lastPathComponent)'s in its \(what); only shards of one extraction can be merged")
        }
        guard a.record.dim == b.record.dim, a.record.dtype == b.record.dtype, a.record.layerCount == b.record.layerCount else {
            throw differ("shape (\(a.record.dim) values, \(a.record.dtype.rawValue), \(a.record.layerCount) layers)")
        }
        guard a.record.checkpoint == b.record.checkpoint else { throw differ("checkpoint (\(a.record.checkpoint ?? "none"))") }
        guard a.identity == b.identity else { throw differ("settings (\(a.identity))") }
        guard a.layers == b.layers else { throw differ("layers (\(a.layers.map(String.init).joined(separator: ",")))") }
        guard a.tasks.map(\.task) == b.tasks.map(\.task), a.tasks.map(\.classes) == b.tasks.map(\.classes),
              a.tasks.map(\.valueKind) == b.tasks.map(\.valueKind) else { throw differ("task heads") }
    }

    /// Shard numbers of 0…N−1 that no given store is, when the stores recorded `I/N`.
    private static func missing(_ shards: [Member], models: [Model]) -> [Int] {
        var count = 0
        var present = Set<Int>()
        for shard in shards {
            guard let json = (try? shard.store.models())?.first?.settings, let settings = ExtractionSettings.decode(json),
                  let text = settings.shard, let parsed = Shard(text) else { return [] }
            count = parsed.count
            present.insert(parsed.index)
        }
        return (0..<count).filter { !present.contains($0) }
    }
}
