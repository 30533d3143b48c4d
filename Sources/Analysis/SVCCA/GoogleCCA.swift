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
        let zero = SVCCAResult(value: 0, coefficients: [], averaged: 0, tokens: covariance.tokens, classes: present)
        // get_cca_similarity: np.cov, then rescale.
        guard let sigma = rescaledCovariances(covariance) else { return zero }
        guard let cropped = removeSmall(sigma, epsilon: epsilon) else { return zero }
        let s = try computeCCAs(cropped, epsilon: epsilon)
        let index = sumThreshold(s, threshold)
        let value = index == 0 ? Double.nan : s[0..<index].reduce(0, +) / Double(index)
        return SVCCAResult(value: value, coefficients: s, averaged: index, tokens: covariance.tokens, classes: present)
    }

    struct Covariances {
        var xx: Matrix<Double>
        var xy: Matrix<Double>
        var yy: Matrix<Double>
    }

    /// `np.cov` (divided by n − 1), then "rescale covariance to make cca computation more stable":
    /// nil where a covariance is all zero (numpy divides by zero and remove_small then drops everything).
    static func rescaledCovariances(_ covariance: LabelCovariance) -> Covariances? {
        let scale = 1 / (Double(covariance.tokens) - 1)
        var xx = covariance.featureScatter, yy = covariance.labelScatter, xy = covariance.crossScatter
        let xmax = xx.storage.map { abs($0 * scale) }.max() ?? 0
        let ymax = yy.storage.map { abs($0 * scale) }.max() ?? 0
        guard xmax > 0, ymax > 0 else { return nil }
        for i in xx.storage.indices { xx.storage[i] = xx.storage[i] * scale / xmax }
        for i in yy.storage.indices { yy.storage[i] = yy.storage[i] * scale / ymax }
        let crossScale = (xmax * ymax).squareRoot()
        for i in xy.storage.indices { xy.storage[i] = xy.storage[i] * scale / crossScale }
        return Covariances(xx: xx, xy: xy, yy: yy)
    }

    /// `remove_small`: keeps the directions whose variance (diagonal) is at least epsilon; nil when
    /// none is left on a side.
    static func removeSmall(_ sigma: Covariances, epsilon: Double) -> Covariances? {
        let xKeep = (0..<sigma.xx.rows).filter { abs(sigma.xx[$0, $0]) >= epsilon }
        let yKeep = (0..<sigma.yy.rows).filter { abs(sigma.yy[$0, $0]) >= epsilon }
        guard !xKeep.isEmpty, !yKeep.isEmpty else { return nil }
        return Covariances(xx: crop(sigma.xx, xKeep, xKeep), xy: crop(sigma.xy, xKeep, yKeep), yy: crop(sigma.yy, yKeep, yKeep))
    }

    /// `compute_ccas`: epsilon on the diagonals, inverse square roots, SVD; the coefficients, descending.
    static func computeCCAs(_ sigma: Covariances, epsilon: Double) throws -> [Double] {
        var xx = sigma.xx, yy = sigma.yy
        for i in 0..<xx.rows { xx[i, i] += epsilon }
        for i in 0..<yy.rows { yy[i, i] += epsilon }
        let invsqrtXX = try pseudoInverseSquareRoot(xx)
        let invsqrtYY = try pseudoInverseSquareRoot(yy)
        let arr = BLAS.multiply(invsqrtXX, BLAS.multiply(sigma.xy, invsqrtYY))
        return try LAPACK.svd(arr).s.map(abs)
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
