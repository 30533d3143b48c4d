import Foundation
import Store

/// `speakers.tsv`: one row per speaker with its `speaker` id and `sex`; every other column is a
/// speaker-level label (age group, dialect, …) that each of the speaker's tokens carries.
public struct SpeakerTable: Sendable, Equatable {
    public let file: String
    /// The label columns: `sex` first, then the others in file order.
    public let columns: [String]
    /// Speaker → labels parallel to `columns` (nil where the cell is empty).
    public let rows: [String: [String?]]

    public init(file: String, columns: [String], rows: [String: [String?]]) {
        self.file = file
        self.columns = columns
        self.rows = rows
    }

    /// Reads a TSV (or CSV) with at least the columns `speaker` and `sex` (any letter case).
    public static func read(_ url: URL) throws -> SpeakerTable {
        guard FileManager.default.fileExists(atPath: url.path) else { throw StoreError(url, "does not exist") }
        let text = try DelimitedText(contentsOf: url)
        let lowered = text.header.map { $0.lowercased() }
        guard let speakerColumn = lowered.firstIndex(of: "speaker") else {
            throw StoreError(url, line: 1, "has no 'speaker' column (found: \(text.header.joined(separator: ", ")))")
        }
        guard let sexColumn = lowered.firstIndex(of: "sex") else {
            throw StoreError(url, line: 1, "has no 'sex' column (found: \(text.header.joined(separator: ", ")))")
        }
        var seen = Set<String>()
        for (i, name) in lowered.enumerated() {
            guard !name.isEmpty else { throw StoreError(url, line: 1, "column \(i + 1) has no name") }
            guard seen.insert(name).inserted else { throw StoreError(url, line: 1, "column '\(text.header[i])' appears twice") }
        }
        let others = text.header.indices.filter { $0 != speakerColumn && $0 != sexColumn }
        let order = [sexColumn] + others
        var rows: [String: [String?]] = [:]
        var firstLine: [String: Int] = [:]
        for (line, fields) in text.records {
            let speaker = fields[speakerColumn].trimmingCharacters(in: .whitespaces)
            guard !speaker.isEmpty else { throw StoreError(url, line: line, "the speaker is empty") }
            if let first = firstLine[speaker] {
                throw StoreError(url, line: line, "speaker \(speaker) appears twice (first on line \(first))")
            }
            firstLine[speaker] = line
            rows[speaker] = order.map { column in
                let value = fields[column].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
        }
        return SpeakerTable(file: url.path, columns: ["sex"] + others.map { text.header[$0] }, rows: rows)
    }
}

/// How an utterance finds its speaker: a column of an utterances file, a regular expression on
/// the audio file's name (`--speaker-from`), or, when neither is given, the folder that holds the
/// audio file (Aishell's `wav/S0764/BAC009S0764W0121.wav`, LibriSpeech's `19/198/19-198-0001.flac`
/// give the folder right above the file).
public enum SpeakerSource: Sendable {
    case utterancesFile(file: String, speakers: [String: String])
    case pattern(NSRegularExpressionBox)
    case folder

    /// Reads an utterances file: a TSV (or CSV) with an `utterance` column and `column` (the speaker).
    public static func utterancesFile(_ url: URL, column: String = "speaker") throws -> SpeakerSource {
        guard FileManager.default.fileExists(atPath: url.path) else { throw StoreError(url, "does not exist") }
        let text = try DelimitedText(contentsOf: url)
        let lowered = text.header.map { $0.lowercased() }
        guard let utteranceColumn = lowered.firstIndex(of: "utterance") else {
            throw StoreError(url, line: 1, "has no 'utterance' column (found: \(text.header.joined(separator: ", ")))")
        }
        guard let speakerColumn = lowered.firstIndex(of: column.lowercased()) else {
            throw StoreError(url, line: 1, "has no '\(column)' column (found: \(text.header.joined(separator: ", ")))")
        }
        var speakers: [String: String] = [:]
        for (line, fields) in text.records {
            let utterance = fields[utteranceColumn].trimmingCharacters(in: .whitespaces)
            let speaker = fields[speakerColumn].trimmingCharacters(in: .whitespaces)
            guard !utterance.isEmpty, !speaker.isEmpty else {
                throw StoreError(url, line: line, "the utterance or its speaker is empty")
            }
            if let other = speakers[utterance], other != speaker {
                throw StoreError(url, line: line, "utterance \(utterance) is given speaker \(speaker) here and \(other) earlier")
            }
            speakers[utterance] = speaker
        }
        return .utterancesFile(file: url.path, speakers: speakers)
    }

    /// `--speaker-from REGEX`: the first group of `pattern`, searched in the audio file's name.
    public static func pattern(_ pattern: String) throws -> SpeakerSource {
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw StoreError("--speaker-from", "'\(pattern)' is not a regular expression")
        }
        guard regex.numberOfCaptureGroups >= 1 else {
            throw StoreError("--speaker-from", "'\(pattern)' has no group: put the speaker part in parentheses, e.g. 'BAC009(S\\d{4})W'")
        }
        return .pattern(NSRegularExpressionBox(regex: regex))
    }

    /// The speaker of `utterance`, whose audio file is `audio` under `audioRoot`; throws the reason
    /// when this source cannot tell.
    public func speaker(utterance: String, audio: URL, audioRoot: URL) throws(SpeakerLookupError) -> String {
        switch self {
        case .utterancesFile(let file, let speakers):
            guard let speaker = speakers[utterance] else {
                throw SpeakerLookupError("utterance \(utterance) is not in the utterances file \(file)")
            }
            return speaker
        case .pattern(let box):
            let name = audio.lastPathComponent
            let range = NSRange(name.startIndex..., in: name)
            guard let match = box.regex.firstMatch(in: name, range: range),
                  let group = Range(match.range(at: 1), in: name), !group.isEmpty else {
                throw SpeakerLookupError("--speaker-from '\(box.regex.pattern)' does not match the audio file name \(name)")
            }
            return String(name[group])
        case .folder:
            let folder = audio.deletingLastPathComponent().standardizedFileURL
            guard folder.path != audioRoot.standardizedFileURL.path else {
                throw SpeakerLookupError("cannot tell the speaker of \(audio.lastPathComponent): it is not in a speaker folder; give --speaker-from REGEX or --utterances FILE")
            }
            return folder.lastPathComponent
        }
    }

    /// How the source is recorded in a store's settings.
    public var settingsValue: String {
        switch self {
        case .utterancesFile(let file, _): return "utterances:\(file)"
        case .pattern(let box): return "regex:\(box.regex.pattern)"
        case .folder: return "folder"
        }
    }
}

/// A compiled regular expression shared between threads; `NSRegularExpression` is immutable and
/// documented as thread-safe, which Swift cannot see.
public struct NSRegularExpressionBox: @unchecked Sendable {
    public let regex: NSRegularExpression
}

/// Why an utterance's speaker could not be found.
public struct SpeakerLookupError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
