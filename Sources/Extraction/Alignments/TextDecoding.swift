import Foundation

/// How Praat's text files are encoded: UTF-8 (with or without a byte-order mark), UTF-16 with a
/// byte-order mark (Praat writes big-endian, Python's `utf-16` little-endian), and, for files from
/// old tools, ISO Latin-1 when the bytes are not valid UTF-8 — the same fallback Praat uses.
enum TextDecoding: String, Sendable {
    case utf8 = "UTF-8"
    case utf16LittleEndian = "UTF-16LE"
    case utf16BigEndian = "UTF-16BE"
    case latin1 = "ISO Latin-1"

    /// Decodes `data` into Unicode scalars, choosing the encoding from the byte-order mark (or,
    /// without one, from the zero bytes UTF-16 puts beside ASCII characters).
    static func decode(_ data: Data) -> (scalars: [Unicode.Scalar], encoding: TextDecoding) {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return (utf8Scalars(bytes.dropFirst(3)) ?? latin1Scalars(bytes.dropFirst(3)), .utf8)
        }
        if bytes.starts(with: [0xFF, 0xFE]) { return (utf16Scalars(bytes.dropFirst(2), bigEndian: false), .utf16LittleEndian) }
        if bytes.starts(with: [0xFE, 0xFF]) { return (utf16Scalars(bytes.dropFirst(2), bigEndian: true), .utf16BigEndian) }
        if bytes.count >= 4, bytes.count % 2 == 0 {
            // Without a mark: "F\0i\0" is UTF-16LE, "\0F\0i" UTF-16BE.
            if bytes[0] != 0, bytes[1] == 0, bytes[2] != 0, bytes[3] == 0 {
                return (utf16Scalars(bytes[...], bigEndian: false), .utf16LittleEndian)
            }
            if bytes[0] == 0, bytes[1] != 0, bytes[2] == 0, bytes[3] != 0 {
                return (utf16Scalars(bytes[...], bigEndian: true), .utf16BigEndian)
            }
        }
        if let scalars = utf8Scalars(bytes[...]) { return (scalars, .utf8) }
        return (latin1Scalars(bytes[...]), .latin1)
    }

    private static func utf8Scalars(_ bytes: ArraySlice<UInt8>) -> [Unicode.Scalar]? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        return Array(text.unicodeScalars)
    }

    private static func latin1Scalars(_ bytes: ArraySlice<UInt8>) -> [Unicode.Scalar] {
        bytes.map { Unicode.Scalar($0) }
    }

    /// UTF-16 code units to scalars; an unpaired surrogate becomes U+FFFD, as a trailing odd byte does.
    private static func utf16Scalars(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> [Unicode.Scalar] {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let a = UInt16(bytes[index]), b = UInt16(bytes[index + 1])
            units.append(bigEndian ? (a << 8 | b) : (b << 8 | a))
            index += 2
        }
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(units.count)
        var decoder = UTF16()
        var iterator = units.makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .error: scalars.append("\u{FFFD}")
            case .emptyInput: break loop
            }
        }
        if bytes.count % 2 == 1 { scalars.append("\u{FFFD}") }
        return scalars
    }
}
