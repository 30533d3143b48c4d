import Foundation

/// The element type of a `.npy` array, as its `descr` string says (`<f4`, `>f8`, `|u1`, `<U12`, …).
public struct NpyDType: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Character, Sendable {
        case float = "f", signed = "i", unsigned = "u", bool = "b", unicode = "U", bytes = "S"
    }

    public let kind: Kind
    /// Bytes per element (for `U`, four per character).
    public let itemSize: Int
    /// Whether multi-byte elements are stored big-endian.
    public let bigEndian: Bool

    public init(kind: Kind, itemSize: Int, bigEndian: Bool = false) {
        self.kind = kind
        self.itemSize = itemSize
        self.bigEndian = bigEndian
    }

    public static let float16 = NpyDType(kind: .float, itemSize: 2)
    public static let float32 = NpyDType(kind: .float, itemSize: 4)
    public static let float64 = NpyDType(kind: .float, itemSize: 8)
    public static let int32 = NpyDType(kind: .signed, itemSize: 4)
    public static let int64 = NpyDType(kind: .signed, itemSize: 8)

    /// Parses a numpy `descr` such as `<f4`; nil for what layerscope cannot read (objects, structs, dates).
    public init?(descr: String) {
        var chars = Substring(descr)
        var big = false
        switch chars.first {
        case "<", "|", "=": chars = chars.dropFirst()
        case ">": big = true; chars = chars.dropFirst()
        default: break
        }
        guard let letter = chars.first, let kind = Kind(rawValue: letter),
              let count = Int(chars.dropFirst()), count > 0 else { return nil }
        let size = kind == .unicode ? count * 4 : count
        switch kind {
        case .float: guard [2, 4, 8].contains(size) else { return nil }
        case .signed, .unsigned: guard [1, 2, 4, 8].contains(size) else { return nil }
        case .bool: guard size == 1 else { return nil }
        case .unicode, .bytes: break
        }
        self.init(kind: kind, itemSize: size, bigEndian: big && size > 1)
    }

    /// The `descr` string numpy writes for this type.
    public var descr: String {
        let order: String
        switch kind {
        case .bool, .bytes: order = "|"
        case .signed, .unsigned: order = itemSize == 1 ? "|" : (bigEndian ? ">" : "<")
        default: order = bigEndian ? ">" : "<"
        }
        let count = kind == .unicode ? itemSize / 4 : itemSize
        return "\(order)\(kind.rawValue)\(count)"
    }

    public var description: String {
        switch kind {
        case .float: "float\(itemSize * 8)"
        case .signed: "int\(itemSize * 8)"
        case .unsigned: "uint\(itemSize * 8)"
        case .bool: "bool"
        case .unicode: "unicode string (\(itemSize / 4) characters)"
        case .bytes: "byte string (\(itemSize) bytes)"
        }
    }
}

/// The header of a `.npy` file: element type, memory order and shape, plus where the data starts.
public struct NpyHeader: Sendable, Equatable {
    public var dtype: NpyDType
    public var fortranOrder: Bool
    public var shape: [Int]
    /// Bytes from the start of the file to the first data byte.
    public var dataOffset: Int

    public init(dtype: NpyDType, fortranOrder: Bool = false, shape: [Int], dataOffset: Int = 0) {
        self.dtype = dtype
        self.fortranOrder = fortranOrder
        self.shape = shape
        self.dataOffset = dataOffset
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var dataByteCount: Int { elementCount * dtype.itemSize }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    /// numpy aligns the data to 64 bytes, which also suits memory-mapped SIMD reads.
    static let alignment = 64

    /// Parses the header at the start of `bytes`. `needMore` is returned (as nil header) when
    /// `bytes` is too short to hold the whole header yet; errors name `file`.
    public static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> NpyHeader? {
        if bytes.count < 10 {
            if bytes.count < magic.count || Array(bytes.prefix(magic.count)) == magic { return nil }
            throw StoreError(file, "not a .npy file (wrong magic bytes)")
        }
        guard Array(bytes.prefix(magic.count)) == magic else {
            throw StoreError(file, "not a .npy file (wrong magic bytes)")
        }
        let major = bytes[6]
        let headerLength: Int
        let prefix: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            prefix = 10
        case 2, 3:
            guard bytes.count >= 12 else { return nil }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            prefix = 12
        default:
            throw StoreError(file, ".npy format version \(major).\(bytes[7]) is not supported (1.0 to 3.0 are)")
        }
        guard bytes.count >= prefix + headerLength else { return nil }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[prefix..<(prefix + headerLength)]),
                          as: UTF8.self)
        var header = try parseDictionary(text, file: file)
        header.dataOffset = prefix + headerLength
        return header
    }

    /// Reads the header of a `.npy` file on disk.
    public static func read(from url: URL) throws -> NpyHeader {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw StoreError(url, "cannot be opened for reading")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 65_536 + 12)) ?? Data()
        let header = try data.withUnsafeBytes { try parse($0, file: url.path) }
        guard let header else { throw StoreError(url, "truncated: the file ends inside the .npy header") }
        return header
    }

    private static func parseDictionary(_ text: String, file: String) throws -> NpyHeader {
        var parser = PythonLiteralParser(text: text)
        guard let dict = parser.parseDictionary() else {
            throw StoreError(file, "the .npy header is not a readable dictionary: \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard case .string(let descr)? = dict["descr"] else {
            if dict["descr"] != nil {
                throw StoreError(file, "structured dtypes are not supported; save a plain numeric array")
            }
            throw StoreError(file, "the .npy header has no 'descr'")
        }
        guard let dtype = NpyDType(descr: descr) else {
            if descr.contains("O") {
                throw StoreError(file, "object arrays (dtype '\(descr)') cannot be read; save a numeric array, e.g. arr.astype('float32')")
            }
            throw StoreError(file, "dtype '\(descr)' is not supported (float16/32/64, integers, bool and strings are)")
        }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw StoreError(file, "the .npy header has no 'fortran_order'")
        }
        guard case .tuple(let shape)? = dict["shape"] else {
            throw StoreError(file, "the .npy header has no 'shape'")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw StoreError(file, "the .npy header has a negative dimension") }
        let (_, overflow) = shape.reduce((1, false)) { acc, dim in
            let (product, over) = acc.0.multipliedReportingOverflow(by: dim)
            return (product, acc.1 || over)
        }
        guard !overflow else { throw StoreError(file, "the .npy header's shape \(shape) is too large") }
        return NpyHeader(dtype: dtype, fortranOrder: fortran, shape: shape)
    }

    /// The header bytes numpy's format 1.0 (or 2.0 when long) would write, padded so data is 64-byte aligned.
    public func encoded() -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        let dict = "{'descr': '\(dtype.descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        var prefixLength = 10
        var total = prefixLength + dict.utf8.count + 1
        if total.roundedUp(to: Self.alignment) - prefixLength > Int(UInt16.max) {
            prefixLength = 12
            total = prefixLength + dict.utf8.count + 1
        }
        let padded = total.roundedUp(to: Self.alignment)
        let headerLength = padded - prefixLength
        var bytes = Self.magic
        bytes += prefixLength == 10 ? [1, 0] : [2, 0]
        bytes += [UInt8(headerLength & 0xff), UInt8((headerLength >> 8) & 0xff)]
        if prefixLength == 12 { bytes += [UInt8((headerLength >> 16) & 0xff), UInt8((headerLength >> 24) & 0xff)] }
        bytes += Array(dict.utf8)
        bytes += [UInt8](repeating: 0x20, count: padded - total)
        bytes.append(0x0A)
        return bytes
    }
}

extension Int {
    func roundedUp(to multiple: Int) -> Int { (self + multiple - 1) / multiple * multiple }
}

/// The few Python literals a `.npy` header holds: strings, booleans, integers, tuples and a dictionary.
struct PythonLiteralParser {
    enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case int(Int)
        case tuple([Int])
        case other
    }

    private let chars: [Character]
    private var index = 0

    init(text: String) { chars = Array(text) }

    mutating func parseDictionary() -> [String: Value]? {
        skipSpace()
        guard consume("{") else { return nil }
        var result: [String: Value] = [:]
        while true {
            skipSpace()
            if consume("}") { return result }
            guard case .string(let key)? = parseValue() else { return nil }
            skipSpace()
            guard consume(":") else { return nil }
            guard let value = parseValue() else { return nil }
            result[key] = value
            skipSpace()
            if consume(",") { continue }
            skipSpace()
            if consume("}") { return result }
            return nil
        }
    }

    private mutating func parseValue() -> Value? {
        skipSpace()
        guard index < chars.count else { return nil }
        let c = chars[index]
        if c == "'" || c == "\"" { return parseString(quote: c) }
        if c == "(" { return parseTuple() }
        if c == "[" { skipBracketed(open: "[", close: "]"); return .other }
        if matchWord("True") { return .bool(true) }
        if matchWord("False") { return .bool(false) }
        if c == "-" || c.isNumber {
            var text = String(c)
            index += 1
            while index < chars.count, chars[index].isNumber { text.append(chars[index]); index += 1 }
            if index < chars.count, chars[index] == "L" { index += 1 }  // Python 2 long suffix
            return Int(text).map(Value.int)
        }
        return nil
    }

    private mutating func parseString(quote: Character) -> Value? {
        index += 1
        var text = ""
        while index < chars.count, chars[index] != quote {
            text.append(chars[index])
            index += 1
        }
        guard index < chars.count else { return nil }
        index += 1
        return .string(text)
    }

    private mutating func parseTuple() -> Value? {
        index += 1
        var values: [Int] = []
        while true {
            skipSpace()
            if consume(")") { return .tuple(values) }
            guard case .int(let n)? = parseValue() else { return nil }
            values.append(n)
            skipSpace()
            if consume(",") { continue }
            skipSpace()
            if consume(")") { return .tuple(values) }
            return nil
        }
    }

    private mutating func skipBracketed(open: Character, close: Character) {
        var depth = 0
        while index < chars.count {
            if chars[index] == open { depth += 1 }
            if chars[index] == close { depth -= 1; if depth == 0 { index += 1; return } }
            index += 1
        }
    }

    private mutating func matchWord(_ word: String) -> Bool {
        let w = Array(word)
        guard index + w.count <= chars.count, Array(chars[index..<(index + w.count)]) == w else { return false }
        index += w.count
        return true
    }

    private mutating func consume(_ c: Character) -> Bool {
        guard index < chars.count, chars[index] == c else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while index < chars.count, chars[index].isWhitespace { index += 1 }
    }
}
