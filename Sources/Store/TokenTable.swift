import Foundation

/// One categorical column of the token table (sex, tone, final, …), stored as class codes.
public struct LabelColumn: Sendable, Equatable {
    public let name: String
    /// The classes in natural order ("2" before "10"); a code indexes this list.
    public let classes: [String]
    /// Per token: the class index, or -1 where the token has no value for this label.
    public let codes: [Int32]

    public init(name: String, classes: [String], codes: [Int32]) {
        self.name = name
        self.classes = classes
        self.codes = codes
    }

    /// Builds a column from per-token values; nil or empty values are missing.
    public init(name: String, values: [String?]) {
        let distinct = Set(values.compactMap { $0 }.filter { !$0.isEmpty })
        let classes = distinct.sorted(by: naturalOrder)
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Int32($0)) })
        self.init(name: name, classes: classes, codes: values.map { value in
            guard let value, !value.isEmpty else { return -1 }
            return index[value] ?? -1
        })
    }

    /// Tokens per class, in class order.
    public var counts: [Int] {
        var counts = [Int](repeating: 0, count: classes.count)
        for code in codes where code >= 0 { counts[Int(code)] += 1 }
        return counts
    }

    /// Tokens without a value.
    public var missingCount: Int { codes.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }

    /// The value of token `row`, or nil where missing.
    public func value(at row: Int) -> String? {
        let code = Int(codes[row])
        return code >= 0 ? classes[code] : nil
    }
}

/// Orders strings as a person would: digit runs compare by value, so "tone2" < "tone10".
public func naturalOrder(_ a: String, _ b: String) -> Bool {
    let result = a.compare(b, options: [.numeric])
    if result == .orderedSame { return a < b }
    return result == .orderedAscending
}

/// The tokens of a store, column by column: row i describes row i of every layer array.
public struct TokenTable: Sendable, Equatable {
    /// Utterance names, in the order they first appear.
    public var utterances: [String]
    /// Speaker of each utterance (parallel to `utterances`).
    public var utteranceSpeakers: [String]
    /// Per token: index into `utterances`.
    public var utterance: [Int32]
    public var start: [Double]
    public var end: [Double]
    /// Per token: the 20 ms frame of the analysis point.
    public var frame: [Int32]
    public var labels: [LabelColumn]

    /// Seconds per model frame (wav2vec2's 20 ms stride).
    public static let frameDuration = 0.02

    /// Names of the columns every token table must have, in file order.
    public static let requiredColumns = ["utterance", "speaker", "start", "end"]

    public init(utterances: [String], utteranceSpeakers: [String], utterance: [Int32], start: [Double],
                end: [Double], frame: [Int32], labels: [LabelColumn]) {
        self.utterances = utterances
        self.utteranceSpeakers = utteranceSpeakers
        self.utterance = utterance
        self.start = start
        self.end = end
        self.frame = frame
        self.labels = labels
    }

    public var count: Int { utterance.count }

    /// The frame of an interval's centre: floor(((start + end) / 2) / 0.02).
    public static func centralFrame(start: Double, end: Double) -> Int {
        Int((((start + end) / 2) / frameDuration).rounded(.down))
    }

    /// The speaker of token `row`.
    public func speaker(at row: Int) -> String { utteranceSpeakers[Int(utterance[row])] }

    /// The label column called `name`, if the table has one.
    public func label(named name: String) -> LabelColumn? { labels.first { $0.name == name } }

    /// Distinct speakers, in first-appearance order.
    public var speakers: [String] {
        var seen = Set<String>()
        return utteranceSpeakers.filter { seen.insert($0).inserted }
    }

    /// Reads a TSV or CSV token table: utterance, speaker, start, end (seconds), an optional frame,
    /// and any other columns as categorical labels.
    public static func read(from url: URL) throws -> TokenTable {
        let text = try DelimitedText(contentsOf: url)
        let file = url.path
        var columnIndex: [String: Int] = [:]
        for (i, name) in text.header.enumerated() {
            guard !name.isEmpty else {
                throw StoreError(file, line: 1, "column \(i + 1) has no name (a pandas index? write the table with index=False)")
            }
            let key = name.lowercased()
            if columnIndex[key] != nil { throw StoreError(file, line: 1, "column '\(name)' appears twice") }
            columnIndex[key] = i
        }
        func required(_ name: String) throws -> Int {
            guard let index = columnIndex[name] else {
                throw StoreError(file, line: 1, "missing required column '\(name)' (found: \(text.header.joined(separator: ", ")))")
            }
            return index
        }
        let uttColumn = try required("utterance"), spkColumn = try required("speaker")
        let startColumn = try required("start"), endColumn = try required("end")
        guard !text.records.isEmpty else { throw StoreError(file, "has a header but no tokens") }
        let frameColumn = columnIndex["frame"]
        let fixed = Set(requiredColumns + ["frame"])
        let labelColumns = text.header.enumerated().filter { !fixed.contains($0.element.lowercased()) }

        var utterances: [String] = []
        var speakers: [String] = []
        var utteranceIndex: [String: Int32] = [:]
        var firstLine: [Int] = []
        var table = TokenTable(utterances: [], utteranceSpeakers: [], utterance: [], start: [], end: [], frame: [], labels: [])
        var labelValues = [[String?]](repeating: [], count: labelColumns.count)
        table.utterance.reserveCapacity(text.records.count)

        for (line, fields) in text.records {
            let name = fields[uttColumn].trimmingCharacters(in: .whitespaces)
            let speaker = fields[spkColumn].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw StoreError(file, line: line, "the utterance is empty") }
            guard !speaker.isEmpty else { throw StoreError(file, line: line, "the speaker is empty") }
            let index: Int32
            if let known = utteranceIndex[name] {
                index = known
                let expected = speakers[Int(known)]
                guard expected == speaker else {
                    throw StoreError(file, line: line, "utterance \(name) has speaker \(speaker) here but \(expected) on line \(firstLine[Int(known)])")
                }
            } else {
                index = Int32(utterances.count)
                utteranceIndex[name] = index
                utterances.append(name)
                speakers.append(speaker)
                firstLine.append(line)
            }
            let start = try number(fields[startColumn], "start", file: file, line: line)
            let end = try number(fields[endColumn], "end", file: file, line: line)
            guard start >= 0 else { throw StoreError(file, line: line, "start \(start) is negative") }
            guard end >= start else { throw StoreError(file, line: line, "end \(end) is before start \(start)") }
            var frame = centralFrame(start: start, end: end)
            if let frameColumn {
                let text = fields[frameColumn].trimmingCharacters(in: .whitespaces)
                guard let given = Int(text), given >= 0 else {
                    throw StoreError(file, line: line, "frame '\(text)' is not a non-negative whole number")
                }
                frame = given
            }
            guard frame <= Int(Int32.max) else { throw StoreError(file, line: line, "frame \(frame) is too large") }
            table.utterance.append(index)
            table.start.append(start)
            table.end.append(end)
            table.frame.append(Int32(frame))
            for (j, column) in labelColumns.enumerated() {
                let value = fields[column.offset].trimmingCharacters(in: .whitespaces)
                labelValues[j].append(value.isEmpty ? nil : value)
            }
        }
        table.utterances = utterances
        table.utteranceSpeakers = speakers
        table.labels = zip(labelColumns, labelValues).map { LabelColumn(name: $0.element, values: $1) }
        return table
    }

    private static func number(_ text: String, _ column: String, file: String, line: Int) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let value = Double(trimmed), value.isFinite else {
            throw StoreError(file, line: line, "\(column) '\(trimmed)' is not a number of seconds")
        }
        return value
    }

    /// Writes the table as TSV in row order: the fixed columns, then every label.
    public func tsv() -> String {
        var out = (["utterance", "speaker", "start", "end", "frame"] + labels.map(\.name)).joined(separator: "\t") + "\n"
        out.reserveCapacity(count * 48)
        for row in 0..<count {
            var fields = [utterances[Int(utterance[row])], speaker(at: row), Self.format(start[row]),
                          Self.format(end[row]), String(frame[row])]
            for label in labels { fields.append(label.value(at: row) ?? "") }
            out += fields.joined(separator: "\t")
            out += "\n"
        }
        return out
    }

    /// The shortest decimal that reads back as the same double.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(format: "%.1f", value) }
        return "\(value)"
    }
}
