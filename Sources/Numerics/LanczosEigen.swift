/// The largest eigenpairs of a large symmetric operator known only through y = A·x, by thick-restart
/// Lanczos (Wu & Simon 2000) with full reorthogonalisation: the Krylov basis is kept orthonormal
/// by classical Gram–Schmidt applied twice (BLAS), Ritz pairs come from the projected matrix
/// VᵀAV (dense LAPACK), and a restart keeps the best Ritz vectors plus the next Lanczos direction.
public enum LanczosEigen {
    /// Eigenvalues (descending) with their unit eigenvectors (row i pairs with `values[i]`).
    public struct Result: Sendable {
        public let values: [Double]
        public let vectors: Matrix<Double>
        /// Residual norms ‖Ax − θx‖ of the returned pairs.
        public let residuals: [Double]
        /// How many times the operator was applied.
        public let operatorCalls: Int
    }

    /// The solver ran out of operator calls before every wanted pair met the tolerance.
    public struct NotConverged: Error, CustomStringConvertible {
        public let operatorCalls: Int
        public let worstResidual: Double
        public var description: String {
            "Lanczos did not converge in \(operatorCalls) operator calls (worst residual \(worstResidual))"
        }
    }

    /// The `count` largest (algebraic) eigenpairs of the symmetric `size`×`size` operator `apply`,
    /// restricted to the complement of the orthonormal vectors `deflating` (each of length `size`).
    /// Converged when every residual ‖Ax − θx‖ ≤ tolerance · max|θ|.
    public static func largest(
        count: Int, size n: Int, deflating locked: [[Double]] = [], basisSize: Int? = nil,
        tolerance: Double = 1e-4, maxOperatorCalls: Int = 2000, seed: UInt64 = 0,
        apply: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) throws -> Result {
        let available = n - locked.count
        precondition(count >= 1 && count <= available, "cannot find \(count) eigenpairs of a \(available)-dimensional space")
        let m = min(available, max(basisSize ?? 0, 2 * count + 8, 24))
        var basis = [Double](repeating: 0, count: m * n)      // row j: basis vector j
        var images = [Double](repeating: 0, count: m * n)     // row j: A · basis vector j
        var scratch = [Double](repeating: 0, count: m)
        var used = 0
        var calls = 0
        var random = SeededRandom(seed: seed, stream: 0x4C41_4E43)

        // Makes `w` orthogonal to the locked vectors and the first `used` basis vectors; returns its norm.
        func orthogonalize(_ w: UnsafeMutablePointer<Double>) -> Double {
            for _ in 0..<2 {
                for v in locked {
                    var dot = 0.0
                    for i in 0..<n { dot += v[i] * w[i] }
                    for i in 0..<n { w[i] -= dot * v[i] }
                }
                if used > 0 {
                    basis.withUnsafeBufferPointer { b in
                        scratch.withUnsafeMutableBufferPointer { h in
                            Double.gemm(transposeA: false, transposeB: false, m: used, n: 1, k: n, alpha: 1,
                                        a: b.baseAddress!, lda: n, b: w, ldb: 1, beta: 0, c: h.baseAddress!, ldc: 1)
                            Double.gemm(transposeA: true, transposeB: false, m: n, n: 1, k: used, alpha: -1,
                                        a: b.baseAddress!, lda: n, b: h.baseAddress!, ldb: 1, beta: 1, c: w, ldc: 1)
                        }
                    }
                }
            }
            var norm = 0.0
            for i in 0..<n { norm += w[i] * w[i] }
            return norm.squareRoot()
        }

        // Appends `w` (orthogonal to the basis, norm `norm`) and its image; a vanishing `w` means the
        // Krylov space became invariant, and a fresh random direction continues the search.
        var candidate = [Double](repeating: 0, count: n)
        func append(_ w: inout [Double], norm: Double, reference: Double) {
            var norm = norm
            var attempts = 0
            while norm <= 1e-10 * max(reference, 1e-300) && attempts < 5 {
                for i in 0..<n { w[i] = random.normal() }
                norm = w.withUnsafeMutableBufferPointer { orthogonalize($0.baseAddress!) }
                attempts += 1
            }
            let scale = 1 / norm
            basis.withUnsafeMutableBufferPointer { b in
                images.withUnsafeMutableBufferPointer { img in
                    let row = b.baseAddress! + used * n
                    for i in 0..<n { row[i] = w[i] * scale }
                    apply(UnsafePointer(row), img.baseAddress! + used * n)
                }
            }
            calls += 1
            used += 1
        }

        for i in 0..<n { candidate[i] = random.normal() }
        var startNorm = candidate.withUnsafeMutableBufferPointer { orthogonalize($0.baseAddress!) }
        append(&candidate, norm: startNorm, reference: 1)

        while true {
            while used < m {
                for i in 0..<n { candidate[i] = images[(used - 1) * n + i] }
                let reference = candidate.reduce(0) { $0 + $1 * $1 }.squareRoot()
                startNorm = candidate.withUnsafeMutableBufferPointer { orthogonalize($0.baseAddress!) }
                append(&candidate, norm: startNorm, reference: reference)
            }
            // Rayleigh–Ritz on the basis.
            var projected = Matrix<Double>(rows: used, cols: used)
            basis.withUnsafeBufferPointer { b in
                images.withUnsafeBufferPointer { img in
                    projected.storage.withUnsafeMutableBufferPointer { h in
                        Double.gemm(transposeA: false, transposeB: true, m: used, n: used, k: n, alpha: 1,
                                    a: b.baseAddress!, lda: n, b: img.baseAddress!, ldb: n, beta: 0, c: h.baseAddress!, ldc: used)
                    }
                }
            }
            for r in 0..<used {
                for c in 0..<r {
                    let mean = (projected[r, c] + projected[c, r]) / 2
                    projected[r, c] = mean
                    projected[c, r] = mean
                }
            }
            let (ascending, vectors) = try LAPACK.symmetricEigen(projected)
            let keep = min(used - 1, max(count + 2, m / 2))
            // Ritz coefficients of the `keep` largest values, as a used × keep matrix (descending).
            var coefficients = Matrix<Double>(rows: used, cols: keep)
            for j in 0..<keep {
                for r in 0..<used { coefficients[r, j] = vectors[r, used - 1 - j] }
            }
            let thetas = (0..<keep).map { ascending[used - 1 - $0] }
            var ritz = [Double](repeating: 0, count: keep * n)
            var ritzImages = [Double](repeating: 0, count: keep * n)
            coefficients.storage.withUnsafeBufferPointer { y in
                basis.withUnsafeBufferPointer { b in
                    ritz.withUnsafeMutableBufferPointer { x in
                        Double.gemm(transposeA: true, transposeB: false, m: keep, n: n, k: used, alpha: 1,
                                    a: y.baseAddress!, lda: keep, b: b.baseAddress!, ldb: n, beta: 0, c: x.baseAddress!, ldc: n)
                    }
                }
                images.withUnsafeBufferPointer { img in
                    ritzImages.withUnsafeMutableBufferPointer { ax in
                        Double.gemm(transposeA: true, transposeB: false, m: keep, n: n, k: used, alpha: 1,
                                    a: y.baseAddress!, lda: keep, b: img.baseAddress!, ldb: n, beta: 0, c: ax.baseAddress!, ldc: n)
                    }
                }
            }
            let scale = thetas.map(abs).max() ?? 1
            var residuals: [Double] = []
            for j in 0..<count {
                var s = 0.0
                for i in 0..<n {
                    let r = ritzImages[j * n + i] - thetas[j] * ritz[j * n + i]
                    s += r * r
                }
                residuals.append(s.squareRoot())
            }
            let worst = residuals.max() ?? 0
            if worst <= tolerance * max(scale, 1e-300) {
                return Result(values: Array(thetas[0..<count]),
                              vectors: Matrix(rows: count, cols: n, storage: Array(ritz[0..<(count * n)])),
                              residuals: residuals, operatorCalls: calls)
            }
            if calls >= maxOperatorCalls { throw NotConverged(operatorCalls: calls, worstResidual: worst) }
            // The next Lanczos direction, orthogonal to the whole current basis (and so to the Ritz vectors).
            for i in 0..<n { candidate[i] = images[(used - 1) * n + i] }
            let reference = candidate.reduce(0) { $0 + $1 * $1 }.squareRoot()
            _ = candidate.withUnsafeMutableBufferPointer { orthogonalize($0.baseAddress!) }
            // Thick restart: the kept Ritz vectors become the basis.
            for i in 0..<(keep * n) {
                basis[i] = ritz[i]
                images[i] = ritzImages[i]
            }
            used = keep
            startNorm = candidate.withUnsafeMutableBufferPointer { orthogonalize($0.baseAddress!) }
            append(&candidate, norm: startNorm, reference: reference)
        }
    }
}
