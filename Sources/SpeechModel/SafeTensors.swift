import Foundation
import Numerics
import Store

/// The element types a safetensors file may store weights in.
public enum SafeTensorsDType: String, Sendable {
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case float64 = "F64"

    var byteCount: Int {
        switch self {
        case .float16, .bfloat16: 2
        case .float32: 4
        case .float64: 8
        }
    }
}

/// Where one tensor lies in a safetensors file.
public struct SafeTensorsEntry: Sendable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Byte offset from the start of the file.
    let offset: Int
    let byteCount: Int

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file, memory-mapped: an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the tensor bytes.
public final class SafeTensorsFile: @unchecked Sendable {
    public let url: URL
    public let entries: [String: SafeTensorsEntry]
    let file: MappedFile

    /// Maps `url` and checks its header: every byte range inside the file and matching its shape.
    public init(url: URL) throws {
        let file = try MappedFile(url: url)
        let bytes = file.buffer
        guard bytes.count >= 8 else {
            throw StoreError(url, "truncated: \(bytes.count) bytes, too short for a safetensors header")
        }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw StoreError(url, "truncated: the header claims \(headerLength) bytes, the file has \(bytes.count - 8) after the length")
        }
        let dataStart = 8 + Int(headerLength)
        let header = Data(bytes[8..<dataStart])
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: header) } catch {
            throw StoreError(url, "the safetensors header is not valid JSON")
        }
        guard let object = json as? [String: Any] else {
            throw StoreError(url, "the safetensors header is not a JSON object")
        }
        var entries: [String: SafeTensorsEntry] = [:]
        let dataSize = bytes.count - dataStart
        for (name, value) in object where name != "__metadata__" {
            entries[name] = try Self.entry(name, value, dataStart: dataStart, dataSize: dataSize, url: url)
        }
        self.url = url
        self.file = file
        self.entries = entries
    }

    private static func entry(_ name: String, _ value: Any, dataStart: Int, dataSize: Int, url: URL) throws -> SafeTensorsEntry {
        guard let fields = value as? [String: Any], let dtypeName = fields["dtype"] as? String,
              let shapeValues = fields["shape"] as? [Any], let offsetValues = fields["data_offsets"] as? [Any],
              offsetValues.count == 2
        else {
            throw StoreError(url, "tensor '\(name)': the header entry needs dtype, shape and two data_offsets")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw StoreError(url, "tensor '\(name)': dtype \(dtypeName) is not supported (F32, F16, BF16, F64)")
        }
        let shape = shapeValues.compactMap { ($0 as? NSNumber)?.intValue }
        let offsets = offsetValues.compactMap { ($0 as? NSNumber)?.intValue }
        guard shape.count == shapeValues.count, shape.allSatisfy({ $0 >= 0 }), offsets.count == 2 else {
            throw StoreError(url, "tensor '\(name)': shape and data_offsets must be non-negative integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        let (count, overflow) = shape.reduce((1, false)) { acc, n in
            let (product, o) = acc.0.multipliedReportingOverflow(by: n)
            return (product, acc.1 || o)
        }
        guard !overflow, begin >= 0, begin <= end, end - begin == count * dtype.byteCount else {
            throw StoreError(url, "tensor '\(name)': data_offsets [\(begin), \(end)] do not hold shape \(shape) of \(dtypeName)")
        }
        guard end <= dataSize else {
            throw StoreError(url, "truncated: tensor '\(name)' ends at byte \(end) of the data, the file holds \(dataSize)")
        }
        return SafeTensorsEntry(name: name, dtype: dtype, shape: shape, offset: dataStart + begin, byteCount: end - begin)
    }

    /// The tensor's values as float32: borrowed from the mapping when stored as aligned float32,
    /// widened once into owned memory otherwise (and the source pages released).
    func floats(_ entry: SafeTensorsEntry) -> FloatTensor {
        guard let base = file.bytes else { return FloatTensor(shape: entry.shape) { _ in } }
        let source = base + entry.offset
        let count = entry.elementCount
        if entry.dtype == .float32, Int(bitPattern: source) % MemoryLayout<Float>.alignment == 0 {
            return FloatTensor(borrowing: source.assumingMemoryBound(to: Float.self), shape: entry.shape, owner: file)
        }
        let tensor = FloatTensor(shape: entry.shape) { target in Self.widen(source, entry.dtype, count: count, into: target) }
        file.adviseDontNeed(offset: entry.offset, count: entry.byteCount)
        return tensor
    }

    private static func widen(_ source: UnsafeRawPointer, _ dtype: SafeTensorsDType, count: Int, into target: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .float32:
            memcpy(target, source, count * 4)
        case .float16:
            if Int(bitPattern: source) % 2 == 0 {
                HalfPrecision.widen(source.assumingMemoryBound(to: UInt16.self), into: target, count: count)
            } else {
                let bits = (0..<count).map { source.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self) }
                bits.withUnsafeBufferPointer { HalfPrecision.widen($0.baseAddress!, into: target, count: count) }
            }
        case .bfloat16:
            // bfloat16 is the top half of a float32.
            for i in 0..<count {
                target[i] = Float(bitPattern: UInt32(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16)
            }
        case .float64:
            for i in 0..<count { target[i] = Float(source.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
        }
    }
}

/// A weight tensor as float32 values in row-major order, kept alive with whatever owns them.
public final class FloatTensor: @unchecked Sendable {
    public let shape: [Int]
    public let pointer: UnsafePointer<Float>
    public let count: Int
    /// The mapping the values are borrowed from, if they are.
    private let owner: AnyObject?
    private let allocated: UnsafeMutablePointer<Float>?

    init(borrowing pointer: UnsafePointer<Float>, shape: [Int], owner: AnyObject) {
        self.shape = shape
        self.pointer = pointer
        self.count = shape.reduce(1, *)
        self.owner = owner
        self.allocated = nil
    }

    /// A tensor of owned memory that `initialize` fills (all `shape.reduce(1, *)` values).
    init(shape: [Int], initialize: (UnsafeMutablePointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        let memory = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        memory.initialize(repeating: 0, count: max(count, 1))
        initialize(memory)
        self.shape = shape
        self.count = count
        self.pointer = UnsafePointer(memory)
        self.allocated = memory
        self.owner = nil
    }

    deinit { allocated?.deallocate() }

    /// The values as an array (a copy).
    public var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Whether the values are read straight from the mapped file rather than a converted copy.
    public var isBorrowed: Bool { owner != nil }

    /// The value at a multi-dimensional index (row-major).
    subscript(_ index: Int...) -> Float {
        var flat = 0
        for (i, n) in zip(index, shape) { flat = flat * n + i }
        return pointer[flat]
    }
}
