import Numerics

/// How PCA finds the top components: from the covariance's eigendecomposition (one pass over the rows,
/// then an eigensolver on the D×D covariance) or by a randomized SVD (several passes, no D×D eigensolve).
public enum PCASolver: String, Sendable, Codable, CaseIterable {
    /// Pick by cost: the covariance for the dimensions wav2vec2 has, randomized for very wide features.
    case automatic
    case covarianceEigh = "covariance_eigh"
    case randomized
}

/// A fitted PCA, as scikit-learn's `PCA` keeps it: the mean, the principal axes and their variances.
public struct PCAModel: Sendable {
    /// Column means of the fitted rows (D values).
    public let mean: [Double]
    /// k × D: row i is the i-th principal axis (unit length; sign chosen so its largest entry is positive).
    public let components: Matrix<Float>
    /// Variance along each axis (divided by n − 1, as scikit-learn does), descending.
    public let explainedVariance: [Double]
    /// `explainedVariance` as a fraction of the total variance of all D columns.
    public let explainedVarianceRatio: [Double]
    /// Rows the model was fitted on.
    public let samples: Int
    /// The solver that actually ran (never `.automatic`).
    public let solver: PCASolver

    /// Number of components, k.
    public var count: Int { components.rows }
    /// Input dimension, D.
    public var dimension: Int { components.cols }

    public init(mean: [Double], components: Matrix<Float>, explainedVariance: [Double],
                explainedVarianceRatio: [Double], samples: Int, solver: PCASolver) {
        self.mean = mean
        self.components = components
        self.explainedVariance = explainedVariance
        self.explainedVarianceRatio = explainedVarianceRatio
        self.samples = samples
        self.solver = solver
    }
}

/// Principal component analysis over float16/float32 views, block by block (no float32 copy of a layer).
public enum PCA {
    /// The number of components a fit can have: k, capped by the dimension and by n − 1 (n centred rows
    /// span at most n − 1 directions, so asking for more would add axes with zero variance).
    public static func effectiveComponents(requested: Int, rows: Int, cols: Int) -> Int {
        max(0, min(requested, cols, rows - 1))
    }

    /// Fits PCA with `components` axes (capped by `effectiveComponents`) to the rows of `view`.
    public static func fit(_ view: MatrixView, components: Int, solver: PCASolver = .automatic) throws -> PCAModel {
        let k = try checkedComponents(components, rows: view.rows, cols: view.cols)
        switch resolve(solver, rows: view.rows, cols: view.cols, components: k) {
        case .randomized:
            return try RandomizedPCA.fit(view, components: k)
        default:
            return try fit(moments: RowMoments.accumulate(view), components: k)
        }
    }

    /// Fits PCA from accumulated moments (the covariance solver): the top-k eigenpairs of the covariance.
    /// Lets one pass over a layer serve PCA and the class sums SVCCA needs.
    public static func fit(moments: RowMoments, components: Int) throws -> PCAModel {
        let k = try checkedComponents(components, rows: moments.count, cols: moments.cols)
        guard moments.isFinite else { throw AnalysisError("the features hold NaN or infinity") }
        guard moments.scatter.rows == moments.cols else { throw AnalysisError("the moments have no scatter matrix") }
        var covariance = moments.centredScatter()
        let scale = 1 / Double(moments.count - 1)
        for i in covariance.storage.indices { covariance.storage[i] *= scale }
        let totalVariance = (0..<moments.cols).reduce(0.0) { $0 + covariance[$1, $1] }
        let (values, vectors) = try LAPACK.symmetricEigen(covariance, largest: k)
        return assemble(mean: moments.mean, eigenvalues: values, eigenvectors: vectors, totalVariance: totalVariance,
                        samples: moments.count, solver: .covarianceEigh)
    }

    /// The solver `.automatic` stands for at this shape, by estimated cost: the covariance solver does
    /// one SYRK pass (n·D² flops) and an eigensolve (~4/3·D³ flops at a tenth of GEMM speed); the
    /// randomized one does q + 1 passes of two thin GEMMs (4·n·D·(k + 10) flops each, at a third of
    /// SYRK's speed). The randomized
    /// solver is only considered where scikit-learn would consider it (D > 500, k < 80% of min(n, D)),
    /// since it approximates the weakest axes. bench/analysis.py's `--solvers` mode measures both.
    public static func resolve(_ solver: PCASolver, rows: Int, cols: Int, components: Int) -> PCASolver {
        guard solver == .automatic else { return solver }
        let n = Double(rows), d = Double(cols), k = Double(components)
        guard cols > 500, k < 0.8 * min(n, d) else { return .covarianceEigh }
        let iterations = Double(RandomizedPCA.powerIterations(components: components, rows: rows, cols: cols))
        let covarianceCost = n * d * d + 4.0 / 3.0 * d * d * d * eigensolverPenalty
        let randomizedCost = 4 * (iterations + 1) * n * d * (k + Double(RandomizedPCA.oversamples)) * randomizedPenalty
        return randomizedCost < covarianceCost ? .randomized : .covarianceEigh
    }

    /// How much slower per flop the eigensolver runs than a GEMM (its tridiagonal reduction is half
    /// matrix-vector work); measured on the development machines.
    static let eigensolverPenalty = 10.0

    /// How much slower per flop the randomized passes run than the covariance's SYRK (thin GEMMs, a
    /// float16 widening per pass): `layerscope-bench analysis --mode solvers` measured 3 at 100,000 × 1024.
    static let randomizedPenalty = 3.0

    static func checkedComponents(_ requested: Int, rows: Int, cols: Int) throws -> Int {
        guard requested > 0 else { throw AnalysisError("PCA needs at least one component, got \(requested)") }
        guard rows >= 2 else { throw AnalysisError("PCA needs at least two tokens, found \(rows)") }
        guard cols >= 1 else { throw AnalysisError("the features have no columns") }
        return effectiveComponents(requested: requested, rows: rows, cols: cols)
    }

    /// Builds the model from eigenpairs (descending), fixing signs as scikit-learn's `svd_flip` does
    /// for the components: the entry of largest magnitude in each axis is made positive.
    static func assemble(mean: [Double], eigenvalues: [Double], eigenvectors: Matrix<Double>, totalVariance: Double,
                         samples: Int, solver: PCASolver) -> PCAModel {
        let d = eigenvectors.rows, k = eigenvalues.count
        var axes = Matrix<Float>(rows: k, cols: d)
        for c in 0..<k {
            var largest = 0.0, sign = 1.0
            for i in 0..<d where abs(eigenvectors[i, c]) > largest {
                largest = abs(eigenvectors[i, c])
                sign = eigenvectors[i, c] < 0 ? -1 : 1
            }
            for i in 0..<d { axes[c, i] = Float(sign * eigenvectors[i, c]) }
        }
        let variance = eigenvalues.map { max($0, 0) }
        let ratio = variance.map { totalVariance > 0 ? $0 / totalVariance : 0 }
        return PCAModel(mean: mean, components: axes, explainedVariance: variance, explainedVarianceRatio: ratio,
                        samples: samples, solver: solver)
    }
}
