import Foundation
import Numerics
import Store

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `layerscope merge` did; its JSON form is `merge --json`.
public struct MergeSummary: Codable, Sendable {
    public var store: String
    public var shards: Int
    public var utterances: Int
    public var tokens: Int
    public var models: [String]
    /// Shard numbers of 0…N−1 that were not given (the merged store lacks their utterances).
    public var missingShards: [Int]

    enum CodingKeys: String, CodingKey {
        case store, shards, utterances, tokens, models, missingShards = "missing_shards"
    }
}

/// Joins shard stores into one (`layerscope merge`): utterances in name order, as an unsharded
/// extraction orders them, so the merged arrays are byte for byte those of one run over the whole
/// corpus. The store is built in a hidden sibling and renamed into place when complete.
public enum StoreMerger {
    public static func merge(into out: URL, shards urls: [URL]) throws -> MergeSummary {
        let out = out.standardizedFileURL
        guard !FileManager.default.fileExists(atPath: out.path) else {
            throw StoreError(out, "exists already; merge writes a new store")
        }
        let set = try ShardSet.open(urls)
        defer { for shard in set.shards { try? shard.store.close() } }
        let staging = out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).merging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let lock = try FolderLock(staging.appendingPathComponent("lock"))
        defer {
            lock.release()
            try? FileManager.default.removeItem(at: staging)
        }
        let building = staging.appendingPathComponent("store")
        try? FileManager.default.removeItem(at: building)

        let (tokens, ranges) = mergedTokens(set)
        let sources = try mergedSources(set, out: out)
        let createdAt = try set.shards.compactMap { try $0.store.meta()["created_at"] }.min() ?? StoreClock.now()
        let store = try EmbeddingStore.create(at: building, tokens: tokens,
                                              meta: ["created_by": "layerscope merge", "created_at": createdAt], sources: sources)
        try store.withWriteLock {
            for model in set.models { try writeModel(model, set: set, ranges: ranges, tokenCount: tokens.count, into: store, out: out) }
        }
        try store.close()
        guard rename(building.path, out.path) == 0 else {
            throw StoreError(out, "cannot be created: \(String(cString: strerror(errno)))")
        }
        return MergeSummary(store: out.path, shards: urls.count, utterances: tokens.utterances.count, tokens: tokens.count,
                            models: set.models.map(\.record.name), missingShards: set.missingShards)
    }

    /// The merged token table, and for each merged utterance its token rows in its shard.
    private static func mergedTokens(_ set: ShardSet) -> (TokenTable, [Range<Int>]) {
        var table = TokenTable(utterances: [], utteranceSpeakers: [], utterance: [], start: [], end: [], frame: [], labels: [])
        var values = [[String?]](repeating: [], count: set.labelNames.count)
        var ranges: [Range<Int>] = []
        for (position, entry) in set.order.enumerated() {
            let shard = set.shards[entry.shard]
            table.utterances.append(entry.name)
            table.utteranceSpeakers.append(shard.tokens.utteranceSpeakers[entry.index])
            let rows = shard.rows[entry.index]
            ranges.append(rows)
            for row in rows {
                table.utterance.append(Int32(position))
                table.start.append(shard.tokens.start[row])
                table.end.append(shard.tokens.end[row])
                table.frame.append(shard.tokens.frame[row])
                for (j, label) in shard.tokens.labels.enumerated() { values[j].append(label.value(at: row)) }
            }
        }
        table.labels = zip(set.labelNames, values).map { LabelColumn(name: $0, values: $1) }
        return (table, ranges)
    }

    /// Each utterance's sources, re-recorded relative to the merged store.
    private static func mergedSources(_ set: ShardSet, out: URL) throws -> [UtteranceSource] {
        let perShard = try set.shards.map { shard in
            Dictionary(uniqueKeysWithValues: try shard.store.utteranceSources().map { ($0.name, $0) })
        }
        return set.order.compactMap { entry in
            guard var source = perShard[entry.shard][entry.name] else { return nil }
            let shardURL = set.shards[entry.shard].url
            source.audio = source.audio.map { StorePaths.record(StorePaths.resolve($0, store: shardURL), store: out) }
            source.alignment = source.alignment.map { StorePaths.record(StorePaths.resolve($0, store: shardURL), store: out) }
            return source
        }
    }

    /// Copies one model's layer and frames arrays, utterance by utterance, and registers them.
    private static func writeModel(_ model: ShardSet.Model, set: ShardSet, ranges: [Range<Int>], tokenCount: Int,
                                   into store: EmbeddingStore, out: URL) throws {
        let name = model.record.name
        var records: [ArrayRecord] = []
        var written: [AtomicNpyWriter] = []
        defer { for writer in written { writer.abandon() } }
        for layer in model.layers {
            let sources = try set.shards.map { try $0.store.layer(model: name, layer: layer) }
            let target = try store.newArrayPath(model: name, name: String(format: "L%02d.npy", layer))
            let header = NpyHeader(dtype: model.record.dtype == .float16 ? .float16 : .float32, shape: [tokenCount, model.record.dim])
            let writer = try AtomicNpyWriter(destination: target.url, header: header)
            written.append(writer)
            for (entry, rows) in zip(set.order, ranges) {
                try copyRows(rows, of: sources[entry.shard], to: writer)
            }
            writer.startFlush()
            records.append(ArrayRecord(model: name, kind: .layer, layer: layer, path: target.relative, dtype: model.record.dtype,
                                       rows: tokenCount, cols: model.record.dim, bytes: header.encoded().count + header.dataByteCount,
                                       createdAt: model.record.createdAt))
        }
        var frameRanges: [FrameRange] = []
        for task in model.tasks {
            let sources = try set.shards.map { shard -> MappedArray in
                guard let record = try shard.store.arrays(model: name, kind: .frames).first(where: { $0.task == task.task }) else {
                    throw StoreError(shard.url, "model \(name) has task \(task.task) but no frames array for it")
                }
                return try shard.store.open(record)
            }
            var copies: [(Int, Range<Int>)] = []
            var first = 0
            for entry in set.order {
                guard let range = try set.shards[entry.shard].store.frameRange(model: name, task: task.task, utterance: entry.name) else {
                    throw StoreError(set.shards[entry.shard].url, "has no frames of utterance \(entry.name) for task \(task.task)")
                }
                copies.append((entry.shard, range.firstRow..<(range.firstRow + range.rowCount)))
                frameRanges.append(FrameRange(model: name, task: task.task, utterance: entry.name, firstRow: first, rowCount: range.rowCount))
                first += range.rowCount
            }
            let classes = task.classNames.count
            let target = try store.newArrayPath(model: name, name: "frames-\(task.task).npy")
            let header = NpyHeader(dtype: .float32, shape: [first, classes])
            let writer = try AtomicNpyWriter(destination: target.url, header: header)
            written.append(writer)
            for (shard, rows) in copies { try copyRows(rows, of: sources[shard], to: writer) }
            writer.startFlush()
            records.append(ArrayRecord(model: name, kind: .frames, task: task.task, path: target.relative, dtype: .float32,
                                       rows: first, cols: classes, bytes: header.encoded().count + header.dataByteCount,
                                       createdAt: model.record.createdAt))
        }
        for writer in written { try writer.commit() }
        var record = model.record
        record.checkpoint = record.checkpoint.map { StorePaths.record(URL(fileURLWithPath: $0), store: out) }
        if var settings = model.settings {
            settings.audio = StorePaths.record(URL(fileURLWithPath: settings.audio), store: out)
            settings.alignments = StorePaths.record(URL(fileURLWithPath: settings.alignments), store: out)
            settings.speakers = StorePaths.record(URL(fileURLWithPath: settings.speakers), store: out)
            record.settings = settings.json()
        }
        try store.register(model: record, arrays: records, tasks: model.tasks, frameRanges: frameRanges)
    }

    /// Appends rows `rows` of a mapped array to `writer`, as stored bytes.
    private static func copyRows(_ rows: Range<Int>, of array: MappedArray, to writer: AtomicNpyWriter) throws {
        guard !rows.isEmpty else { return }
        let rowBytes = array.cols * array.type.byteCount
        let start = array.header.dataOffset + rows.lowerBound * rowBytes
        let bytes = UnsafeRawBufferPointer(rebasing: array.file.buffer[start..<(start + rows.count * rowBytes)])
        try writer.append(bytes)
    }
}
