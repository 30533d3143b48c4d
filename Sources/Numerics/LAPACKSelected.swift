import COpenBLAS

/// A scalar type with LAPACK's subset eigensolver and QR factorisation (Float: s*, Double: d*),
/// on column-major storage.
public protocol LAPACKSubsetScalar: LAPACKScalar {
    /// Eigenpairs `first...last` (1-based, ascending) of a symmetric matrix.
    static func syevr(n: Int, a: inout [Self], first: Int, last: Int, values: inout [Self], vectors: inout [Self]) throws
    /// The Q of A = QR for an m×n column-major A with m ≥ n, overwriting A.
    static func geqrfOrgqr(m: Int, n: Int, a: inout [Self]) throws
}

extension LAPACK {
    /// The `count` largest eigenvalues (descending) of a symmetric matrix and their eigenvectors
    /// (column j of `vectors` pairs with `values[j]`). The corresponding C functions are `ssyevr_` and `dsyevr_`.
    /// Cheaper than the full decomposition when `count` is small: the tridiagonal solve stops early.
    public static func symmetricEigen<T: LAPACKSubsetScalar>(_ matrix: Matrix<T>, largest count: Int) throws -> (values: [T], vectors: Matrix<T>) {
        precondition(matrix.rows == matrix.cols, "eigendecomposition needs a square matrix")
        let n = matrix.rows
        let count = min(max(count, 0), n)
        guard count > 0 else { return ([], Matrix(rows: n, cols: 0)) }
        var a = matrix.storage
        var values = [T](repeating: 0, count: n)
        var z = [T](repeating: 0, count: n * count)
        try T.syevr(n: n, a: &a, first: n - count + 1, last: n, values: &values, vectors: &z)
        // z is n×count column-major, ascending; reverse the order so the largest comes first.
        var vectors = Matrix<T>(rows: n, cols: count)
        for j in 0..<count {
            let source = count - 1 - j
            for i in 0..<n { vectors.storage[i * count + j] = z[source * n + i] }
        }
        return (Array(values[0..<count].reversed()), vectors)
    }

    /// An orthonormal basis of the column space of an m×n matrix (m ≥ n), as an m×n matrix:
    /// the Q of its thin QR factorisation. The corresponding C functions are `sgeqrf_`/`sorgqr_` and `dgeqrf_`/`dorgqr_`.
    public static func orthonormalColumns<T: LAPACKSubsetScalar>(_ matrix: Matrix<T>) throws -> Matrix<T> {
        let m = matrix.rows, n = matrix.cols
        precondition(m >= n, "a QR basis needs at least as many rows as columns")
        guard n > 0 else { return matrix }
        var a = matrix.transposed().storage  // row-major Aᵀ is column-major A
        try T.geqrfOrgqr(m: m, n: n, a: &a)
        return Matrix(rows: n, cols: m, storage: a).transposed()
    }
}

extension Float: LAPACKSubsetScalar {
    public static func syevr(n: Int, a: inout [Float], first: Int, last: Int, values: inout [Float], vectors: inout [Float]) throws {
        var n32 = Int32(n), lda = Int32(n), il = Int32(first), iu = Int32(last), found: Int32 = 0, info: Int32 = 0
        var vl: Float = 0, vu: Float = 0, abstol: Float = 0
        var isuppz = [Int32](repeating: 0, count: 2 * max(n, 1))
        var workSize: Float = 0, iworkSize: Int32 = 0, query: Int32 = -1
        ssyevr_("V", "I", "U", &n32, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &values, &vectors, &lda,
                &isuppz, &workSize, &query, &iworkSize, &query, &info, 1, 1, 1)
        guard info == 0 else { throw LAPACKError(routine: "ssyevr", info: info) }
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Float](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        ssyevr_("V", "I", "U", &n32, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &values, &vectors, &lda,
                &isuppz, &work, &lwork, &iwork, &liwork, &info, 1, 1, 1)
        guard info == 0 else { throw LAPACKError(routine: "ssyevr", info: info) }
    }

    public static func geqrfOrgqr(m: Int, n: Int, a: inout [Float]) throws {
        var m32 = Int32(m), n32 = Int32(n), lda = Int32(m), info: Int32 = 0
        var tau = [Float](repeating: 0, count: n)
        var workSize: Float = 0, query: Int32 = -1
        sgeqrf_(&m32, &n32, &a, &lda, &tau, &workSize, &query, &info)
        guard info == 0 else { throw LAPACKError(routine: "sgeqrf", info: info) }
        var lwork = Int32(max(workSize, Float(n)))
        var work = [Float](repeating: 0, count: Int(lwork))
        sgeqrf_(&m32, &n32, &a, &lda, &tau, &work, &lwork, &info)
        guard info == 0 else { throw LAPACKError(routine: "sgeqrf", info: info) }
        sorgqr_(&m32, &n32, &n32, &a, &lda, &tau, &workSize, &query, &info)
        guard info == 0 else { throw LAPACKError(routine: "sorgqr", info: info) }
        lwork = Int32(max(workSize, Float(n)))
        work = [Float](repeating: 0, count: Int(lwork))
        sorgqr_(&m32, &n32, &n32, &a, &lda, &tau, &work, &lwork, &info)
        guard info == 0 else { throw LAPACKError(routine: "sorgqr", info: info) }
    }
}

extension Double: LAPACKSubsetScalar {
    public static func syevr(n: Int, a: inout [Double], first: Int, last: Int, values: inout [Double], vectors: inout [Double]) throws {
        var n32 = Int32(n), lda = Int32(n), il = Int32(first), iu = Int32(last), found: Int32 = 0, info: Int32 = 0
        var vl: Double = 0, vu: Double = 0, abstol: Double = 0
        var isuppz = [Int32](repeating: 0, count: 2 * max(n, 1))
        var workSize: Double = 0, iworkSize: Int32 = 0, query: Int32 = -1
        dsyevr_("V", "I", "U", &n32, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &values, &vectors, &lda,
                &isuppz, &workSize, &query, &iworkSize, &query, &info, 1, 1, 1)
        guard info == 0 else { throw LAPACKError(routine: "dsyevr", info: info) }
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevr_("V", "I", "U", &n32, &a, &lda, &vl, &vu, &il, &iu, &abstol, &found, &values, &vectors, &lda,
                &isuppz, &work, &lwork, &iwork, &liwork, &info, 1, 1, 1)
        guard info == 0 else { throw LAPACKError(routine: "dsyevr", info: info) }
    }

    public static func geqrfOrgqr(m: Int, n: Int, a: inout [Double]) throws {
        var m32 = Int32(m), n32 = Int32(n), lda = Int32(m), info: Int32 = 0
        var tau = [Double](repeating: 0, count: n)
        var workSize: Double = 0, query: Int32 = -1
        dgeqrf_(&m32, &n32, &a, &lda, &tau, &workSize, &query, &info)
        guard info == 0 else { throw LAPACKError(routine: "dgeqrf", info: info) }
        var lwork = Int32(max(workSize, Double(n)))
        var work = [Double](repeating: 0, count: Int(lwork))
        dgeqrf_(&m32, &n32, &a, &lda, &tau, &work, &lwork, &info)
        guard info == 0 else { throw LAPACKError(routine: "dgeqrf", info: info) }
        dorgqr_(&m32, &n32, &n32, &a, &lda, &tau, &workSize, &query, &info)
        guard info == 0 else { throw LAPACKError(routine: "dorgqr", info: info) }
        lwork = Int32(max(workSize, Double(n)))
        work = [Double](repeating: 0, count: Int(lwork))
        dorgqr_(&m32, &n32, &n32, &a, &lda, &tau, &work, &lwork, &info)
        guard info == 0 else { throw LAPACKError(routine: "dorgqr", info: info) }
    }
}
