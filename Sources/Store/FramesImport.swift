import Foundation
import Numerics

/// Framewise task outputs (`--frames TASK=PATH.npz`): one frames × classes array per utterance,
/// concatenated in token-table utterance order into `frames-<task>.npy` (float32).
struct FramesImport {
    let task: String
    let file: URL
    let classNames: [String]?

    /// Reads, checks and writes one task's frames; returns what to register.
    func write(store: EmbeddingStore, model: String, tokens: TokenTable, written: inout [URL])
        throws -> (ArrayRecord, TaskRecord, [FrameRange])
    {
        let members = try SourceArray.openNpz(file)
        var classes = classNames
        if let classArray = members.first(where: { $0.key == "__classes__" })?.array {
            let fromFile = try Self.readStrings(classArray)
            if let given = classes, given != fromFile {
                throw StoreError(file, "its __classes__ (\(fromFile.joined(separator: ","))) differ from --classes \(task)=\(given.joined(separator: ","))")
            }
            classes = fromFile
        }
        guard let classes, !classes.isEmpty else {
            throw StoreError(file, "has no class names: add a __classes__ array or pass --classes \(task)=a,b,c")
        }
        let known = Dictionary(tokens.utterances.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var perUtterance: [(order: Int, utterance: String, array: SourceArray)] = []
        for (key, array) in members where key != "__classes__" {
            guard let order = known[key] else {
                throw StoreError(array.name, "utterance '\(key)' is not in the token table")
            }
            guard array.header.dtype.kind == .float else {
                throw StoreError(array.name, "holds \(array.header.dtype); frame outputs must be floating point")
            }
            guard array.header.shape.count == 2, array.header.shape[1] == classes.count else {
                throw StoreError(array.name, "has shape \(array.header.shape); expected frames × \(classes.count) classes")
            }
            perUtterance.append((order, key, array))
        }
        guard !perUtterance.isEmpty else { throw StoreError(file, "holds no utterance arrays") }
        perUtterance.sort { $0.order < $1.order }

        let totalRows = perUtterance.reduce(0) { $0 + $1.array.header.shape[0] }
        let target = try store.newArrayPath(model: model, name: "frames-\(task).npy")
        let header = NpyHeader(dtype: .float32, shape: [totalRows, classes.count])
        let writer = try AtomicNpyWriter(destination: target.url, header: header)
        var ranges: [FrameRange] = []
        var probabilities = true
        var firstRow = 0
        for item in perUtterance {
            let rows = item.array.header.shape[0]
            let sink = ArraySink(writer: writer, sourceName: item.array.name)
            let assembler = RowAssembler(dtype: item.array.header.dtype, cols: classes.count, rowsPerSink: max(rows, 1),
                                         sinks: [sink])
            try item.array.streamData { try assembler.consume($0) }
            try assembler.finish(name: item.array.name)
            if sink.nonfiniteRows > 0 {
                throw StoreError(item.array.name, "has \(sink.nonfiniteRows) frames with NaN or infinity")
            }
            if probabilities { probabilities = try Self.looksLikeProbabilities(item.array) }
            ranges.append(FrameRange(model: model, task: task, utterance: item.utterance, firstRow: firstRow, rowCount: rows))
            firstRow += rows
        }
        try writer.commit()
        written.append(target.url)
        let record = ArrayRecord(model: model, kind: .frames, task: task, path: target.relative, dtype: .float32,
                                 rows: totalRows, cols: classes.count, bytes: header.encoded().count + header.dataByteCount)
        let taskRecord = TaskRecord(model: model, task: task, classNames: classes,
                                    valueKind: probabilities ? .probabilities : .logits)
        return (record, taskRecord, ranges)
    }

    /// Whether every row lies in [0, 1] and sums to 1, as probabilities do (logits need not).
    private static func looksLikeProbabilities(_ array: SourceArray) throws -> Bool {
        let cols = array.header.shape[1]
        return try array.withContiguousData { data in
            guard let base = data.baseAddress else { return true }
            for r in 0..<array.header.shape[0] {
                var sum: Float = 0
                for c in 0..<cols {
                    let v = ElementConversion.element(base, index: r * cols + c, dtype: array.header.dtype)
                    if v < 0 || v > 1 { return false }
                    sum += v
                }
                if abs(sum - 1) > 1e-3 { return false }
            }
            return true
        }
    }

    /// The strings of a 1-D numpy string array (`<U…` UTF-32 or `|S…` bytes), padding removed.
    static func readStrings(_ array: SourceArray) throws -> [String] {
        let dtype = array.header.dtype
        guard array.header.shape.count == 1, dtype.kind == .unicode || dtype.kind == .bytes else {
            throw StoreError(array.name, "must be a 1-D array of strings, found \(dtype) with shape \(array.header.shape)")
        }
        return try array.withContiguousData { data in
            (0..<array.header.shape[0]).map { i in
                let item = UnsafeRawBufferPointer(rebasing: data[(i * dtype.itemSize)..<((i + 1) * dtype.itemSize)])
                if dtype.kind == .bytes {
                    return String(decoding: item.prefix { $0 != 0 }, as: UTF8.self)
                }
                var scalars = String.UnicodeScalarView()
                for k in 0..<(dtype.itemSize / 4) {
                    let raw = item.loadUnaligned(fromByteOffset: k * 4, as: UInt32.self)
                    let value = dtype.bigEndian ? raw.byteSwapped : raw
                    if value == 0 { break }
                    if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
                }
                return String(scalars)
            }
        }
    }
}
