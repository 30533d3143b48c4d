import Numerics

/// The second-order statistics canonical correlation needs between k features and one label's
/// one-hot matrix, over the tokens that have a value for the label: everything SVCCA reads.
/// Scatter matrices are sums about the mean (not divided by n − 1).
public struct LabelCovariance: Sendable {
    /// Tokens with a value for the label.
    public let tokens: Int
    /// Tokens per class, in the label's class order (zero for a class with no analysed token).
    public let classCounts: [Int]
    /// k × k: Σ (z − z̄)(z − z̄)ᵀ over the tokens.
    public let featureScatter: Matrix<Double>
    /// k × C: column c is Σ (z − z̄) over the tokens of class c, i.e. Σ (z − z̄)·onehotᵀ.
    public let crossScatter: Matrix<Double>

    public init(tokens: Int, classCounts: [Int], featureScatter: Matrix<Double>, crossScatter: Matrix<Double>) {
        self.tokens = tokens
        self.classCounts = classCounts
        self.featureScatter = featureScatter
        self.crossScatter = crossScatter
    }

    /// The one-hot matrix's scatter: diag(n_c) − n·nᵀ/N, C × C.
    public var labelScatter: Matrix<Double> {
        let c = classCounts.count, n = Double(max(tokens, 1))
        var result = Matrix<Double>(rows: c, cols: c)
        for i in 0..<c {
            for j in 0..<c { result[i, j] = (i == j ? Double(classCounts[i]) : 0) - Double(classCounts[i]) * Double(classCounts[j]) / n }
        }
        return result
    }

    /// From features in memory (n × k, row i = token i) and the label's codes (−1: no value, left out).
    public static func from(features: Matrix<Float>, codes: [Int32], classCount: Int) -> LabelCovariance {
        precondition(codes.count == features.rows, "\(codes.count) codes for \(features.rows) rows")
        let kept = codes.indices.filter { codes[$0] >= 0 }
        let subset = kept.count == codes.count ? features : gather(features, rows: kept)
        let subsetCodes = kept.count == codes.count ? codes : kept.map { codes[$0] }
        let moments = RowMoments.accumulate(subset, groupings: [RowGrouping(codes: subsetCodes, classCount: classCount)])
        return LabelCovariance(tokens: moments.count, classCounts: moments.classCounts[0],
                               featureScatter: moments.centredScatter(),
                               crossScatter: centredClassSums(moments, grouping: 0).transposed())
    }

    /// From one pass over a layer's rows (D-dimensional moments with this label's class sums as
    /// grouping `grouping`) and the PCA fitted on them: the statistics of the PCA features z = W(x − x̄)
    /// without projecting a single row. Every row must have a value for the label. `featureScatter`
    /// (`projectedScatter(moments:pca:)`) is the same for every such label of a layer; pass it to share it.
    public static func from(moments: RowMoments, grouping: Int, pca: PCAModel,
                            featureScatter: Matrix<Double>? = nil) throws -> LabelCovariance {
        let counts = moments.classCounts[grouping]
        guard counts.reduce(0, +) == moments.count else {
            throw AnalysisError("the label has tokens without a value; use the features path")
        }
        let axes = pca.components.asDouble                              // k × D
        let crossScatter = BLAS.multiply(axes, centredClassSums(moments, grouping: grouping), transposeB: true)
        return LabelCovariance(tokens: moments.count, classCounts: counts,
                               featureScatter: featureScatter ?? projectedScatter(moments: moments, pca: pca),
                               crossScatter: crossScatter)
    }

    /// W·S·Wᵀ: the scatter of the PCA features of every row, from the rows' D × D scatter.
    public static func projectedScatter(moments: RowMoments, pca: PCAModel) -> Matrix<Double> {
        let axes = pca.components.asDouble
        return BLAS.multiply(BLAS.multiply(axes, moments.centredScatter()), axes, transposeB: true)
    }

    /// C × D: Σ over each class of (x − x̄) = class sum − n_c·x̄, in the moments' shifted coordinates, with
    /// x̄ the mean of the classed rows taken from the class sums themselves: then the columns sum to zero
    /// to rounding, as the one-hot's redundant direction requires (google mode inverts that direction's
    /// epsilon-sized variance, so any residual there would be amplified 10⁵-fold).
    static func centredClassSums(_ moments: RowMoments, grouping: Int) -> Matrix<Double> {
        var sums = moments.classSums[grouping]
        let counts = moments.classCounts[grouping]
        let n = Double(max(counts.reduce(0, +), 1))
        var mean = [Double](repeating: 0, count: sums.cols)
        for c in 0..<sums.rows {
            for j in 0..<sums.cols { mean[j] += sums[c, j] }
        }
        for j in 0..<sums.cols { mean[j] /= n }
        for c in 0..<sums.rows {
            for j in 0..<sums.cols { sums[c, j] -= Double(counts[c]) * mean[j] }
        }
        return sums
    }

    static func gather(_ matrix: Matrix<Float>, rows: [Int]) -> Matrix<Float> {
        var result = Matrix<Float>(rows: rows.count, cols: matrix.cols)
        let cols = matrix.cols
        matrix.storage.withUnsafeBufferPointer { source in
            result.storage.withUnsafeMutableBufferPointer { target in
                for (i, r) in rows.enumerated() {
                    (target.baseAddress! + i * cols).update(from: source.baseAddress! + r * cols, count: cols)
                }
            }
        }
        return result
    }
}
