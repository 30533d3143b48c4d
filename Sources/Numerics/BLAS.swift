import COpenBLAS

/// A floating-point type with BLAS level-3 routines: Float (s*) and Double (d*).
public protocol BLASScalar: BinaryFloatingPoint, Sendable {
    /// C = alpha·op(A)·op(B) + beta·C, row-major. The corresponding C functions are `cblas_sgemm` and `cblas_dgemm`.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// C = alpha·op(A)ᵀ·op(A) + beta·C on C's upper triangle, row-major.
    /// With `transpose` true, A is k×n and C = alpha·AᵀA; otherwise A is n×k and C = alpha·AAᵀ.
    /// The corresponding C functions are `cblas_ssyrk` and `cblas_dsyrk`.
    static func syrk(
        transpose: Bool, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

private func cblasTranspose(_ flag: Bool) -> CBLAS_TRANSPOSE { flag ? CblasTrans : CblasNoTrans }

extension Float: BLASScalar {
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB),
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    public static func syrk(
        transpose: Bool, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, cblasTranspose(transpose), blasint(n), blasint(k),
                    alpha, a, blasint(lda), beta, c, blasint(ldc))
    }
}

extension Double: BLASScalar {
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB),
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    public static func syrk(
        transpose: Bool, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, cblasTranspose(transpose), blasint(n), blasint(k),
                    alpha, a, blasint(lda), beta, c, blasint(ldc))
    }
}

/// Matrix-level BLAS operations on owned matrices.
public enum BLAS {
    /// op(A)·op(B), where op transposes when asked.
    public static func multiply<T: BLASScalar>(
        _ a: Matrix<T>, _ b: Matrix<T>, transposeA: Bool = false, transposeB: Bool = false
    ) -> Matrix<T> {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows
        let n = transposeB ? b.rows : b.cols
        precondition(k == kb, "inner dimensions differ: \(k) and \(kb)")
        var c = Matrix<T>(rows: m, cols: n)
        guard m > 0, n > 0, k > 0 else { return c }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    T.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                           alpha: 1, a: pa.baseAddress!, lda: a.cols, b: pb.baseAddress!, ldb: b.cols,
                           beta: 0, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// AᵀA (cols × cols), both triangles filled.
    public static func gram<T: BLASScalar>(_ a: Matrix<T>) -> Matrix<T> {
        var c = Matrix<T>(rows: a.cols, cols: a.cols)
        guard a.rows > 0, a.cols > 0 else { return c }
        a.storage.withUnsafeBufferPointer { pa in
            c.storage.withUnsafeMutableBufferPointer { pc in
                T.syrk(transpose: true, n: a.cols, k: a.rows, alpha: 1, a: pa.baseAddress!, lda: a.cols,
                       beta: 0, c: pc.baseAddress!, ldc: a.cols)
            }
        }
        c.symmetrizeFromUpper()
        return c
    }
}

extension Matrix {
    /// Copies the upper triangle onto the lower one, as SYRK leaves only one triangle filled.
    public mutating func symmetrizeFromUpper() {
        precondition(rows == cols, "only a square matrix is symmetric")
        let n = rows
        storage.withUnsafeMutableBufferPointer { p in
            for r in 0..<n {
                for c in 0..<r { p[r * n + c] = p[c * n + r] }
            }
        }
    }
}
