import Numerics

/// Standard-mode SVCCA: the canonical correlations between the features and the one-hot matrix of the
/// classes present, with the last present class's column dropped (the columns sum to one, so one is
/// redundant; which one does not change the correlations), and their mean over all C − 1.
///
/// The correlations are the singular values of Kxᵀ·Sxy·Ky, where K whitens a scatter matrix
/// (K = V·Λ^{-1/2} over the eigenpairs with λ > `rankTolerance`·λmax). Feature directions below that
/// tolerance (a constant column, more features than tokens) carry no variance and are dropped; when fewer
/// than C − 1 directions remain, the missing correlations count as zero.
enum StandardCCA {
    /// Relative eigenvalue cutoff for the whitening: far above double-precision noise in a scatter
    /// matrix, far below any real variance ratio in PCA features.
    static let rankTolerance = 1e-10

    static func similarity(_ covariance: LabelCovariance) throws -> SVCCAResult {
        let present = covariance.classCounts.indices.filter { covariance.classCounts[$0] > 0 }
        let used = Array(present.dropLast())
        let labelScatter = covariance.labelScatter
        var syy = Matrix<Double>(rows: used.count, cols: used.count)
        for (a, i) in used.enumerated() {
            for (b, j) in used.enumerated() { syy[a, b] = labelScatter[i, j] }
        }
        var sxy = Matrix<Double>(rows: covariance.featureScatter.rows, cols: used.count)
        for r in 0..<sxy.rows {
            for (b, j) in used.enumerated() { sxy[r, b] = covariance.crossScatter[r, j] }
        }
        let kx = try whitening(covariance.featureScatter)
        guard kx.cols > 0 else { throw AnalysisError("the features have no variance among the analysed tokens") }
        let ky = try whitening(syy)
        let m = BLAS.multiply(BLAS.multiply(kx, sxy, transposeA: true), ky)
        var coefficients = try LAPACK.svd(m).s.map { min(1, max(0, $0)) }
        coefficients += [Double](repeating: 0, count: max(0, used.count - coefficients.count))
        let value = coefficients.reduce(0, +) / Double(coefficients.count)
        return SVCCAResult(value: value, coefficients: coefficients, averaged: coefficients.count,
                           tokens: covariance.tokens, classes: present.count)
    }

    /// K with Kᵀ·S·K = I on the numerically non-null eigenspace of S (columns: kept eigenvectors / √λ).
    static func whitening(_ scatter: Matrix<Double>) throws -> Matrix<Double> {
        let (values, vectors) = try LAPACK.symmetricEigen(scatter)
        let largest = values.last ?? 0
        guard largest > 0 else { return Matrix(rows: scatter.rows, cols: 0) }
        let kept = values.indices.filter { values[$0] > rankTolerance * largest }
        var result = Matrix<Double>(rows: scatter.rows, cols: kept.count)
        for (c, j) in kept.enumerated() {
            let scale = 1 / values[j].squareRoot()
            for i in 0..<scatter.rows { result[i, c] = vectors[i, j] * scale }
        }
        return result
    }
}
