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

/// Splits the rows into tiles of a fixed height and walks them on the compute threads: tile t belongs to
/// slot t mod `slots`, and one thread works through a slot's tiles in order. A sum kept per slot (and the
/// slots summed in order afterwards) therefore comes out the same whatever the thread count. BLAS runs
/// single-threaded meanwhile, so each tile's GEMM runs on the thread that uses its result, in its cache.
struct RowTiles {
    /// Accumulator slots: more than the cores of most machines, so every core has work.
    static let slots = 16

    let rows: Int
    let tileRows: Int

    /// Calls `body(slot, rows)` for every tile, slots in parallel.
    func forEach(_ body: (_ slot: Int, _ rows: Range<Int>) -> Void) {
        guard rows > 0 else { return }
        let height = max(1, tileRows)
        let tiles = (rows + height - 1) / height
        ComputeThreads.withSingleThreadedBLAS {
            ComputeThreads.parallelFor(Self.slots) { slot in
                for tile in stride(from: slot, to: tiles, by: Self.slots) {
                    body(slot, (tile * height)..<min(rows, (tile + 1) * height))
                }
            }
        }
    }
}

/// A zero-filled buffer of numbers that parallel loops may write (at disjoint indices) without an
/// array's copy-on-write checks.
final class ScratchArray<Element: Numeric>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
    }

    convenience init(_ values: [Element]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { if let base = $0.baseAddress { pointer.update(from: base, count: values.count) } }
    }

    deinit { pointer.deallocate() }

    subscript(index: Int) -> Element {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }
}

/// Per-slot scratch memory for `RowTiles` bodies: one buffer of `capacity` values per slot.
final class SlotBuffers<Element>: @unchecked Sendable {
    private let buffers: [UnsafeMutablePointer<Element>]

    init(capacity: Int) {
        buffers = (0..<RowTiles.slots).map { _ in .allocate(capacity: max(1, capacity)) }
    }

    deinit { buffers.forEach { $0.deallocate() } }

    subscript(slot: Int) -> UnsafeMutablePointer<Element> { buffers[slot] }
}
