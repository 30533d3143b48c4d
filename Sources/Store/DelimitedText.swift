import Foundation

/// A TSV or CSV file read into rows of fields: a header and records, each with its 1-based line.
/// Quoted fields (RFC 4180) may hold the delimiter, quotes (doubled) and line breaks.
public struct DelimitedText: Sendable {
    public let header: [String]
    public let records: [(line: Int, fields: [String])]
    public let delimiter: Character

    /// Reads `url`; the delimiter is a tab for `.tsv`/`.tab`/`.txt`, a comma for `.csv`,
    /// and otherwise whichever of the two the header line holds.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw StoreError(url, "cannot be read (\(Self.reason(error)))")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw StoreError(url, "is not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        switch url.pathExtension.lowercased() {
        case "csv": delimiter = ","
        case "tsv", "tab": delimiter = "\t"
        default: delimiter = firstLine.contains("\t") ? "\t" : ","
        }
        var rows = try Self.split(text, delimiter: delimiter, file: url.path)
        guard !rows.isEmpty else { throw StoreError(url, "is empty (a header line is required)") }
        let head = rows.removeFirst()
        header = head.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        let width = header.count
        for row in rows where row.fields.count != width {
            throw StoreError(url, line: row.line, "has \(row.fields.count) fields, the header has \(width)")
        }
        records = rows
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        return nsError.localizedDescription
    }

    /// Splits text into records; blank lines are skipped.
    static func split(_ text: String, delimiter: Character, file: String) throws -> [(line: Int, fields: [String])] {
        var rows: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var fieldStarted = false
        var line = 1
        var recordLine = 1
        var quoteLine = 1
        var iterator = text.makeIterator()
        var pending: Character? = nil

        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append((recordLine, fields)) }
            fields = []
            field = ""
            fieldStarted = false
        }

        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where !fieldStarted:
                inQuotes = true
                fieldStarted = true
                quoteLine = line
            case delimiter:
                fields.append(field)
                field = ""
                fieldStarted = false
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(c)
                fieldStarted = true
            }
        }
        if inQuotes { throw StoreError(file, line: quoteLine, "a quoted field is never closed") }
        if fieldStarted || !fields.isEmpty || !field.isEmpty { endRecord() }
        return rows
    }
}
