import Numerics

/// The rows k-means works on: the features minus their column means, as scikit-learn centres them
/// before clustering (so ‖x‖² − 2·x·c + ‖c‖² in float32 loses little to cancellation), with each row's
/// squared norm and the mean column variance that scales the convergence tolerance.
final class CentredRows: @unchecked Sendable {
    let rows: Int
    let cols: Int
    /// rows × cols, row-major, centred.
    let values: UnsafeMutablePointer<Float>
    /// ‖xᵢ‖² of the centred rows.
    let norms: UnsafeMutablePointer<Float>
    /// The column means that were removed, in double precision.
    let mean: [Double]
    /// The mean over columns of each column's variance (divided by n, as numpy's `var`): scikit-learn's
    /// `_tolerance` multiplies `tol` by it.
    let meanVariance: Double

    init(_ features: Matrix<Float>) {
        rows = features.rows
        cols = features.cols
        let n = features.rows, d = features.cols
        let values = UnsafeMutablePointer<Float>.allocate(capacity: max(1, n * d))
        let norms = UnsafeMutablePointer<Float>.allocate(capacity: max(1, n))
        self.values = values
        self.norms = norms
        var sums = [Double](repeating: 0, count: d)
        features.storage.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress, n > 0, d > 0 else { return }
            sums.withUnsafeMutableBufferPointer { RowKernels.addColumnSums(of: base, rows: n, cols: d, into: $0.baseAddress!) }
            let view = MatrixView(base: UnsafeRawPointer(base), rows: n, cols: d, type: .float32, owner: nil)
            view.copyRows(0..<n, subtracting: sums.map { Float($0 / Double(n)) }, into: values)
        }
        mean = sums.map { n > 0 ? $0 / Double(n) : 0 }
        var squares = [Double](repeating: 0, count: d)
        var residual = [Double](repeating: 0, count: d)
        if n > 0, d > 0 {
            squares.withUnsafeMutableBufferPointer { RowKernels.addColumnSumsOfSquares(of: values, rows: n, cols: d, into: $0.baseAddress!) }
            // The float32 mean leaves a small offset behind; the variance is taken about the rows' true mean.
            residual.withUnsafeMutableBufferPointer { RowKernels.addColumnSums(of: values, rows: n, cols: d, into: $0.baseAddress!) }
        }
        var variance = 0.0
        for j in 0..<d {
            let m = residual[j] / Double(max(n, 1))
            variance += max(0, squares[j] / Double(max(n, 1)) - m * m)
        }
        meanVariance = d > 0 ? variance / Double(d) : 0
        ComputeThreads.parallelChunks(n, minimumChunk: 4096) { part in
            NearestCentres.rowSquaredNorms(values + part.lowerBound * d, count: part.count, cols: d, into: norms + part.lowerBound)
        }
    }

    deinit {
        values.deallocate()
        norms.deallocate()
    }

    /// Row `i`'s values.
    func row(_ i: Int) -> UnsafeMutablePointer<Float> { values + i * cols }
}

/// Walks the rows in tiles: each tile is scored against a set of points (centres or candidates) by one
/// single-threaded GEMM, then handed to `body`, on the compute threads. Tile t belongs to slot t mod
/// `slots`, and one thread works through a slot's tiles in order, so a sum kept per slot (and the slots
/// summed in order afterwards) comes out the same whatever the thread count. Each tile's scores stay in
/// its core's cache between the GEMM and `body`.
struct ScoredTiles {
    /// Accumulator slots: more than the cores of most machines, so every core has work.
    static let slots = 16
    /// The size a tile's scores aim at (a core's L2 cache holds them with the tile's rows).
    static let scoreBytes = 1 << 18

    let data: CentredRows

    /// Calls `body(slot, rows, scores)` for every tile: `rows` are global row indices and `scores` holds
    /// the tile's scores −2·p·x, one line of `rows.count` values per point.
    func forEach(points: UnsafePointer<Float>, pointCount: Int,
                 _ body: (_ slot: Int, _ rows: Range<Int>, _ scores: UnsafePointer<Float>) -> Void) {
        let n = data.rows, d = data.cols
        guard n > 0, pointCount > 0 else { return }
        let tileRows = min(n, max(32, Self.scoreBytes / (4 * pointCount)))
        let tiles = (n + tileRows - 1) / tileRows
        let values = data.values
        ComputeThreads.withSingleThreadedBLAS {
            ComputeThreads.parallelFor(Self.slots) { slot in
                guard slot < tiles else { return }
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: tileRows * pointCount)
                defer { scores.deallocate() }
                for tile in stride(from: slot, to: tiles, by: Self.slots) {
                    let start = tile * tileRows, end = min(n, start + tileRows)
                    NearestCentres.scores(rows: values + start * d, count: end - start, cols: d, centres: points,
                                          centreCount: pointCount, into: scores)
                    body(slot, start..<end, scores)
                }
            }
        }
    }
}
