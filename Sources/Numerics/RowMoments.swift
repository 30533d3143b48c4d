/// One categorical grouping of rows (a label's class codes), for per-class row sums.
public struct RowGrouping: Sendable, Equatable {
    /// Per row: the class index, or a negative value to leave the row out of every class.
    public let codes: [Int32]
    public let classCount: Int

    public init(codes: [Int32], classCount: Int) {
        self.codes = codes
        self.classCount = classCount
    }
}

/// First and second moments of a stream of rows, accumulated about a fixed `shift` in double precision:
/// Σ(x − shift), Σ(x − shift)(x − shift)ᵀ and per-class Σ(x − shift). Subtracting a shift close to the
/// mean before any float32 arithmetic keeps large per-column offsets from cancelling the variance away.
public struct RowMoments: Sendable {
    public let cols: Int
    /// Subtracted from every row before it is summed.
    public let shift: [Float]
    public let count: Int
    /// Σ (x − shift), per column.
    public let sum: [Double]
    /// Σ (x − shift)(x − shift)ᵀ, both triangles.
    public let scatter: Matrix<Double>
    /// Per grouping: rows per class.
    public let classCounts: [[Int]]
    /// Per grouping: classCount × cols matrix of Σ (x − shift) over each class's rows.
    public let classSums: [Matrix<Double>]

    /// The column means.
    public var mean: [Double] { (0..<cols).map { Double(shift[$0]) + sum[$0] / Double(max(count, 1)) } }

    /// Whether every accumulated value is finite (a NaN or infinity in any row makes them not).
    public var isFinite: Bool {
        sum.allSatisfy(\.isFinite) && scatter.storage.allSatisfy(\.isFinite)
            && classSums.allSatisfy { $0.storage.allSatisfy(\.isFinite) }
    }

    /// The scatter about the mean, Σ (x − x̄)(x − x̄)ᵀ = Σ(x − s)(x − s)ᵀ − n·m·mᵀ with m = mean(x − s).
    public func centredScatter() -> Matrix<Double> {
        var result = scatter
        let n = Double(max(count, 1))
        let m = sum.map { $0 / n }
        for i in 0..<cols {
            for j in 0..<cols { result.storage[i * cols + j] -= n * m[i] * m[j] }
        }
        return result
    }

    public init(cols: Int, shift: [Float], count: Int, sum: [Double], scatter: Matrix<Double>,
                classCounts: [[Int]], classSums: [Matrix<Double>]) {
        self.cols = cols
        self.shift = shift
        self.count = count
        self.sum = sum
        self.scatter = scatter
        self.classCounts = classCounts
        self.classSums = classSums
    }
}

/// Accumulates `RowMoments` block by block with one SYRK per block: each row, shifted, is followed by
/// indicator columns [1 | one-hot of each grouping…], so C = [X̃ | E]ᵀ[X̃ | E] holds the scatter X̃ᵀX̃,
/// the column sums X̃ᵀ1 and the class sums X̃ᵀE at once, at BLAS's full speed. Float32 inside a block,
/// double precision across blocks. Groupings with many classes are summed row by row instead, where the
/// extra columns would cost more than a scatter. One accumulator is used from one thread; the work
/// inside a block uses all threads.
public final class RowMomentsAccumulator {
    public let cols: Int
    public let shift: [Float]
    private let groupings: [RowGrouping]
    /// Groupings summed through indicator columns, and the first indicator column of each.
    private let dense: [(grouping: Int, column: Int)]
    /// Row stride of the block buffer: cols + 1 (ones) + the dense groupings' classes.
    private let width: Int
    private let blockRows: Int
    private let buffer: UnsafeMutablePointer<Float>
    private var blockProduct: [Float]
    private var count = 0
    private var sum: [Double]
    private var scatter: [Double]
    private var classCounts: [[Int]]
    private var classSums: [[Double]]

    /// Groupings with at most this many classes are summed through the SYRK.
    public static let denseClassLimit = 128

    /// Rows are read from views in blocks of `blockRows`, minus `shift`; means come out in the original coordinates.
    public init(cols: Int, shift: [Float], groupings: [RowGrouping] = [], blockRows: Int = 8192) {
        precondition(shift.count == cols, "shift has \(shift.count) values for \(cols) columns")
        self.cols = cols
        self.shift = shift
        self.groupings = groupings
        var dense: [(Int, Int)] = []
        var column = cols + 1  // column `cols` is all ones: the column sums
        for (g, grouping) in groupings.enumerated() where grouping.classCount <= Self.denseClassLimit {
            dense.append((g, column))
            column += grouping.classCount
        }
        self.dense = dense
        self.width = column
        self.blockRows = max(1, blockRows)
        self.buffer = UnsafeMutablePointer<Float>.allocate(capacity: self.blockRows * column)
        self.blockProduct = [Float](repeating: 0, count: column * column)
        self.sum = [Double](repeating: 0, count: cols)
        self.scatter = [Double](repeating: 0, count: cols * cols)
        self.classCounts = groupings.map { [Int](repeating: 0, count: $0.classCount) }
        self.classSums = groupings.map { [Double](repeating: 0, count: $0.classCount * cols) }
    }

    deinit { buffer.deallocate() }

    /// Adds every row of `view`.
    public func add(_ view: MatrixView) {
        var start = 0
        while start < view.rows {
            let end = min(view.rows, start + blockRows)
            add(view, rows: start..<end)
            start = end
        }
    }

    /// Adds rows `rows` of `view` (at most `blockRows` of them); the groupings' codes are indexed by row.
    public func add(_ view: MatrixView, rows: Range<Int>) {
        precondition(view.cols == cols && rows.count <= blockRows, "block does not fit the accumulator")
        let n = rows.count
        guard n > 0, cols > 0 else { return }
        count += n
        fillBlock(view, rows: rows)
        blockProduct.withUnsafeMutableBufferPointer { product in
            Float.syrk(transpose: true, n: width, k: n, alpha: 1, a: buffer, lda: width, beta: 0,
                       c: product.baseAddress!, ldc: width)
            flush(product.baseAddress!)
        }
        for (g, grouping) in groupings.enumerated() {
            grouping.codes.withUnsafeBufferPointer { codes in
                for r in rows where codes[r] >= 0 { classCounts[g][Int(codes[r])] += 1 }
                guard grouping.classCount > Self.denseClassLimit else { return }
                classSums[g].withUnsafeMutableBufferPointer { sums in
                    RowKernels.addGroupedRows(buffer, rows: n, cols: cols, stride: width,
                                              codes: codes.baseAddress! + rows.lowerBound, into: sums.baseAddress!)
                }
            }
        }
    }

    /// Widens and shifts the rows into the buffer, then writes their indicator columns, in parallel.
    private func fillBlock(_ view: MatrixView, rows: Range<Int>) {
        let cols = self.cols, width = self.width, buffer = self.buffer
        shift.withUnsafeBufferPointer { shift in
            ComputeThreads.parallelChunks(rows.count, minimumChunk: 256) { part in
                let chunk = 16
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: chunk * cols)
                defer { scratch.deallocate() }
                var start = part.lowerBound
                while start < part.upperBound {
                    let end = min(part.upperBound, start + chunk)
                    view.copyRows((rows.lowerBound + start)..<(rows.lowerBound + end), into: scratch)
                    for r in start..<end {
                        let source = scratch + (r - start) * cols, target = buffer + r * width
                        for j in 0..<cols { target[j] = source[j] - shift[j] }
                        (target + cols).update(repeating: 0, count: width - cols)
                        target[cols] = 1
                        for (g, column) in dense {
                            let code = groupings[g].codes[rows.lowerBound + r]
                            if code >= 0 { target[column + Int(code)] = 1 }
                        }
                    }
                    start = end
                }
            }
        }
    }

    /// Adds a block's products into the double-precision totals: the upper triangle of the first `cols`
    /// rows and columns is the scatter; row i's columns past `cols` are x̃ᵢ's column sum and class sums.
    private func flush(_ product: UnsafeMutablePointer<Float>) {
        let cols = self.cols, width = self.width
        scatter.withUnsafeMutableBufferPointer { total in
            for i in 0..<cols {
                let row = product + i * width, target = total.baseAddress! + i * cols
                for j in i..<cols { target[j] += Double(row[j]) }
                sum[i] += Double(row[cols])
            }
        }
        for (g, column) in dense {
            let classes = groupings[g].classCount
            classSums[g].withUnsafeMutableBufferPointer { sums in
                for i in 0..<cols {
                    let row = product + i * width + column
                    for c in 0..<classes { sums[c * cols + i] += Double(row[c]) }
                }
            }
        }
    }

    /// The moments of every row added so far.
    public func finish() -> RowMoments {
        var full = Matrix(rows: cols, cols: cols, storage: scatter)
        full.symmetrizeFromUpper()
        return RowMoments(cols: cols, shift: shift, count: count, sum: sum, scatter: full, classCounts: classCounts,
                          classSums: zip(groupings, classSums).map { Matrix(rows: $0.classCount, cols: cols, storage: $1) })
    }
}

extension RowMoments {
    /// Moments of every row of `view`, read in blocks about a shift estimated from sampled rows.
    public static func accumulate(_ view: MatrixView, groupings: [RowGrouping] = [], blockRows: Int = 8192) -> RowMoments {
        let shift = view.sampledRowMean().map { Float($0) }
        let accumulator = RowMomentsAccumulator(cols: view.cols, shift: shift, groupings: groupings, blockRows: blockRows)
        accumulator.add(view)
        return accumulator.finish()
    }

    /// Moments of the rows of an in-memory matrix.
    public static func accumulate(_ matrix: Matrix<Float>, groupings: [RowGrouping] = [], blockRows: Int = 8192) -> RowMoments {
        matrix.storage.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, matrix.rows > 0 else {
                return RowMomentsAccumulator(cols: matrix.cols, shift: [Float](repeating: 0, count: matrix.cols),
                                             groupings: groupings).finish()
            }
            let view = MatrixView(base: UnsafeRawPointer(base), rows: matrix.rows, cols: matrix.cols, type: .float32, owner: nil)
            return accumulate(view, groupings: groupings, blockRows: blockRows)
        }
    }
}

extension RowKernels {
    /// sums[code[r]][j] += Double(block[r][j]) (row r starting at r·stride) for every row whose code is
    /// not negative. The columns are split across the compute threads, so no two threads write the same sum.
    public static func addGroupedRows(_ block: UnsafePointer<Float>, rows: Int, cols: Int, stride: Int, codes: UnsafePointer<Int32>,
                                      into sums: UnsafeMutablePointer<Double>) {
        ComputeThreads.parallelChunks(cols, minimumChunk: 128) { part in
            for r in 0..<rows {
                let code = Int(codes[r])
                guard code >= 0 else { continue }
                let row = block + r * stride, target = sums + code * cols
                for j in part { target[j] += Double(row[j]) }
            }
        }
    }
}
