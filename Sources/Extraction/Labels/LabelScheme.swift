import Foundation
import Store

/// How an interval's text becomes the label columns of a token (`--scheme`).
public enum LabelScheme: Sendable, Equatable {
    /// Mandarin pinyin: a tonal final (`ang4`) or syllable (`zhang1`) gives `tone` and `final`; with
    /// `includeInitials`, initials alone are tokens too and a third column, `initial`, is filled.
    case pinyin(includeInitials: Bool)
    /// The text itself is the `phone` label.
    case plain
    /// A TSV file maps each text to label columns.
    case mapping(LabelMapping)

    /// `pinyin`, `plain`, or the path of a TSV mapping file.
    public static func named(_ name: String, includeInitials: Bool) throws -> LabelScheme {
        switch name {
        case "pinyin": return .pinyin(includeInitials: includeInitials)
        case "plain": return .plain
        default: return .mapping(try LabelMapping.read(URL(fileURLWithPath: name)))
        }
    }

    /// The label columns the scheme fills, in order.
    public var columns: [String] {
        switch self {
        case .pinyin(let includeInitials): return includeInitials ? ["tone", "final", "initial"] : ["tone", "final"]
        case .plain: return ["phone"]
        case .mapping(let mapping): return mapping.columns
        }
    }

    /// How the scheme is recorded in a store's settings.
    public var settingsName: String {
        switch self {
        case .pinyin: return "pinyin"
        case .plain: return "plain"
        case .mapping(let mapping): return mapping.file
        }
    }

    /// The labels of an interval whose text is `text` (not a silence marker), parallel to `columns`;
    /// nil when the interval is not a token (an initial without `--include-initials`, a mapping row
    /// with no values). `previous` is the text of the adjacent interval before it, if any.
    /// Throws a message when the scheme does not know the text.
    public func labels(_ text: String, previous: String?) throws(LabelSchemeError) -> [String?]? {
        switch self {
        case .pinyin(let includeInitials):
            guard let segment = Pinyin.parse(text, previous: previous) else {
                throw LabelSchemeError("'\(text)' is not pinyin (a tonal final such as ang4, a syllable such as zhang1, or an initial such as zh)")
            }
            guard let final = segment.final else {
                return includeInitials ? [nil, nil, segment.initial] : nil
            }
            let tone = String(segment.tone ?? 5)
            return includeInitials ? [tone, final, segment.initial] : [tone, final]
        case .plain:
            return [text.trimmingCharacters(in: .whitespacesAndNewlines)]
        case .mapping(let mapping):
            let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let values = mapping.rows[key] else {
                throw LabelSchemeError("'\(text)' is not in the mapping file \(mapping.file)")
            }
            return values.allSatisfy({ $0 == nil }) ? nil : values
        }
    }
}

/// A text the label scheme does not know.
public struct LabelSchemeError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A label mapping file: TSV (or CSV) whose first column is an interval's text and whose other
/// columns, named in the header, are the labels that text gets. A row whose labels are all empty
/// makes that text a non-token, like a silence marker.
public struct LabelMapping: Sendable, Equatable {
    public let file: String
    public let columns: [String]
    /// Text → labels (nil where the cell is empty).
    public let rows: [String: [String?]]

    public static func read(_ url: URL) throws -> LabelMapping {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StoreError(url, "does not exist (--scheme takes pinyin, plain, or a TSV mapping file)")
        }
        let text = try DelimitedText(contentsOf: url)
        guard text.header.count >= 2 else {
            throw StoreError(url, line: 1, "needs a header with the text column and at least one label column")
        }
        let columns = Array(text.header.dropFirst())
        var seen = Set<String>()
        for name in columns {
            guard !name.isEmpty else { throw StoreError(url, line: 1, "a label column has no name") }
            guard seen.insert(name.lowercased()).inserted else { throw StoreError(url, line: 1, "column '\(name)' appears twice") }
        }
        var rows: [String: [String?]] = [:]
        var lines: [String: Int] = [:]
        for (line, fields) in text.records {
            let key = fields[0].trimmingCharacters(in: .whitespacesAndNewlines)
            if let first = lines[key] {
                throw StoreError(url, line: line, "'\(key)' is mapped twice (first on line \(first))")
            }
            lines[key] = line
            rows[key] = fields.dropFirst().map { field in
                let value = field.trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
        }
        return LabelMapping(file: url.path, columns: columns, rows: rows)
    }
}
