import Foundation
import Store

/// Reads Praat TextGrid files in the long ("ooTextFile") and short formats, as Praat, the Montreal
/// Forced Aligner and praatio write them, in UTF-8 or UTF-16. Like Praat's reader it reads values in
/// order and steps over the long format's labels; unlike it, every problem names its line.
public enum TextGridReader {
    /// Reads and checks the TextGrid at `url`; errors are `file:line: problem`.
    public static func read(_ url: URL) throws -> TextGrid {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let missing = !FileManager.default.fileExists(atPath: url.path)
            throw StoreError(url, missing ? "does not exist" : "cannot be read")
        }
        return try parse(data, file: url.path)
    }

    /// Parses TextGrid bytes; `file` names them in errors.
    public static func parse(_ data: Data, file: String) throws -> TextGrid {
        if data.starts(with: Array("ooBinaryFile".utf8)) {
            throw StoreError(file, line: 1, "is a binary TextGrid; save it from Praat as a text file (Save as text file…)")
        }
        let (scalars, _) = TextDecoding.decode(data)
        var parser = Parser(lexer: TextGridLexer(scalars))
        do {
            return try parser.textGrid()
        } catch {
            throw StoreError(file, line: error.line, error.message)
        }
    }

    /// Walks the token stream in the order Praat writes a TextGrid.
    private struct Parser {
        var lexer: TextGridLexer
        /// The labels of the long format, which carry no values.
        static let labels: Set<String> = ["File", "type", "Object", "class", "xmin", "xmax", "tiers?", "size", "item",
                                          "name", "intervals", "points", "number", "mark", "text"]

        typealias Failure = TextGridLexer.Failure

        /// The next value, stepping over the long format's labels.
        mutating func value() throws(Failure) -> (token: TextGridLexer.Token, line: Int) {
            while true {
                let next = try lexer.next()
                if case .word(let word) = next.token, Self.labels.contains(word) { continue }
                return next
            }
        }

        mutating func string(_ what: String) throws(Failure) -> (String, Int) {
            let (token, line) = try value()
            guard case .string(let text) = token else {
                throw Failure(line: line, message: "expected \(what) in quotes, found \(token.described)")
            }
            return (text, line)
        }

        mutating func number(_ what: String) throws(Failure) -> (Double, Int) {
            let (token, line) = try value()
            guard case .number(let value, _) = token else {
                throw Failure(line: line, message: "expected a number (\(what)), found \(token.described)")
            }
            return (value, line)
        }

        mutating func count(_ what: String) throws(Failure) -> Int {
            let (value, line) = try number(what)
            guard value >= 0, value == value.rounded(), value < 1e9 else {
                throw Failure(line: line, message: "expected a whole number (\(what)), found \(value)")
            }
            return Int(value)
        }

        mutating func textGrid() throws(Failure) -> TextGrid {
            let (fileType, typeLine) = try string("the file type (\"ooTextFile\")")
            if fileType.hasPrefix("Praat chronological TextGrid") {
                throw Failure(line: typeLine, message: "is a chronological TextGrid; save it from Praat as a text file (Save as text file…)")
            }
            guard fileType == "ooTextFile" || fileType == "ooTextFile short" else {
                throw Failure(line: typeLine, message: "file type \"\(fileType)\" is not a Praat text file (\"ooTextFile\")")
            }
            let (objectClass, classLine) = try string("the object class (\"TextGrid\")")
            guard objectClass == "TextGrid" else {
                throw Failure(line: classLine, message: "holds a Praat \(objectClass), not a TextGrid")
            }
            let (xmin, _) = try number("xmin of the TextGrid")
            let (xmax, xmaxLine) = try number("xmax of the TextGrid")
            guard xmax >= xmin else {
                throw Failure(line: xmaxLine, message: "the TextGrid ends (xmax \(xmax)) before it starts (xmin \(xmin))")
            }
            let (flag, flagLine) = try value()
            guard case .flag(let exists) = flag, exists == "exists" || exists == "absent" else {
                throw Failure(line: flagLine, message: "expected <exists> or <absent> (whether the TextGrid has tiers), found \(flag.described)")
            }
            guard exists == "exists" else { return TextGrid(xmin: xmin, xmax: xmax, tiers: []) }
            let tierCount = try count("the number of tiers")
            var tiers: [TextGridTier] = []
            for index in 0..<tierCount { tiers.append(try tier(index + 1)) }
            return TextGrid(xmin: xmin, xmax: xmax, tiers: tiers)
        }

        mutating func tier(_ index: Int) throws(Failure) -> TextGridTier {
            let (className, classLine) = try string("the class of tier \(index) (\"IntervalTier\" or \"TextTier\")")
            guard let kind = TextGridTier.Kind(rawValue: className) else {
                throw Failure(line: classLine, message: "tier \(index) has class \"\(className)\"; expected \"IntervalTier\" or \"TextTier\"")
            }
            let (name, _) = try string("the name of tier \(index)")
            let tierName = "tier \(index) ('\(name)')"
            let (xmin, _) = try number("xmin of \(tierName)")
            let (xmax, xmaxLine) = try number("xmax of \(tierName)")
            guard xmax >= xmin else {
                throw Failure(line: xmaxLine, message: "\(tierName) ends (xmax \(xmax)) before it starts (xmin \(xmin))")
            }
            let itemCount = try count("the number of \(kind == .interval ? "intervals" : "points") in \(tierName)")
            var items: [TextGridItem] = []
            items.reserveCapacity(min(itemCount, 1 << 16))
            for i in stride(from: 1, through: itemCount, by: 1) {
                let item: TextGridItem
                if kind == .interval {
                    let (start, line) = try number("the start of interval \(i) of \(tierName)")
                    let (end, _) = try number("the end of interval \(i) of \(tierName)")
                    let (text, _) = try string("the text of interval \(i) of \(tierName)")
                    guard end >= start else {
                        throw Failure(line: line, message: "interval \(i) of \(tierName) ends (\(end)) before it starts (\(start))")
                    }
                    item = TextGridItem(start: start, end: end, text: text, line: line)
                } else {
                    let (time, line) = try number("the time of point \(i) of \(tierName)")
                    let (mark, _) = try string("the mark of point \(i) of \(tierName)")
                    item = TextGridItem(start: time, end: time, text: mark, line: line)
                }
                if let previous = items.last, item.start < previous.end - Self.tolerance {
                    let what = kind == .interval ? "interval" : "point"
                    throw Failure(line: item.line, message: "\(what) \(i) of \(tierName) starts at \(item.start) s, before \(what) \(i - 1) ends (\(previous.end) s)")
                }
                items.append(item)
            }
            return TextGridTier(name: name, kind: kind, xmin: xmin, xmax: xmax, items: items)
        }

        /// Boundaries written with few digits may disagree by rounding; anything larger is an overlap.
        static let tolerance = 1e-6
    }
}
