import Foundation
import Numerics
import Store

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns staged parts into the store: the token table in utterance-name order, one array per kept
/// layer and one frames array per head, written under temporary names, fsynced, renamed, and
/// registered in one transaction. Parts are read in the same order whether a run was resumed or
/// not, so the arrays come out byte for byte the same.
struct Assembler {
    let work: WorkFolder
    let out: URL
    let modelName: String
    let hiddenStateCount: Int
    let dim: Int
    let dtype: ScalarType
    let layers: [Int]
    let tasks: [HeadTask]
    let columns: [String]
    let speakers: SpeakerTable
    let checkpoint: URL
    let settings: String
    let createdAt: String

    /// Assembles the parts behind `headers` (in store order) into the store; returns its token count.
    func assemble(_ headers: [UtterancePart.Header]) throws -> Int {
        let tokens = tokenTable(headers)
        let sources = headers.map { header in
            UtteranceSource(name: header.utterance,
                            audio: StorePaths.record(URL(fileURLWithPath: header.audio), store: out),
                            alignment: StorePaths.record(URL(fileURLWithPath: header.alignment), store: out),
                            duration: header.duration)
        }
        if work.createsStore {
            try? FileManager.default.removeItem(at: work.assembly)
            let store = try EmbeddingStore.create(at: work.assembly, tokens: tokens,
                                                  meta: ["created_by": "layerscope extract", "created_at": createdAt],
                                                  sources: sources)
            try store.withWriteLock { try writeArrays(into: store, headers: headers, tokenCount: tokens.count) }
            try store.close()
            try? FileManager.default.removeItem(at: work.assembly.appendingPathComponent("store.lock"))
            if FileManager.default.fileExists(atPath: out.path) { try FileManager.default.removeItem(at: out) }
            guard rename(work.assembly.path, out.path) == 0 else {
                throw StoreError(out, "cannot be created: \(String(cString: strerror(errno)))")
            }
            let parent = open(out.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if parent >= 0 {
                fsync(parent)
                close(parent)
            }
        } else {
            let store = try EmbeddingStore(opening: out)
            defer { try? store.close() }
            try store.withWriteLock {
                let stored = try store.tokens()
                guard stored == tokens else {
                    throw StoreError(out, "holds other tokens than this extraction makes (\(stored.count) tokens in "
                                     + "\(stored.utterances.count) utterances against \(tokens.count) in \(tokens.utterances.count)); "
                                     + "a store's models share one token table: extract into a new store")
                }
                try store.setUtteranceSources(sources)
                try writeArrays(into: store, headers: headers, tokenCount: tokens.count)
            }
        }
        return tokens.count
    }

    /// The token table: the parts' tokens in order, each with its scheme labels and its speaker's.
    func tokenTable(_ headers: [UtterancePart.Header]) -> TokenTable {
        var table = TokenTable(utterances: headers.map(\.utterance), utteranceSpeakers: headers.map(\.speaker),
                               utterance: [], start: [], end: [], frame: [], labels: [])
        var values = [[String?]](repeating: [], count: columns.count)
        for (index, header) in headers.enumerated() {
            let speakerLabels = speakers.rows[header.speaker] ?? Array(repeating: nil, count: speakers.columns.count)
            for token in header.tokens {
                table.utterance.append(Int32(index))
                table.start.append(token.start)
                table.end.append(token.end)
                table.frame.append(Int32(clamping: token.frame))
                for (j, value) in (token.labels + speakerLabels).enumerated() { values[j].append(value) }
            }
        }
        table.labels = zip(columns, values).map { LabelColumn(name: $0, values: $1) }
        return table
    }

    /// Writes every layer and frames array from the parts and registers them with the model.
    private func writeArrays(into store: EmbeddingStore, headers: [UtterancePart.Header], tokenCount: Int) throws {
        var writers: [(record: ArrayRecord, writer: AtomicNpyWriter)] = []
        defer { for entry in writers { entry.writer.abandon() } }
        let elementType: NpyDType = dtype == .float16 ? .float16 : .float32
        for layer in layers {
            let target = try store.newArrayPath(model: modelName, name: String(format: "L%02d.npy", layer))
            let header = NpyHeader(dtype: elementType, shape: [tokenCount, dim])
            let record = ArrayRecord(model: modelName, kind: .layer, layer: layer, path: target.relative, dtype: dtype,
                                     rows: tokenCount, cols: dim, bytes: header.encoded().count + header.dataByteCount,
                                     createdAt: createdAt)
            writers.append((record, try AtomicNpyWriter(destination: target.url, header: header)))
        }
        let totalFrames = headers.reduce(0) { $0 + $1.frameCount }
        var ranges: [FrameRange] = []
        for task in tasks {
            let target = try store.newArrayPath(model: modelName, name: "frames-\(task.name).npy")
            let header = NpyHeader(dtype: .float32, shape: [totalFrames, task.classes.count])
            let record = ArrayRecord(model: modelName, kind: .frames, task: task.name, path: target.relative, dtype: .float32,
                                     rows: totalFrames, cols: task.classes.count,
                                     bytes: header.encoded().count + header.dataByteCount, createdAt: createdAt)
            writers.append((record, try AtomicNpyWriter(destination: target.url, header: header)))
            var first = 0
            for part in headers {
                ranges.append(FrameRange(model: modelName, task: task.name, utterance: part.utterance, firstRow: first,
                                         rowCount: part.frameCount))
                first += part.frameCount
            }
        }
        for header in headers {
            let part = try UtterancePart.read(work.part(header.utterance))
            guard part.header == header else {
                throw StoreError(work.part(header.utterance), "changed while the store was being assembled")
            }
            try part.payload.withUnsafeBytes { payload in
                for position in layers.indices {
                    try writers[position].writer.append(UnsafeRawBufferPointer(rebasing: payload[part.layerRange(position)]))
                }
                for position in tasks.indices {
                    try writers[layers.count + position].writer.append(UnsafeRawBufferPointer(rebasing: payload[part.taskRange(position)]))
                }
            }
        }
        for entry in writers { entry.writer.startFlush() }
        for entry in writers { try entry.writer.commit() }
        let model = ModelRecord(name: modelName, dim: dim, dtype: dtype, layerCount: hiddenStateCount,
                                checkpoint: StorePaths.record(checkpoint, store: out), settings: settings, createdAt: createdAt)
        let taskRecords = tasks.map { TaskRecord(model: modelName, task: $0.name, classNames: $0.classes, valueKind: .logits) }
        try store.register(model: model, arrays: writers.map(\.record), tasks: taskRecords, frameRanges: ranges)
    }
}
