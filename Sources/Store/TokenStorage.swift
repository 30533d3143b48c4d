import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#else
import SQLite3
#endif

/// Moving the token table between memory and the store's `tokens`, `utterances` and
/// `label_columns` tables.
extension EmbeddingStore {
    /// Names a label column may not take, because the token table uses them.
    static let reservedColumns: Set<String> = ["row", "utterance", "speaker", "start", "end", "frame"]

    static func insertTokens(_ tokens: TokenTable, into db: Database) throws {
        for label in tokens.labels where reservedColumns.contains(label.name.lowercased()) {
            throw StoreError("tokens", "label column '\(label.name)' uses a reserved name (\(reservedColumns.sorted().joined(separator: ", ")))")
        }
        try StoreSchema.createTokenTable(db, labels: tokens.labels.map(\.name))
        for (position, label) in tokens.labels.enumerated() {
            try db.execute(sql: "INSERT INTO label_columns (position, name) VALUES (?, ?)", arguments: [position, label.name])
        }
        let utterance = try db.makeStatement(sql: "INSERT INTO utterances (id, name, speaker) VALUES (?, ?, ?)")
        for (id, name) in tokens.utterances.enumerated() {
            try utterance.execute(arguments: [id, name, tokens.utteranceSpeakers[id]])
        }
        let labelPlaceholders = String(repeating: ", ?", count: tokens.labels.count)
        let insert = try db.makeStatement(
            sql: "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?\(labelPlaceholders))")
        var arguments = [(any DatabaseValueConvertible)?](repeating: nil, count: 6 + tokens.labels.count)
        for row in 0..<tokens.count {
            let utt = Int(tokens.utterance[row])
            arguments[0] = row
            arguments[1] = tokens.utterances[utt]
            arguments[2] = tokens.utteranceSpeakers[utt]
            arguments[3] = tokens.start[row]
            arguments[4] = tokens.end[row]
            arguments[5] = Int(tokens.frame[row])
            for (j, label) in tokens.labels.enumerated() { arguments[6 + j] = label.value(at: row) }
            try insert.execute(arguments: StatementArguments(arguments))
        }
    }

    static func readTokens(_ db: Database) throws -> TokenTable {
        let labelNames = try String.fetchAll(db, sql: "SELECT name FROM label_columns ORDER BY position")
        let utteranceRows = try Row.fetchAll(db, sql: "SELECT id, name, speaker FROM utterances ORDER BY id")
        var utterances: [String] = []
        var speakers: [String] = []
        var index: [String: Int32] = [:]
        for row in utteranceRows {
            let name: String = row["name"]
            index[name] = Int32(utterances.count)
            utterances.append(name)
            speakers.append(row["speaker"])
        }
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM tokens") ?? 0
        var table = TokenTable(utterances: utterances, utteranceSpeakers: speakers, utterance: [], start: [], end: [],
                               frame: [], labels: [])
        table.utterance.reserveCapacity(count)
        table.start.reserveCapacity(count)
        table.end.reserveCapacity(count)
        table.frame.reserveCapacity(count)
        var labelValues = [[String?]](repeating: [], count: labelNames.count)
        for j in labelValues.indices { labelValues[j].reserveCapacity(count) }

        let columns = labelNames.map { ", \($0.quotedDatabaseIdentifier)" }.joined()
        let statement = try db.makeStatement(sql: "SELECT row, utterance, start, \"end\", frame\(columns) FROM tokens ORDER BY row")
        // A plain sqlite3_step loop: the explorer's first frame waits for this table (100,000 rows
        // in tens of milliseconds), and per-row Row objects cost several times more. Text values
        // are interned straight from SQLite's bytes, so a repeated label costs no String.
        let raw = statement.sqliteStatement
        var utteranceNames = ByteInterner()
        var utteranceOfName: [Int32] = []
        var labelInterners = [ByteInterner](repeating: ByteInterner(), count: labelNames.count)
        var labelCodes = [[Int32]](repeating: [], count: labelNames.count)
        for j in labelCodes.indices { labelCodes[j].reserveCapacity(count) }
        var expectedRow: Int64 = 0
        while true {
            let status = sqlite3_step(raw)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else {
                throw StoreError("tokens", "cannot be read: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
            }
            let rowNumber = sqlite3_column_int64(raw, 0)
            guard rowNumber == expectedRow else {
                throw StoreError("tokens", "the token table skips row \(expectedRow) (found row \(rowNumber))")
            }
            expectedRow += 1
            let nameCode = utteranceNames.code(raw, column: 1)
            if nameCode == utteranceOfName.count {
                let name = utteranceNames.strings[nameCode] ?? ""
                guard let utt = index[name] else {
                    throw StoreError("tokens", "row \(rowNumber) names utterance \(name), which the utterance table lacks")
                }
                utteranceOfName.append(utt)
            }
            table.utterance.append(utteranceOfName[nameCode])
            table.start.append(sqlite3_column_double(raw, 2))
            table.end.append(sqlite3_column_double(raw, 3))
            table.frame.append(Int32(clamping: sqlite3_column_int64(raw, 4)))
            for j in 0..<labelNames.count { labelCodes[j].append(Int32(labelInterners[j].code(raw, column: Int32(5 + j)))) }
        }
        sqlite3_reset(raw)
        table.labels = labelNames.indices.map { j in
            labelInterners[j].column(name: labelNames[j], codes: labelCodes[j])
        }
        return table
    }
}

/// Distinct text values of one column in first-seen order, looked up by a hash of their bytes so
/// that a value seen before costs no String. NULL and empty text are "missing".
struct ByteInterner {
    /// The distinct values; nil stands for missing.
    private(set) var strings: [String?] = []
    /// The UTF-8 bytes and FNV-1a hash of each value.
    private var bytes: [[UInt8]] = []
    private var hashes: [UInt64] = []
    /// Codes by hash, once there are too many values to scan.
    private var byHash: [UInt64: [Int]] = [:]
    private var missing: Int?
    /// The previous row's code and hash: consecutive rows often repeat a value (an utterance's tokens).
    private var last = -1
    private var lastHash: UInt64 = 0
    private static let scanLimit = 64

    /// The code of the text in `column` of the current row (codes count from 0 in first-seen order).
    mutating func code(_ statement: OpaquePointer?, column: Int32) -> Int {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard let text = sqlite3_column_text(statement, column), count > 0 else {
            if let missing { return missing }
            missing = strings.count
            strings.append(nil)
            bytes.append([])
            hashes.append(0)
            return strings.count - 1
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<count { hash = (hash ^ UInt64(text[i])) &* 0x100_0000_01b3 }
        if last >= 0 && hash == lastHash && same(last, text, count) { return last }
        var found = -1
        if strings.count <= Self.scanLimit {
            for code in hashes.indices where hashes[code] == hash && same(code, text, count) {
                found = code
                break
            }
        } else if let candidates = byHash[hash] {
            found = candidates.first { same($0, text, count) } ?? -1
        }
        if found < 0 {
            found = strings.count
            let buffer = UnsafeBufferPointer(start: text, count: count)
            bytes.append(Array(buffer))
            hashes.append(hash)
            strings.append(String(decoding: buffer, as: UTF8.self))
            if strings.count > Self.scanLimit {
                if byHash.isEmpty { for (code, h) in hashes.enumerated() { byHash[h, default: []].append(code) } }
                else { byHash[hash, default: []].append(found) }
            }
        }
        last = found
        lastHash = hash
        return found
    }

    private func same(_ code: Int, _ text: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        bytes[code].count == count && bytes[code].withUnsafeBufferPointer { stored in
            stored.baseAddress.map { memcmp($0, text, count) == 0 } ?? false
        }
    }

    /// A label column from per-token codes: classes in natural order, missing values −1.
    func column(name: String, codes seen: [Int32]) -> LabelColumn {
        let present = strings.enumerated().compactMap { $0.element == nil ? nil : ($0.offset, $0.element ?? "") }
        let sorted = present.sorted { naturalOrder($0.1, $1.1) }
        var remap = [Int32](repeating: -1, count: strings.count)
        for (newCode, entry) in sorted.enumerated() { remap[entry.0] = Int32(newCode) }
        return LabelColumn(name: name, classes: sorted.map(\.1), codes: seen.map { remap[Int($0)] })
    }
}
