/// Splits the text of a Praat TextGrid into the values Praat's own reader looks for — numbers,
/// quoted strings (`""` inside is one quote) and flags such as `<exists>` — and the words of the
/// long format's labels (`xmin =`, `intervals [3]:`), keeping the line of each. The short format
/// is the same values without the labels, so one lexer serves both.
struct TextGridLexer {
    enum Token: Equatable {
        case number(Double, String)
        case string(String)
        case flag(String)
        case word(String)
        case end

        /// How the token reads in an error message.
        var described: String {
            switch self {
            case .number(_, let text): return "the number \(text)"
            case .string(let text): return "the text \"\(text.count > 40 ? String(text.prefix(40)) + "…" : text)\""
            case .flag(let text): return "<\(text)>"
            case .word(let text): return "'\(text)'"
            case .end: return "the end of the file"
            }
        }
    }

    /// A problem at a line, for the reader to attach to the file.
    struct Failure: Error {
        let line: Int
        let message: String
    }

    private let scalars: [Unicode.Scalar]
    private var position = 0
    /// The 1-based line of the next unread character.
    private(set) var line = 1

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    /// The next token and the line it starts on.
    mutating func next() throws(Failure) -> (token: Token, line: Int) {
        skipSeparators()
        guard position < scalars.count else { return (.end, line) }
        let startLine = line
        let c = scalars[position]
        if c == "\"" { return (.string(try readString()), startLine) }
        if c == "<" { return (try readFlag(), startLine) }
        if startsNumber(at: position) { return (try readNumber(), startLine) }
        if isLetter(c) || c == "_" {
            var word = String.UnicodeScalarView()
            while position < scalars.count, isLetter(scalars[position]) || isDigit(scalars[position])
                || scalars[position] == "_" || scalars[position] == "?" {
                word.append(scalars[position])
                position += 1
            }
            return (.word(String(word)), startLine)
        }
        position += 1
        return (.word(String(c)), startLine)
    }

    /// Skips white space, line breaks, `!` comments, `=`, `:` and bracketed indices (`[3]`, `[]`).
    private mutating func skipSeparators() {
        while position < scalars.count {
            let c = scalars[position]
            switch c {
            case " ", "\t", "\u{0B}", "\u{0C}", "=", ":", "\u{FEFF}":
                position += 1
            case "\n", "\r":
                advanceLineBreak()
            case "!":
                while position < scalars.count, scalars[position] != "\n", scalars[position] != "\r" { position += 1 }
            case "[":
                var end = position + 1
                while end < scalars.count, scalars[end] != "]", scalars[end] != "\n", scalars[end] != "\r" { end += 1 }
                guard end < scalars.count, scalars[end] == "]" else { return }
                position = end + 1
            default:
                return
            }
        }
    }

    /// Counts one line break (CR, LF or CR LF) and steps over it.
    private mutating func advanceLineBreak() {
        if scalars[position] == "\r", position + 1 < scalars.count, scalars[position + 1] == "\n" { position += 1 }
        position += 1
        line += 1
    }

    private mutating func readString() throws(Failure) -> String {
        let openedOn = line
        position += 1
        var text = String.UnicodeScalarView()
        while position < scalars.count {
            let c = scalars[position]
            if c == "\"" {
                if position + 1 < scalars.count, scalars[position + 1] == "\"" {
                    text.append("\"")
                    position += 2
                    continue
                }
                position += 1
                return String(text)
            }
            if c == "\n" || c == "\r" {
                advanceLineBreak()
                text.append("\n")
                continue
            }
            text.append(c)
            position += 1
        }
        throw Failure(line: openedOn, message: "a text in quotes opened on line \(openedOn) is never closed")
    }

    private mutating func readFlag() throws(Failure) -> Token {
        var end = position + 1
        while end < scalars.count, scalars[end] != ">", scalars[end] != "\n", scalars[end] != "\r" { end += 1 }
        guard end < scalars.count, scalars[end] == ">" else {
            throw Failure(line: line, message: "a '<' that is not closed by '>' on the same line")
        }
        let flag = String(String.UnicodeScalarView(scalars[(position + 1)..<end]))
        position = end + 1
        return .flag(flag)
    }

    private func startsNumber(at index: Int) -> Bool {
        let c = scalars[index]
        if isDigit(c) { return true }
        guard c == "-" || c == "+" || c == "." else { return false }
        guard index + 1 < scalars.count else { return false }
        let d = scalars[index + 1]
        return isDigit(d) || (d == "." && c != "." && index + 2 < scalars.count && isDigit(scalars[index + 2]))
    }

    private mutating func readNumber() throws(Failure) -> Token {
        var text = ""
        var previous: Unicode.Scalar = " "
        while position < scalars.count {
            let c = scalars[position]
            let sign = (c == "-" || c == "+") && (text.isEmpty || previous == "e" || previous == "E")
            guard isDigit(c) || c == "." || c == "e" || c == "E" || sign else { break }
            text.unicodeScalars.append(c)
            previous = c
            position += 1
        }
        guard let value = Double(text), value.isFinite else {
            throw Failure(line: line, message: "'\(text)' is not a number")
        }
        return .number(value, text)
    }

    private func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    private func isLetter(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }
}
