import Numerics

/// google/svcca's `cca_core.get_cca_similarity(acts1, acts2, epsilon, threshold)` reproduced step by
/// step on covariance statistics (acts1 = features, acts2 = the one-hot matrix over every class of the
/// label, empty classes included), reporting its `mean`:
///
/// 1. covariances as `np.cov` (divided by n − 1), then `sigmaxx /= max|sigmaxx|`, `sigmayy /= max|sigmayy|`,
///    `sigmaxy /= sqrt(xmax·ymax)`;
/// 2. `remove_small`: drop the rows and columns whose diagonal is below epsilon (a constant feature, a
///    class with no token);
/// 3. `compute_ccas`: add epsilon to the diagonals, pseudo-inverse (`np.linalg.pinv`, rcond 1e-15), matrix
///    square root by symmetric eigendecomposition, SVD of invsqrt_xx·sigmaxy·invsqrt_yy;
/// 4. `sum_threshold`: the first i with sum(s[:i]) / sum(s) ≥ threshold (all of s when none), and the
///    mean of s[:i].
///
/// Where cca_core returns its zero dictionary (every direction removed, or a zero covariance), the value is 0.
/// cca_core asserts fewer features than tokens; this port computes the same formulas without that check.
enum GoogleCCA {
    /// numpy's `pinv` default `rcond`.
    static let pinvCutoff = 1e-15

    static func similarity(_ covariance: LabelCovariance, epsilon: Double, threshold: Double) throws -> SVCCAResult {
        let present = covariance.classCounts.filter { $0 > 0 }.count
        let n = Double(covariance.tokens)
        let scale = 1 / (n - 1)
        var sigmaXX = covariance.featureScatter, sigmaYY = covariance.labelScatter, sigmaXY = covariance.crossScatter
        for i in sigmaXX.storage.indices { sigmaXX.storage[i] *= scale }
        for i in sigmaYY.storage.indices { sigmaYY.storage[i] *= scale }
        for i in sigmaXY.storage.indices { sigmaXY.storage[i] *= scale }
        let zero = SVCCAResult(value: 0, coefficients: [], averaged: 0, tokens: covariance.tokens, classes: present)

        // Rescale covariance to make the computation more stable (cca_core's comment).
        let xmax = sigmaXX.storage.map(abs).max() ?? 0
        let ymax = sigmaYY.storage.map(abs).max() ?? 0
        guard xmax > 0, ymax > 0 else { return zero }  // numpy divides by zero, remove_small drops everything
        for i in sigmaXX.storage.indices { sigmaXX.storage[i] /= xmax }
        for i in sigmaYY.storage.indices { sigmaYY.storage[i] /= ymax }
        let crossScale = (xmax * ymax).squareRoot()
        for i in sigmaXY.storage.indices { sigmaXY.storage[i] /= crossScale }

        // remove_small
        let xKeep = (0..<sigmaXX.rows).filter { abs(sigmaXX[$0, $0]) >= epsilon }
        let yKeep = (0..<sigmaYY.rows).filter { abs(sigmaYY[$0, $0]) >= epsilon }
        guard !xKeep.isEmpty, !yKeep.isEmpty else { return zero }
        var xx = crop(sigmaXX, xKeep, xKeep), yy = crop(sigmaYY, yKeep, yKeep)
        let xy = crop(sigmaXY, xKeep, yKeep)

        // compute_ccas
        for i in 0..<xx.rows { xx[i, i] += epsilon }
        for i in 0..<yy.rows { yy[i, i] += epsilon }
        let invsqrtXX = try pseudoInverseSquareRoot(xx)
        let invsqrtYY = try pseudoInverseSquareRoot(yy)
        let arr = BLAS.multiply(invsqrtXX, BLAS.multiply(xy, invsqrtYY))
        let s = try LAPACK.svd(arr).s.map(abs)

        let index = sumThreshold(s, threshold)
        let value = index == 0 ? Double.nan : s[0..<index].reduce(0, +) / Double(index)
        return SVCCAResult(value: value, coefficients: s, averaged: index, tokens: covariance.tokens, classes: present)
    }

    /// cca_core's `sum_threshold`: the first i in 0..<len with sum(s[:i])/sum(s) ≥ threshold, else len
    /// (numpy's `s[:None]`, all of s).
    static func sumThreshold(_ s: [Double], _ threshold: Double) -> Int {
        let total = s.reduce(0, +)
        var running = 0.0
        for i in 0..<s.count {
            if running / total >= threshold { return i }
            running += s[i]
        }
        return s.count
    }

    /// `positivedef_matrix_sqrt(np.linalg.pinv(a))` for symmetric `a`: V·diag(1/√λ)·Vᵀ over the eigenvalues
    /// that pinv keeps (|λ| > 1e-15·max|λ|), zero on the rest.
    static func pseudoInverseSquareRoot(_ a: Matrix<Double>) throws -> Matrix<Double> {
        let (values, vectors) = try LAPACK.symmetricEigen(a)
        let cutoff = pinvCutoff * (values.map(abs).max() ?? 0)
        let n = a.rows
        var scaled = vectors
        for j in 0..<n {
            let factor = abs(values[j]) > cutoff ? (1 / values[j]).squareRoot() : 0  // NaN for λ < 0, as numpy
            for i in 0..<n { scaled[i, j] *= factor }
        }
        return BLAS.multiply(scaled, vectors, transposeB: true)
    }

    static func crop(_ m: Matrix<Double>, _ rows: [Int], _ cols: [Int]) -> Matrix<Double> {
        var result = Matrix<Double>(rows: rows.count, cols: cols.count)
        for (a, i) in rows.enumerated() {
            for (b, j) in cols.enumerated() { result[a, b] = m[i, j] }
        }
        return result
    }
}
