import Foundation
import Numerics

/// What `layerscope import` was asked to do.
public struct ImportRequest: Sendable {
    public var store: URL
    public var tokensFile: URL?
    public var model: String
    public var arrayFiles: [URL]
    public var dtype: ScalarType = .float16
    public var allowNonfinite = false
    /// `--frames TASK=PATH.npz`.
    public var frames: [(task: String, file: URL)] = []
    /// `--classes TASK=a,b,c`.
    public var classes: [String: [String]] = [:]
    /// The model's total layer count when the files hold only some layers.
    public var layerCount: Int?
    /// Replace layers the model already has.
    public var replace = false
    /// Store-wide metadata to record (e.g. `simulated`).
    public var meta: [String: String] = [:]

    public init(store: URL, tokensFile: URL?, model: String, arrayFiles: [URL]) {
        self.store = store
        self.tokensFile = tokensFile
        self.model = model
        self.arrayFiles = arrayFiles
    }
}

/// What an import did.
public struct ImportSummary: Sendable {
    public var store: URL
    public var model: String
    public var layers: [Int]
    public var tokens: Int
    public var dim: Int
    public var dtype: ScalarType
    public var tasks: [String]
    public var bytesWritten: Int
    public var createdStore: Bool
}

/// Imports embeddings into a new or existing store. Everything is checked before the first byte
/// is written; arrays are written under temporary names; the model, its arrays and tasks are
/// registered in one transaction. A new store is built in a hidden sibling folder and renamed into
/// place only when complete, so a failed or killed import leaves no store, or the store as it was.
public enum Importer {
    public static func run(_ request: ImportRequest, progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> ImportSummary {
        try validateName(request.model, what: "model")
        for (task, _) in request.frames { try validateName(task, what: "task") }
        let fileTokens = try request.tokensFile.map(TokenTable.read(from:))
        let exists = FileManager.default.fileExists(atPath: request.store.path)
        if exists && EmbeddingStore.isStore(request.store) {
            let store = try EmbeddingStore(opening: request.store)
            // Closing explicitly lets the writer, as the last connection, checkpoint and remove the WAL.
            defer { try? store.close() }
            return try store.withWriteLock {
                try importInto(store, request: request, fileTokens: fileTokens, created: false, progress: progress)
            }
        }
        if exists {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: request.store.path)) ?? ["?"]
            guard contents.isEmpty else {
                throw StoreError(request.store, "exists and is not a layerscope store; choose a new name")
            }
        }
        guard let tokens = fileTokens else {
            throw StoreError(request.store, "does not exist yet; a new store needs --tokens TOKENS.tsv")
        }
        let parent = request.store.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(request.store.lastPathComponent).importing-\(getpid())")
        try? FileManager.default.removeItem(at: staging)
        do {
            var meta = request.meta
            meta["created_by"] = "layerscope import"
            let store = try EmbeddingStore(creating: staging, tokens: tokens, meta: meta)
            var summary = try importInto(store, request: request, fileTokens: tokens, created: true, progress: progress)
            try store.close()
            if exists { try FileManager.default.removeItem(at: request.store) }
            guard rename(staging.path, request.store.path) == 0 else {
                throw StoreError(request.store, "cannot be created: \(String(cString: strerror(errno)))")
            }
            syncDirectory(parent)
            summary.store = request.store
            return summary
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    private static func importInto(_ store: EmbeddingStore, request: ImportRequest, fileTokens: TokenTable?,
                                   created: Bool, progress: (Int, Int) -> Void) throws -> ImportSummary {
        let storedTokens = try store.tokens()
        if let fileTokens, !created, let file = request.tokensFile {
            try checkSameTokens(fileTokens, storedTokens, file: file)
        }
        let plan = try LayerPlan.make(files: request.arrayFiles, tokenCount: storedTokens.count)
        let existing = try store.models().first { $0.name == request.model }
        let presentLayers = Set(try store.presentLayers(model: request.model))
        if let existing {
            guard existing.dim == plan.dim else {
                throw StoreError(request.arrayFiles[0], "has \(plan.dim) values per token, but model '\(request.model)' in the store has \(existing.dim)")
            }
            guard existing.dtype == request.dtype else {
                throw StoreError(request.store, "model '\(request.model)' is stored as \(existing.dtype.rawValue); import with --dtype \(existing.dtype.rawValue)")
            }
            let clash = plan.entries.map(\.layer).filter(presentLayers.contains)
            if !clash.isEmpty && !request.replace {
                throw StoreError(request.store, "model '\(request.model)' already has layer\(clash.count > 1 ? "s" : "") \(clash.map(String.init).joined(separator: ", ")); pass --replace to overwrite")
            }
        }
        let maxLayer = plan.entries.map(\.layer).max() ?? 0
        let layerCount = max(request.layerCount ?? 0, existing?.layerCount ?? 0, maxLayer + 1)
        if let declared = request.layerCount, declared <= maxLayer {
            throw StoreError(request.arrayFiles[0], "holds layer \(maxLayer), but --layer-count is \(declared)")
        }
        let frames = request.frames.map { FramesImport(task: $0.task, file: $0.file, classNames: request.classes[$0.task]) }

        var written: [URL] = []
        let modelFolder = store.url.appendingPathComponent(EmbeddingStore.arraysFolder).appendingPathComponent(request.model)
        let folderExisted = FileManager.default.fileExists(atPath: modelFolder.path)
        do {
            let writing = LayerWriting(store: store, model: request.model, dtype: request.dtype,
                                       allowNonfinite: request.allowNonfinite)
            var records = try writing.write(plan, written: &written, progress: progress)
            var tasks: [TaskRecord] = []
            var ranges: [FrameRange] = []
            for frame in frames {
                let (record, task, taskRanges) = try frame.write(store: store, model: request.model, tokens: storedTokens,
                                                                 written: &written)
                records.append(record)
                tasks.append(task)
                ranges += taskRanges
            }
            var model = existing ?? ModelRecord(name: request.model, dim: plan.dim, dtype: request.dtype, layerCount: layerCount)
            model.layerCount = layerCount
            try store.register(model: model, arrays: records, tasks: tasks, frameRanges: ranges)
            if !created && !request.meta.isEmpty { try store.setMeta(request.meta) }
            return ImportSummary(store: request.store, model: request.model, layers: plan.entries.map(\.layer),
                                 tokens: plan.tokens, dim: plan.dim, dtype: request.dtype, tasks: tasks.map(\.task),
                                 bytesWritten: records.reduce(0) { $0 + $1.bytes }, createdStore: created)
        } catch {
            for url in written { try? FileManager.default.removeItem(at: url) }
            if !folderExisted { try? FileManager.default.removeItem(at: modelFolder) }
            throw error
        }
    }

    private static func checkSameTokens(_ file: TokenTable, _ stored: TokenTable, file url: URL) throws {
        guard file.count == stored.count else {
            throw StoreError(url, "has \(file.count) tokens, but the store has \(stored.count); a store's models share one token table")
        }
        for row in 0..<file.count {
            let same = file.utterances[Int(file.utterance[row])] == stored.utterances[Int(stored.utterance[row])]
                && file.start[row] == stored.start[row] && file.end[row] == stored.end[row]
            if !same {
                throw StoreError(url, line: row + 2, "differs from the store's token \(row) (\(stored.utterances[Int(stored.utterance[row])]) \(stored.start[row])–\(stored.end[row]) s)")
            }
        }
    }

    /// Model and task names become folder and file names, so they must be plain.
    static func validateName(_ name: String, what: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._+-"))
        guard !name.isEmpty, !name.hasPrefix("."), name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw StoreError(what, "name '\(name)' must be letters, digits, '.', '_', '+' or '-', not starting with '.'")
        }
    }
}
