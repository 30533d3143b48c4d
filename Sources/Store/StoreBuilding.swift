import Foundation
import GRDB

/// Where an utterance came from, so a store can compute what it lacks from the sources later.
public struct UtteranceSource: Sendable, Equatable {
    public var name: String
    /// Audio and alignment paths as recorded (relative to the store folder, or absolute).
    public var audio: String?
    public var alignment: String?
    /// Seconds of audio.
    public var duration: Double?

    public init(name: String, audio: String?, alignment: String?, duration: Double?) {
        self.name = name
        self.audio = audio
        self.alignment = alignment
        self.duration = duration
    }
}

/// Building stores for writers other than `import` (extraction, merge).
extension EmbeddingStore {
    /// Creates a store at `url`, which must not exist, with its token table, utterance sources and
    /// metadata (`created_at` included, when given, so a rebuilt store can match the first).
    public static func create(at url: URL, tokens: TokenTable, meta: [String: String],
                              sources: [UtteranceSource] = []) throws -> EmbeddingStore {
        guard !FileManager.default.fileExists(atPath: url.path) else {
            throw StoreError(url, "exists already; a new store needs a new folder")
        }
        let store = try EmbeddingStore(creating: url, tokens: tokens, meta: meta)
        if let createdAt = meta["created_at"] { try store.setMeta(["created_at": createdAt]) }
        try store.setUtteranceSources(sources)
        return store
    }

    /// The recorded sources of every utterance, in utterance order.
    public func utteranceSources() throws -> [UtteranceSource] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT name, audio, alignment, duration FROM utterances ORDER BY id").map { row in
                UtteranceSource(name: row["name"], audio: row["audio"], alignment: row["alignment"], duration: row["duration"])
            }
        }
    }

    /// Records where utterances came from, in one transaction; utterances not in the store are refused.
    public func setUtteranceSources(_ sources: [UtteranceSource]) throws {
        guard !sources.isEmpty else { return }
        try writer().write { db in
            let update = try db.makeStatement(sql: "UPDATE utterances SET audio = ?, alignment = ?, duration = ? WHERE name = ?")
            for source in sources {
                try update.execute(arguments: [source.audio, source.alignment, source.duration, source.name])
                guard db.changesCount == 1 else {
                    throw StoreError(url, "has no utterance '\(source.name)'")
                }
            }
        }
    }
}
