/// Reading a view's rows as float32 with a per-column offset removed, in parallel, block by block:
/// the first step of every streaming covariance, projection and class-sum pass.
extension MatrixView {
    /// Copies rows `range` into `destination` as float32 minus `offset` (one value per column),
    /// splitting the rows across the compute threads.
    public func copyRows(_ range: Range<Int>, subtracting offset: [Float], into destination: UnsafeMutablePointer<Float>) {
        precondition(offset.count == cols, "offset has \(offset.count) values for \(cols) columns")
        let cols = self.cols
        offset.withUnsafeBufferPointer { shift in
            // Rows are independent, so each thread widens and shifts its own slice, a few rows at a
            // time so the shift reads values still in cache.
            ComputeThreads.parallelChunks(range.count, minimumChunk: 256) { part in
                var start = part.lowerBound
                while start < part.upperBound {
                    let end = min(part.upperBound, start + 16)
                    let target = destination + start * cols
                    copyRows((range.lowerBound + start)..<(range.lowerBound + end), into: target)
                    RowKernels.subtract(shift.baseAddress!, fromRowsOf: target, rows: end - start, cols: cols)
                    start = end
                }
            }
        }
    }

    /// Calls `body` with consecutive blocks of at most `blockRows` rows, widened to float32 and shifted
    /// by `offset`, in a reused buffer. The buffer is mutable so `body` may reuse it as scratch.
    public func forEachBlock(
        rows blockRows: Int, subtracting offset: [Float],
        _ body: (_ range: Range<Int>, _ block: UnsafeMutableBufferPointer<Float>) throws -> Void
    ) rethrows {
        let step = max(1, blockRows)
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: min(step, max(rows, 1)) * max(cols, 1))
        defer { buffer.deallocate() }
        var start = 0
        while start < rows {
            let end = min(rows, start + step)
            copyRows(start..<end, subtracting: offset, into: buffer)
            try body(start..<end, UnsafeMutableBufferPointer(start: buffer, count: (end - start) * cols))
            start = end
        }
    }

    /// The mean of up to `sampleRows` evenly spaced rows, in double precision: a cheap estimate of the
    /// column means that streaming passes subtract first, so large offsets never reach a float32 sum.
    public func sampledRowMean(sampleRows: Int = 1024) -> [Double] {
        guard rows > 0, cols > 0 else { return [Double](repeating: 0, count: cols) }
        let count = min(rows, max(1, sampleRows))
        var sum = [Double](repeating: 0, count: cols)
        var row = [Float](repeating: 0, count: cols)
        for i in 0..<count {
            let index = count == 1 ? 0 : Int((Double(i) * Double(rows - 1) / Double(count - 1)).rounded(.down))
            row.withUnsafeMutableBufferPointer { copyRows(index..<(index + 1), into: $0.baseAddress!) }
            for j in 0..<cols { sum[j] += Double(row[j]) }
        }
        return sum.map { $0 / Double(count) }
    }
}

/// Elementwise loops over row-major float32 blocks that BLAS has no routine for.
public enum RowKernels {
    /// rows[i][j] -= offset[j] for every row.
    public static func subtract(_ offset: UnsafePointer<Float>, fromRowsOf rows: UnsafeMutablePointer<Float>, rows count: Int, cols: Int) {
        for r in 0..<count {
            let row = rows + r * cols
            for j in 0..<cols { row[j] -= offset[j] }
        }
    }

    /// accumulator[j] += Σ_rows block[r][j], in double precision.
    public static func addColumnSums(of block: UnsafePointer<Float>, rows: Int, cols: Int, into accumulator: UnsafeMutablePointer<Double>) {
        // Sum a strip of rows in float32 first (vectorised), then widen once per strip, so the double
        // accumulator sees few additions and the float32 partial sums stay short.
        let strip = 64
        var partial = [Float](repeating: 0, count: cols)
        partial.withUnsafeMutableBufferPointer { p in
            var start = 0
            while start < rows {
                let end = min(rows, start + strip)
                for j in 0..<cols { p[j] = 0 }
                for r in start..<end {
                    let row = block + r * cols
                    for j in 0..<cols { p[j] += row[j] }
                }
                for j in 0..<cols { accumulator[j] += Double(p[j]) }
                start = end
            }
        }
    }

    /// accumulator[j] += Σ_rows block[r][j]², in double precision (strips summed in float32 first).
    public static func addColumnSumsOfSquares(of block: UnsafePointer<Float>, rows: Int, cols: Int, into accumulator: UnsafeMutablePointer<Double>) {
        let strip = 64
        var partial = [Float](repeating: 0, count: cols)
        partial.withUnsafeMutableBufferPointer { p in
            var start = 0
            while start < rows {
                let end = min(rows, start + strip)
                for j in 0..<cols { p[j] = 0 }
                for r in start..<end {
                    let row = block + r * cols
                    for j in 0..<cols { p[j] += row[j] * row[j] }
                }
                for j in 0..<cols { accumulator[j] += Double(p[j]) }
                start = end
            }
        }
    }
}
