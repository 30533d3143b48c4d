import Numerics

/// PCA by randomized SVD (Halko, Martinsson & Tropp 2011, as scikit-learn's `randomized_svd`):
/// a random range finder with power iterations, then an exact eigensolve on the small subspace.
/// It works on the covariance C = X̃ᵀX̃/(n − 1) without forming it: each pass over the rows applies
/// C to a thin D × (k + 10) basis with two GEMMs per block, so memory stays at a few thin matrices.
enum RandomizedPCA {
    /// Extra basis vectors beyond k, scikit-learn's `n_oversamples` default.
    static let oversamples = 10

    /// scikit-learn's `iterated_power="auto"`: 7 when k is under 10% of min(n, D), else 4.
    static func powerIterations(components: Int, rows: Int, cols: Int) -> Int {
        Double(components) < 0.1 * Double(min(rows, cols)) ? 7 : 4
    }

    static func fit(_ view: MatrixView, components k: Int, seed: UInt64 = 0x5EED) throws -> PCAModel {
        let d = view.cols, n = view.rows
        let width = min(d, k + oversamples)
        let shift = view.sampledRowMean().map { Float($0) }
        var generator = SplitMix64(seed: seed)
        let omega = Matrix<Double>(rows: d, cols: width, storage: (0..<(d * width)).map { _ in generator.nextGaussian() })

        // randomized_range_finder: Q ← orth(C·Q), q + 1 times; the first pass also gathers the column moments.
        var basis = try LAPACK.orthonormalColumns(omega)
        var pass = CovariancePass(view: view, shift: shift)
        var product = pass.apply(to: basis)
        for _ in 0..<powerIterations(components: k, rows: n, cols: d) {
            basis = try LAPACK.orthonormalColumns(product)
            product = pass.apply(to: basis)
        }
        // Rayleigh–Ritz: the eigenpairs of Qᵀ·C·Q give the top axes within the subspace.
        var small = BLAS.multiply(basis, product, transposeA: true)
        for i in 0..<width {
            for j in 0..<i { let mean = (small[i, j] + small[j, i]) / 2; small[i, j] = mean; small[j, i] = mean }
        }
        let (values, vectors) = try LAPACK.symmetricEigen(small, largest: k)
        let axes = BLAS.multiply(basis, vectors)
        return PCA.assemble(mean: pass.mean, eigenvalues: values, eigenvectors: axes, totalVariance: pass.totalVariance,
                            samples: n, solver: .randomized)
    }
}

/// Applies the covariance of a view's rows to thin bases, one pass over the rows per application.
private struct CovariancePass {
    let view: MatrixView
    let shift: [Float]
    private var sum: [Double]
    private var sumOfSquares: [Double]
    private var gathered = false
    static let blockRows = 8192

    init(view: MatrixView, shift: [Float]) {
        self.view = view
        self.shift = shift
        sum = [Double](repeating: 0, count: view.cols)
        sumOfSquares = [Double](repeating: 0, count: view.cols)
    }

    var mean: [Double] { (0..<view.cols).map { Double(shift[$0]) + sum[$0] / Double(view.rows) } }

    var totalVariance: Double {
        let n = Double(view.rows)
        return (0..<view.cols).reduce(0.0) { $0 + (sumOfSquares[$1] - sum[$1] * sum[$1] / n) } / (n - 1)
    }

    /// C·Q for the centred covariance C, with Q (D × w) orthonormal.
    mutating func apply(to basis: Matrix<Double>) -> Matrix<Double> {
        let d = view.cols, w = basis.cols
        let q = basis.asFloat
        var total = [Double](repeating: 0, count: d * w)
        var projected = [Float](repeating: 0, count: min(Self.blockRows, view.rows) * w)
        var partial = [Float](repeating: 0, count: d * w)
        let gather = !gathered
        view.forEachBlock(rows: Self.blockRows, subtracting: shift) { range, block in
            let r = range.count
            let b = UnsafePointer(block.baseAddress!)
            if gather {
                sum.withUnsafeMutableBufferPointer { RowKernels.addColumnSums(of: b, rows: r, cols: d, into: $0.baseAddress!) }
                sumOfSquares.withUnsafeMutableBufferPointer {
                    RowKernels.addColumnSumsOfSquares(of: b, rows: r, cols: d, into: $0.baseAddress!)
                }
            }
            q.storage.withUnsafeBufferPointer { qp in
                projected.withUnsafeMutableBufferPointer { yp in
                    partial.withUnsafeMutableBufferPointer { pp in
                        // Y = B·Q, then Bᵀ·Y, summed over blocks in double.
                        Float.gemm(transposeA: false, transposeB: false, m: r, n: w, k: d, alpha: 1, a: b, lda: d,
                                   b: qp.baseAddress!, ldb: w, beta: 0, c: yp.baseAddress!, ldc: w)
                        Float.gemm(transposeA: true, transposeB: false, m: d, n: w, k: r, alpha: 1, a: b, lda: d,
                                   b: yp.baseAddress!, ldb: w, beta: 0, c: pp.baseAddress!, ldc: w)
                        for i in 0..<(d * w) { total[i] += Double(pp[i]) }
                    }
                }
            }
        }
        gathered = true
        // X̃ = X − shift is not centred: subtract n·m·(mᵀQ), m = mean(X̃), then divide by n − 1.
        let n = Double(view.rows)
        let m = sum.map { $0 / n }
        var result = Matrix<Double>(rows: d, cols: w, storage: total)
        for j in 0..<w {
            var mq = 0.0
            for i in 0..<d { mq += m[i] * basis[i, j] }
            for i in 0..<d { result[i, j] = (result[i, j] - n * m[i] * mq) / (n - 1) }
        }
        return result
    }
}
