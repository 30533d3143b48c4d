import Foundation
import GRDB
import Numerics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open embedding store: a folder with `store.sqlite` (metadata) and `arrays/` (`.npy` files).
/// Reading is safe from many threads and processes while one writer works (SQLite in WAL mode).
public final class EmbeddingStore: Sendable {
    public let url: URL
    /// Read-only connections, so that browsing a store never changes its files.
    let database: DatabasePool
    /// The one writable connection, opened on the first write.
    private let writerConnection = WriterConnection()

    /// The newest store format this build reads and the one it writes.
    public static let formatVersion = StoreSchema.formatVersion
    static let databaseName = "store.sqlite"
    static let arraysFolder = "arrays"
    static let lockName = "store.lock"

    /// Opens an existing store, refusing folders that are not stores and stores of a newer format.
    public init(opening url: URL) throws {
        let url = url.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw StoreError(url, "no such store")
        }
        guard isDirectory.boolValue else {
            throw StoreError(url, "is a file, not a layerscope store (a store is a folder holding store.sqlite)")
        }
        let databaseURL = url.appendingPathComponent(Self.databaseName)
        guard FileManager.default.fileExists(atPath: databaseURL.path) else {
            throw StoreError(url, "not a layerscope store (no store.sqlite in this folder)")
        }
        try Self.checkFormat(databaseURL)
        do {
            // Readers neither migrate nor let GRDB prime the WAL (it does so with a dummy
            // CREATE/DROP TABLE): a store that is only browsed stays byte for byte as it was.
            database = try DatabasePool(path: databaseURL.path, configuration: Self.readOnlyConfiguration)
        } catch let error as DatabaseError {
            throw StoreError(databaseURL, "cannot be opened as a store: \(error.message ?? "\(error)")")
        }
        self.url = url
    }

    /// Creates an empty store with its token table at `url`, which must not exist yet.
    init(creating url: URL, tokens: TokenTable, meta: [String: String]) throws {
        let url = url.standardizedFileURL
        try FileManager.default.createDirectory(at: url.appendingPathComponent(Self.arraysFolder),
                                                withIntermediateDirectories: true)
        let path = url.appendingPathComponent(Self.databaseName).path
        let writer = try DatabaseQueue(path: path, configuration: Self.configuration)
        try writer.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
        try StoreSchema.migrator.migrate(writer)
        try writer.write { db in
            try Self.insertTokens(tokens, into: db)
            for (key, value) in meta {
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
            }
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('created_at', ?)",
                           arguments: [StoreClock.now()])
        }
        writerConnection.queue = writer
        database = try DatabasePool(path: path, configuration: Self.readOnlyConfiguration)
        self.url = url
    }

    private static var readOnlyConfiguration: Configuration {
        var configuration = configuration
        configuration.readonly = true
        return configuration
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        return configuration
    }

    /// Reads the format version with plain SQLite before any migration could touch a newer store.
    private static func checkFormat(_ databaseURL: URL) throws {
        var configuration = Configuration()
        configuration.readonly = true
        let version: String?
        do {
            let queue = try DatabaseQueue(path: databaseURL.path, configuration: configuration)
            version = try queue.read { db in
                guard try db.tableExists("meta") else { return nil }
                return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'format_version'")
            }
            try queue.close()
        } catch let error as DatabaseError {
            throw StoreError(databaseURL, "is not a readable SQLite database (\(error.message ?? "\(error)"))")
        }
        guard let version else {
            throw StoreError(databaseURL.deletingLastPathComponent(), "not a layerscope store (store.sqlite has no layerscope metadata)")
        }
        guard let number = Int(version) else {
            throw StoreError(databaseURL, "unreadable store format version '\(version)'")
        }
        guard number <= formatVersion else {
            throw StoreError(databaseURL.deletingLastPathComponent(),
                             "written by a newer layerscope (store format \(number); this build reads format \(formatVersion) and older)")
        }
    }

    /// Whether `url` is a folder that looks like a store.
    public static func isStore(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent(databaseName).path)
    }

    // MARK: Reading

    /// Store-wide metadata (format_version, created_at, simulated, …).
    public func meta() throws -> [String: String] {
        try database.read { db in
            Dictionary(try Row.fetchAll(db, sql: "SELECT key, value FROM meta").map { ($0["key"], $0["value"]) },
                       uniquingKeysWith: { $1 })
        }
    }

    /// The models, by name.
    public func models() throws -> [ModelRecord] {
        try database.read { db in try ModelRecord.order(Column("name")).fetchAll(db) }
    }

    /// The model called `name`, or an error listing the models there are.
    public func model(named name: String) throws -> ModelRecord {
        let all = try models()
        guard let model = all.first(where: { $0.name == name }) else {
            let names = all.map(\.name).joined(separator: ", ")
            throw StoreError(url, "has no model '\(name)' (models: \(names.isEmpty ? "none" : names))")
        }
        return model
    }

    /// Registered arrays, optionally only one model's or one kind's.
    public func arrays(model: String? = nil, kind: ArrayKind? = nil) throws -> [ArrayRecord] {
        try database.read { db in
            var request = ArrayRecord.all()
            if let model { request = request.filter(Column("model") == model) }
            if let kind { request = request.filter(Column("kind") == kind) }
            return try request.order(Column("model"), Column("kind"), Column("layer"), Column("task")).fetchAll(db)
        }
    }

    /// The layers of `model` that the store holds.
    public func presentLayers(model: String) throws -> [Int] {
        try arrays(model: model, kind: .layer).map(\.layer)
    }

    /// Maps a registered array.
    public func open(_ record: ArrayRecord) throws -> MappedArray {
        let array = try MappedArray(url: url.appendingPathComponent(record.path))
        guard array.rows == record.rows, array.cols == record.cols, array.type == record.dtype else {
            throw StoreError(url.appendingPathComponent(record.path),
                             "does not match the store's record (\(record.rows)×\(record.cols) \(record.dtype.rawValue))")
        }
        return array
    }

    /// Maps layer `layer` of `model`, or explains that it is missing.
    public func layer(model: String, layer: Int) throws -> MappedArray {
        guard let record = try arrays(model: model, kind: .layer).first(where: { $0.layer == layer }) else {
            throw StoreError(url, "model '\(model)' has no layer \(layer) in this store")
        }
        return try open(record)
    }

    /// The token table, in row order.
    public func tokens() throws -> TokenTable {
        try database.read { db in try Self.readTokens(db) }
    }

    /// The number of tokens.
    public func tokenCount() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tokens") ?? 0 }
    }

    /// The task heads with framewise outputs for `model`.
    public func tasks(model: String) throws -> [TaskRecord] {
        try database.read { db in
            try TaskRecord.filter(Column("model") == model).order(Column("task")).fetchAll(db)
        }
    }

    /// Where utterance `utterance`'s frames are in the frames array of (`model`, `task`).
    public func frameRange(model: String, task: String, utterance: String) throws -> FrameRange? {
        try database.read { db in
            try FrameRange.filter(Column("model") == model && Column("task") == task && Column("utterance") == utterance)
                .fetchOne(db)
        }
    }

    /// Stored analysis results, optionally filtered.
    public func analyses(model: String? = nil, kind: String? = nil) throws -> [AnalysisRecord] {
        try database.read { db in
            var request = AnalysisRecord.all()
            if let model { request = request.filter(Column("model") == model) }
            if let kind { request = request.filter(Column("kind") == kind) }
            return try request.order(Column("model"), Column("kind"), Column("layer"), Column("label")).fetchAll(db)
        }
    }

    /// Bytes the store folder takes on disk, all files included.
    public func bytesOnDisk() -> (total: Int, arrays: Int) {
        var total = 0
        var arrays = 0
        let arraysPath = url.appendingPathComponent(Self.arraysFolder).path
        let keys: [URLResourceKey] = [.fileSizeKey, .isRegularFileKey]
        guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: keys) else { return (0, 0) }
        for case let file as URL in walker {
            guard let values = try? file.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { continue }
            let size = values.fileSize ?? 0
            total += size
            if file.standardizedFileURL.path.hasPrefix(arraysPath) { arrays += size }
        }
        return (total, arrays)
    }

    // MARK: Writing

    /// Runs `body` as the store's only writer: other processes wait on a file lock, and leftovers
    /// of writers that were killed (temporary array files) are swept first.
    public func withWriteLock<T>(_ body: () throws -> T) throws -> T {
        let lockPath = url.appendingPathComponent(Self.lockName).path
        let fd = SystemCall.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError(url, "cannot be locked for writing: \(String(cString: strerror(errno)))") }
        defer { SystemCall.close(fd) }
        Self.processLock.lock()
        defer { Self.processLock.unlock() }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw StoreError(url, "cannot be locked for writing: \(String(cString: strerror(errno)))") }
        }
        defer { flock(fd, LOCK_UN) }
        sweepTemporaryFiles()
        _ = try writer()
        return try body()
    }

    private static let processLock = NSLock()

    /// The writable connection, opened (and the schema brought up to date) on first use.
    func writer() throws -> DatabaseQueue {
        try writerConnection.lock.withLock {
            if let queue = writerConnection.queue { return queue }
            let queue = try DatabaseQueue(path: url.appendingPathComponent(Self.databaseName).path,
                                          configuration: Self.configuration)
            let migrator = StoreSchema.migrator
            // Migrations this build knows and the store lacks (additive tables of later releases).
            if try !queue.read({ try migrator.hasCompletedMigrations($0) }) { try migrator.migrate(queue) }
            writerConnection.queue = queue
            return queue
        }
    }

    private func sweepTemporaryFiles() {
        let arrays = url.appendingPathComponent(Self.arraysFolder)
        guard let walker = FileManager.default.enumerator(at: arrays, includingPropertiesForKeys: nil) else { return }
        for case let file as URL in walker where file.lastPathComponent.hasPrefix(AtomicNpyWriter.temporaryPrefix) {
            try? FileManager.default.removeItem(at: file)
        }
    }

    /// The folder of `model`'s arrays, created if needed.
    public func arraysFolder(model: String) throws -> URL {
        let folder = url.appendingPathComponent(Self.arraysFolder).appendingPathComponent(model)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A path for a new array file named `name` (`L07.npy`) in `model`'s folder that no registered
    /// array uses, so replacing an array never overwrites a registered file before the new one is registered.
    public func newArrayPath(model: String, name: String) throws -> (url: URL, relative: String) {
        let folder = try arraysFolder(model: model)
        let registered = Set(try arrays(model: model).map(\.path))
        let stem = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        var candidate = name
        var generation = 1
        while registered.contains("\(Self.arraysFolder)/\(model)/\(candidate)") {
            generation += 1
            candidate = "\(stem).v\(generation).\(ext)"
        }
        return (folder.appendingPathComponent(candidate), "\(Self.arraysFolder)/\(model)/\(candidate)")
    }

    /// Registers arrays (and their model and tasks) in one transaction, replacing records with the
    /// same key; array files that the replaced records pointed to are deleted after the commit.
    public func register(model: ModelRecord?, arrays records: [ArrayRecord], tasks: [TaskRecord] = [],
                         frameRanges: [FrameRange] = []) throws {
        var replacedPaths: [String] = []
        try writer().write { db in
            if let model { try model.upsert(db) }
            for record in records {
                let old = try ArrayRecord.filter(
                    Column("model") == record.model && Column("kind") == record.kind
                        && Column("layer") == record.layer && Column("task") == record.task
                ).fetchOne(db)
                if let old, old.path != record.path { replacedPaths.append(old.path) }
                try record.upsert(db)
            }
            for task in tasks {
                try FrameRange.filter(Column("model") == task.model && Column("task") == task.task).deleteAll(db)
                try task.upsert(db)
            }
            for range in frameRanges { try range.insert(db) }
        }
        for path in replacedPaths { try? FileManager.default.removeItem(at: url.appendingPathComponent(path)) }
    }

    /// Stores analysis results in one transaction, replacing results for the same cells.
    public func saveAnalyses(_ records: [AnalysisRecord]) throws {
        try writer().write { db in
            for record in records { try record.upsert(db) }
        }
    }

    /// Sets store-wide metadata values.
    public func setMeta(_ values: [String: String]) throws {
        try writer().write { db in
            for (key, value) in values {
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
            }
        }
    }

    /// Closes the database; the store object must not be used afterwards.
    public func close() throws {
        try database.close()
        try writerConnection.lock.withLock {
            try writerConnection.queue?.close()
            writerConnection.queue = nil
        }
    }
}

/// The lazily opened writable connection of a store, behind a lock.
private final class WriterConnection: @unchecked Sendable {
    let lock = NSLock()
    var queue: DatabaseQueue?
}
