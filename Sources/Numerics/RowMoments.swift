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
    /// Σ (x − shift)(x − shift)ᵀ, both triangles; empty (0×0) when the scatter was not asked for.
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

/// Accumulates `RowMoments` block by block: float32 SYRK per block for the scatter and one float32 GEMM
/// with an indicator matrix [1 | one-hot…] for the column and class sums (BLAS both), then double-precision
/// sums across blocks. Groupings with many classes are summed row by row instead, where the GEMM's cost
/// (proportional to the classes) would exceed a scatter's. One accumulator is used from one thread; the
/// work inside a block uses all threads.
public final class RowMomentsAccumulator {
    public let cols: Int
    public let shift: [Float]
    private let groupings: [RowGrouping]
    private let wantsScatter: Bool
    /// Groupings summed by the indicator GEMM, and the first indicator column of each.
    private let dense: [(grouping: Int, column: Int)]
    private let indicatorColumns: Int
    private var count = 0
    private var sum: [Double]
    private var scatter: [Double]
    private var blockScatter: [Float]
    private var blockSums: [Float]
    private var indicator: [Float] = []
    private var classCounts: [[Int]]
    private var classSums: [[Double]]

    /// Groupings with at most this many classes are summed by GEMM.
    public static let denseClassLimit = 128

    /// `shift` is subtracted from rows by the caller (see `MatrixView.forEachBlock(rows:subtracting:)`)
    /// before they reach `add`; it is recorded so means come out in the original coordinates.
    public init(cols: Int, shift: [Float], groupings: [RowGrouping] = [], scatter: Bool = true) {
        precondition(shift.count == cols, "shift has \(shift.count) values for \(cols) columns")
        self.cols = cols
        self.shift = shift
        self.groupings = groupings
        self.wantsScatter = scatter
        var dense: [(Int, Int)] = []
        var column = 1  // column 0 is all ones: the column sums
        for (g, grouping) in groupings.enumerated() where grouping.classCount <= Self.denseClassLimit {
            dense.append((g, column))
            column += grouping.classCount
        }
        self.dense = dense
        self.indicatorColumns = column
        self.sum = [Double](repeating: 0, count: cols)
        self.scatter = scatter ? [Double](repeating: 0, count: cols * cols) : []
        self.blockScatter = scatter ? [Float](repeating: 0, count: cols * cols) : []
        self.blockSums = [Float](repeating: 0, count: column * cols)
        self.classCounts = groupings.map { [Int](repeating: 0, count: $0.classCount) }
        self.classSums = groupings.map { [Double](repeating: 0, count: $0.classCount * cols) }
    }

    /// Adds shifted rows `rows` (global row indices, for the groupings' codes) held in `block`.
    public func add(block: UnsafePointer<Float>, rows: Range<Int>) {
        let n = rows.count
        guard n > 0, cols > 0 else { return }
        count += n
        let cols = self.cols
        if wantsScatter {
            blockScatter.withUnsafeMutableBufferPointer { scratch in
                Float.syrk(transpose: true, n: cols, k: n, alpha: 1, a: block, lda: cols, beta: 0,
                           c: scratch.baseAddress!, ldc: cols)
                scatter.withUnsafeMutableBufferPointer { total in
                    RowKernels.addUpperTriangle(of: scratch.baseAddress!, n: cols, into: total.baseAddress!)
                }
            }
        }
        addIndicatorSums(block, rows: rows)
        for (g, grouping) in groupings.enumerated() {
            grouping.codes.withUnsafeBufferPointer { codes in
                for r in rows where codes[r] >= 0 { classCounts[g][Int(codes[r])] += 1 }
                guard grouping.classCount > Self.denseClassLimit else { return }
                classSums[g].withUnsafeMutableBufferPointer { sums in
                    RowKernels.addGroupedRows(block, rows: n, cols: cols, codes: codes.baseAddress! + rows.lowerBound,
                                              into: sums.baseAddress!)
                }
            }
        }
    }

    /// Column sums and dense groupings' class sums in one GEMM: [1 | one-hot…]ᵀ · block.
    private func addIndicatorSums(_ block: UnsafePointer<Float>, rows: Range<Int>) {
        let n = rows.count, width = indicatorColumns, cols = self.cols
        if indicator.count < n * width { indicator = [Float](repeating: 0, count: n * width) }
        indicator.withUnsafeMutableBufferPointer { e in
            for r in 0..<n {
                let row = e.baseAddress! + r * width
                row.update(repeating: 0, count: width)
                row[0] = 1
            }
            for (g, column) in dense {
                groupings[g].codes.withUnsafeBufferPointer { codes in
                    for r in 0..<n where codes[rows.lowerBound + r] >= 0 {
                        e[r * width + column + Int(codes[rows.lowerBound + r])] = 1
                    }
                }
            }
            blockSums.withUnsafeMutableBufferPointer { out in
                Float.gemm(transposeA: true, transposeB: false, m: width, n: cols, k: n, alpha: 1, a: e.baseAddress!, lda: width,
                           b: block, ldb: cols, beta: 0, c: out.baseAddress!, ldc: cols)
                for j in 0..<cols { sum[j] += Double(out[j]) }
                for (g, column) in dense {
                    classSums[g].withUnsafeMutableBufferPointer { sums in
                        for i in 0..<(groupings[g].classCount * cols) { sums[i] += Double(out[column * cols + i]) }
                    }
                }
            }
        }
    }

    /// The moments of every row added so far.
    public func finish() -> RowMoments {
        var full = Matrix<Double>(rows: 0, cols: 0)
        if wantsScatter {
            full = Matrix(rows: cols, cols: cols, storage: scatter)
            full.symmetrizeFromUpper()
        }
        return RowMoments(cols: cols, shift: shift, count: count, sum: sum, scatter: full, classCounts: classCounts,
                          classSums: zip(groupings, classSums).map { Matrix(rows: $0.classCount, cols: cols, storage: $1) })
    }
}

extension RowMoments {
    /// Moments of every row of `view`, read in blocks about a shift estimated from sampled rows.
    public static func accumulate(_ view: MatrixView, groupings: [RowGrouping] = [], scatter: Bool = true,
                                  blockRows: Int = 8192) -> RowMoments {
        let shift = view.sampledRowMean().map { Float($0) }
        let accumulator = RowMomentsAccumulator(cols: view.cols, shift: shift, groupings: groupings, scatter: scatter)
        view.forEachBlock(rows: blockRows, subtracting: shift) { range, block in
            accumulator.add(block: UnsafePointer(block.baseAddress!), rows: range)
        }
        return accumulator.finish()
    }

    /// Moments of the rows of an in-memory matrix.
    public static func accumulate(_ matrix: Matrix<Float>, groupings: [RowGrouping] = [], scatter: Bool = true,
                                  blockRows: Int = 8192) -> RowMoments {
        matrix.storage.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, matrix.rows > 0 else {
                return RowMomentsAccumulator(cols: matrix.cols, shift: [Float](repeating: 0, count: matrix.cols),
                                             groupings: groupings, scatter: scatter).finish()
            }
            let view = MatrixView(base: UnsafeRawPointer(base), rows: matrix.rows, cols: matrix.cols, type: .float32, owner: nil)
            return accumulate(view, groupings: groupings, scatter: scatter, blockRows: blockRows)
        }
    }
}

extension RowKernels {
    /// sums[code[r]][j] += Double(block[r][j]) for every row whose code is not negative.
    /// The columns are split across the compute threads, so no two threads write the same sum.
    public static func addGroupedRows(_ block: UnsafePointer<Float>, rows: Int, cols: Int, codes: UnsafePointer<Int32>,
                                      into sums: UnsafeMutablePointer<Double>) {
        ComputeThreads.parallelChunks(cols, minimumChunk: 128) { part in
            for r in 0..<rows {
                let code = Int(codes[r])
                guard code >= 0 else { continue }
                let row = block + r * cols, target = sums + code * cols
                for j in part { target[j] += Double(row[j]) }
            }
        }
    }
}
