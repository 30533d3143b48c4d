import COpenBLAS

/// A LAPACK routine reported a failure (`info` ≠ 0).
public struct LAPACKError: Error, CustomStringConvertible {
    public let routine: String
    public let info: Int32
    public var description: String { "\(routine) failed (info = \(info))" }
}

/// Symmetric eigendecomposition and singular value decomposition, on row-major matrices.
/// LAPACK is column-major: a symmetric matrix reads the same either way, and for the SVD the
/// row-major A is handed over as the column-major Aᵀ, whose factors are swapped back here.
public enum LAPACK {
    /// Eigenvalues (ascending) and eigenvectors (column j of `vectors` pairs with `values[j]`)
    /// of a symmetric matrix. The corresponding C functions are `ssyevd_` and `dsyevd_`.
    public static func symmetricEigen<T: LAPACKScalar>(_ matrix: Matrix<T>) throws -> (values: [T], vectors: Matrix<T>) {
        precondition(matrix.rows == matrix.cols, "eigendecomposition needs a square matrix")
        let n = matrix.rows
        guard n > 0 else { return ([], matrix) }
        // Column-major result of a column-major input: transposing the row-major storage
        // afterwards puts eigenvector j in column j.
        var a = matrix.storage
        var values = [T](repeating: 0, count: n)
        try T.syevd(n: n, a: &a, values: &values)
        let columnMajor = Matrix<T>(rows: n, cols: n, storage: a)
        return (values, columnMajor.transposed())
    }

    /// The thin SVD A = U·diag(s)·Vᵀ of an m×n matrix: U is m×r, s has r values (descending),
    /// Vᵀ is r×n, with r = min(m, n). The corresponding C functions are `sgesdd_` and `dgesdd_`.
    public static func svd<T: LAPACKScalar>(_ matrix: Matrix<T>) throws -> (u: Matrix<T>, s: [T], vt: Matrix<T>) {
        let m = matrix.rows
        let n = matrix.cols
        let r = min(m, n)
        guard r > 0 else { return (Matrix(rows: m, cols: 0), [], Matrix(rows: 0, cols: n)) }
        // Row-major A is column-major Aᵀ (n×m). Aᵀ = V·S·Uᵀ: LAPACK's "U" is our V and its "Vᵀ" our Uᵀ.
        var a = matrix.storage
        var s = [T](repeating: 0, count: r)
        var lapackU = [T](repeating: 0, count: n * r)   // n×r column-major = V
        var lapackVT = [T](repeating: 0, count: r * m)  // r×m column-major = Uᵀ
        try T.gesdd(m: n, n: m, a: &a, s: &s, u: &lapackU, vt: &lapackVT)
        // Column-major n×r V is row-major r×n, i.e. Vᵀ; column-major r×m Uᵀ is row-major m×r, i.e. U.
        return (Matrix(rows: m, cols: r, storage: lapackVT), s, Matrix(rows: r, cols: n, storage: lapackU))
    }
}

/// A scalar type with LAPACK routines (Float: s*, Double: d*), on column-major storage.
public protocol LAPACKScalar: BLASScalar {
    static func syevd(n: Int, a: inout [Self], values: inout [Self]) throws
    static func gesdd(m: Int, n: Int, a: inout [Self], s: inout [Self], u: inout [Self], vt: inout [Self]) throws
}

extension Float: LAPACKScalar {
    public static func syevd(n: Int, a: inout [Float], values: inout [Float]) throws {
        var n32 = Int32(n), lda = Int32(n), info: Int32 = 0
        var workSize: Float = 0, iworkSize: Int32 = 0, query: Int32 = -1
        ssyevd_("V", "U", &n32, &a, &lda, &values, &workSize, &query, &iworkSize, &query, &info, 1, 1)
        guard info == 0 else { throw LAPACKError(routine: "ssyevd", info: info) }
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Float](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        ssyevd_("V", "U", &n32, &a, &lda, &values, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        guard info == 0 else { throw LAPACKError(routine: "ssyevd", info: info) }
    }

    public static func gesdd(m: Int, n: Int, a: inout [Float], s: inout [Float], u: inout [Float], vt: inout [Float]) throws {
        var m32 = Int32(m), n32 = Int32(n), lda = Int32(max(m, 1)), info: Int32 = 0
        let r = min(m, n)
        var ldu = Int32(max(m, 1)), ldvt = Int32(max(r, 1))
        var iwork = [Int32](repeating: 0, count: 8 * r)
        var workSize: Float = 0, query: Int32 = -1
        sgesdd_("S", &m32, &n32, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &workSize, &query, &iwork, &info, 1)
        guard info == 0 else { throw LAPACKError(routine: "sgesdd", info: info) }
        var lwork = Int32(workSize)
        var work = [Float](repeating: 0, count: Int(lwork))
        sgesdd_("S", &m32, &n32, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &work, &lwork, &iwork, &info, 1)
        guard info == 0 else { throw LAPACKError(routine: "sgesdd", info: info) }
    }
}

extension Double: LAPACKScalar {
    public static func syevd(n: Int, a: inout [Double], values: inout [Double]) throws {
        var n32 = Int32(n), lda = Int32(n), info: Int32 = 0
        var workSize: Double = 0, iworkSize: Int32 = 0, query: Int32 = -1
        dsyevd_("V", "U", &n32, &a, &lda, &values, &workSize, &query, &iworkSize, &query, &info, 1, 1)
        guard info == 0 else { throw LAPACKError(routine: "dsyevd", info: info) }
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_("V", "U", &n32, &a, &lda, &values, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        guard info == 0 else { throw LAPACKError(routine: "dsyevd", info: info) }
    }

    public static func gesdd(m: Int, n: Int, a: inout [Double], s: inout [Double], u: inout [Double], vt: inout [Double]) throws {
        var m32 = Int32(m), n32 = Int32(n), lda = Int32(max(m, 1)), info: Int32 = 0
        let r = min(m, n)
        var ldu = Int32(max(m, 1)), ldvt = Int32(max(r, 1))
        var iwork = [Int32](repeating: 0, count: 8 * r)
        var workSize: Double = 0, query: Int32 = -1
        dgesdd_("S", &m32, &n32, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &workSize, &query, &iwork, &info, 1)
        guard info == 0 else { throw LAPACKError(routine: "dgesdd", info: info) }
        var lwork = Int32(workSize)
        var work = [Double](repeating: 0, count: Int(lwork))
        dgesdd_("S", &m32, &n32, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &work, &lwork, &iwork, &info, 1)
        guard info == 0 else { throw LAPACKError(routine: "dgesdd", info: info) }
    }
}
