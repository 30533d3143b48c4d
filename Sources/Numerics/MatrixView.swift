/// A read-only row-major float16 or float32 matrix over memory that another object owns,
/// such as a memory-mapped `.npy` file. Rows are converted to float32 block by block on demand,
/// so a whole float16 layer is never widened at once.
public struct MatrixView: @unchecked Sendable {
    public let base: UnsafeRawPointer
    public let rows: Int
    public let cols: Int
    public let type: ScalarType
    /// Keeps the memory alive (a mapping, a buffer) as long as the view exists.
    public let owner: AnyObject?

    public init(base: UnsafeRawPointer, rows: Int, cols: Int, type: ScalarType, owner: AnyObject?) {
        self.base = base
        self.rows = rows
        self.cols = cols
        self.type = type
        self.owner = owner
    }

    /// Copies rows `range` into `destination` (range.count × cols float32 values), widening float16.
    public func copyRows(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) outside 0..<\(rows)")
        let count = range.count * cols
        let offset = range.lowerBound * cols
        switch type {
        case .float32:
            destination.update(from: base.assumingMemoryBound(to: Float.self) + offset, count: count)
        case .float16:
            HalfPrecision.widen(base.assumingMemoryBound(to: UInt16.self) + offset, into: destination, count: count)
        }
    }

    /// Rows `range` as an owned float32 matrix.
    public func matrix(rows range: Range<Int>) -> Matrix<Float> {
        var result = Matrix<Float>(rows: range.count, cols: cols)
        result.storage.withUnsafeMutableBufferPointer { buffer in
            if let target = buffer.baseAddress { copyRows(range, into: target) }
        }
        return result
    }

    /// The selected rows, in the given order, as an owned float32 matrix.
    public func matrix(selecting indices: [Int]) -> Matrix<Float> {
        var result = Matrix<Float>(rows: indices.count, cols: cols)
        result.storage.withUnsafeMutableBufferPointer { buffer in
            guard let target = buffer.baseAddress else { return }
            for (i, row) in indices.enumerated() { copyRows(row..<(row + 1), into: target + i * cols) }
        }
        return result
    }

    /// Calls `body` with consecutive blocks of at most `blockRows` rows, widened to float32 in a reused buffer.
    public func forEachBlock(
        rows blockRows: Int, _ body: (_ range: Range<Int>, _ block: UnsafeBufferPointer<Float>) throws -> Void
    ) rethrows {
        let step = max(1, blockRows)
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: min(step, max(rows, 1)) * max(cols, 1))
        defer { buffer.deallocate() }
        var start = 0
        while start < rows {
            let end = min(rows, start + step)
            copyRows(start..<end, into: buffer)
            try body(start..<end, UnsafeBufferPointer(start: buffer, count: (end - start) * cols))
            start = end
        }
    }
}
