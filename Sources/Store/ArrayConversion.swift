import Foundation
import Numerics

/// Converting numeric `.npy` data of any float type and byte order into float32.
enum ElementConversion {
    /// Converts `count` contiguous elements of `dtype` at `source` to float32.
    /// `source` must be aligned to the element size (the row assembler guarantees it).
    static func toFloat(_ source: UnsafeRawPointer, dtype: NpyDType, count: Int, into destination: UnsafeMutablePointer<Float>) {
        switch (dtype.itemSize, dtype.bigEndian) {
        case (4, false):
            destination.update(from: source.assumingMemoryBound(to: Float.self), count: count)
        case (2, false):
            HalfPrecision.widen(source.assumingMemoryBound(to: UInt16.self), into: destination, count: count)
        case (8, false):
            HalfPrecision.narrow(source.assumingMemoryBound(to: Double.self), into: destination, count: count)
        default:
            for i in 0..<count { destination[i] = element(source, index: i, dtype: dtype) }
        }
    }

    /// One element of any float type and byte order, by index.
    @inline(__always)
    static func element(_ source: UnsafeRawPointer, index: Int, dtype: NpyDType) -> Float {
        switch dtype.itemSize {
        case 2:
            let bits = source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)
            return Float(Float16(bitPattern: dtype.bigEndian ? bits.byteSwapped : bits))
        case 4:
            let bits = source.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
            return Float(bitPattern: dtype.bigEndian ? bits.byteSwapped : bits)
        default:
            let bits = source.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
            return Float(Double(bitPattern: dtype.bigEndian ? bits.byteSwapped : bits))
        }
    }
}

/// Receives converted float32 rows of one store array, checks them, and writes them out.
final class ArraySink {
    let writer: AtomicNpyWriter
    let sourceName: String
    private(set) var rowsWritten = 0
    private(set) var nonfiniteRows = 0
    private(set) var firstNonfiniteRow: Int?
    private(set) var overflowRows = 0
    private var half: UnsafeMutablePointer<UInt16>?
    private var halfCapacity = 0

    init(writer: AtomicNpyWriter, sourceName: String) {
        self.writer = writer
        self.sourceName = sourceName
    }

    deinit { half?.deallocate() }

    var cols: Int { writer.header.shape.count > 1 ? writer.header.shape[1] : 1 }

    /// Appends `rows` float32 rows, counting rows with NaN or infinity, and rows that float16 cannot hold.
    func append(_ values: UnsafePointer<Float>, rows: Int) throws {
        let cols = self.cols
        let count = rows * cols
        let bad = FiniteCheck.nonfiniteRows(values, rows: rows, cols: cols)
        if bad > 0 {
            if firstNonfiniteRow == nil {
                for r in 0..<rows where FiniteCheck.nonfiniteRows(values + r * cols, rows: 1, cols: cols) > 0 {
                    firstNonfiniteRow = rowsWritten + r
                    break
                }
            }
            nonfiniteRows += bad
        }
        if writer.header.dtype == .float16 {
            if halfCapacity < count {
                half?.deallocate()
                half = UnsafeMutablePointer<UInt16>.allocate(capacity: count)
                halfCapacity = count
            }
            guard let half else { return }
            HalfPrecision.narrow(values, into: half, count: count)
            let badAfter = FiniteCheck.nonfiniteRows(half: half, rows: rows, cols: cols)
            overflowRows += max(0, badAfter - bad)
            try writer.append(UnsafeRawBufferPointer(start: half, count: count * 2))
        } else {
            try writer.append(UnsafeRawBufferPointer(start: values, count: count * 4))
        }
        rowsWritten += rows
    }
}

/// Cuts a byte stream of C-order rows into whole rows, converts them to float32 in blocks, and
/// routes consecutive runs of `rowsPerSink` rows to consecutive sinks (one per layer of a stacked array).
final class RowAssembler {
    private let dtype: NpyDType
    private let rowBytes: Int
    private let cols: Int
    private let rowsPerSink: Int
    private let sinks: [ArraySink]
    private let blockRows: Int
    private let pending: UnsafeMutableRawPointer
    private var pendingBytes = 0
    private let converted: UnsafeMutablePointer<Float>
    private var rowsDone = 0

    init(dtype: NpyDType, cols: Int, rowsPerSink: Int, sinks: [ArraySink]) {
        self.dtype = dtype
        self.cols = max(cols, 1)
        self.rowBytes = max(cols, 1) * dtype.itemSize
        self.rowsPerSink = rowsPerSink
        self.sinks = sinks
        blockRows = max(1, (4 << 20) / rowBytes)
        pending = UnsafeMutableRawPointer.allocate(byteCount: blockRows * rowBytes, alignment: 64)
        converted = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * self.cols)
    }

    deinit {
        pending.deallocate()
        converted.deallocate()
    }

    /// Feeds the next bytes of the stream.
    func consume(_ chunk: UnsafeRawBufferPointer) throws {
        guard var base = chunk.baseAddress else { return }
        var left = chunk.count
        while left > 0 {
            let aligned = Int(bitPattern: base) % dtype.itemSize == 0
            if pendingBytes == 0, aligned, left >= rowBytes {
                // Whole rows straight from the source, without staging.
                let rows = min(left / rowBytes, blockRows)
                try emit(UnsafeRawPointer(base), rows: rows)
                base += rows * rowBytes
                left -= rows * rowBytes
                continue
            }
            let space = blockRows * rowBytes - pendingBytes
            let n = min(space, left)
            (pending + pendingBytes).copyMemory(from: base, byteCount: n)
            pendingBytes += n
            base += n
            left -= n
            let wholeRows = pendingBytes / rowBytes
            if pendingBytes == blockRows * rowBytes || (wholeRows > 0 && left == 0) {
                try emit(UnsafeRawPointer(pending), rows: wholeRows)
                let rest = pendingBytes - wholeRows * rowBytes
                if rest > 0 { pending.copyMemory(from: pending + wholeRows * rowBytes, byteCount: rest) }
                pendingBytes = rest
            }
        }
    }

    /// Checks that the stream ended on a row boundary.
    func finish(name: String) throws {
        guard pendingBytes == 0 else { throw StoreError(name, "the data ends inside a row") }
    }

    private func emit(_ source: UnsafeRawPointer, rows: Int) throws {
        var done = 0
        while done < rows {
            let sinkIndex = rowsDone / rowsPerSink
            guard sinkIndex < sinks.count else { throw StoreError(sinks.last?.sourceName ?? "", "holds more rows than its shape") }
            let room = rowsPerSink - rowsDone % rowsPerSink
            let n = min(room, rows - done)
            ElementConversion.toFloat(source + done * rowBytes, dtype: dtype, count: n * cols, into: converted)
            try sinks[sinkIndex].append(converted, rows: n)
            done += n
            rowsDone += n
        }
    }
}
