import Foundation
import GRDB

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
        let cursor = try Row.fetchCursor(db, sql: "SELECT row, utterance, start, \"end\", frame\(columns) FROM tokens ORDER BY row")
        var expectedRow = 0
        while let row = try cursor.next() {
            let rowNumber: Int = row[0]
            guard rowNumber == expectedRow else {
                throw StoreError("tokens", "the token table skips row \(expectedRow) (found row \(rowNumber))")
            }
            expectedRow += 1
            let name: String = row[1]
            guard let utt = index[name] else {
                throw StoreError("tokens", "row \(rowNumber) names utterance \(name), which the utterance table lacks")
            }
            table.utterance.append(utt)
            table.start.append(row[2])
            table.end.append(row[3])
            table.frame.append(Int32(clamping: row[4] as Int))
            for j in 0..<labelNames.count { labelValues[j].append(row[5 + j]) }
        }
        table.labels = zip(labelNames, labelValues).map { LabelColumn(name: $0, values: $1) }
        return table
    }
}
