import Numerics

/// Which definition of SVCCA to report (docs/ANALYSIS.md spells both out).
public enum SVCCAMode: String, Sendable, Codable, CaseIterable {
    /// Canonical correlations between the features and the one-hot matrix without one redundant
    /// column; the mean of all C − 1 of them.
    case standard
    /// google/svcca `cca_core.get_cca_similarity(features.T, onehot.T, epsilon)["mean"]`, step for step.
    case google
}

/// One SVCCA value and what it was made of.
public struct SVCCAResult: Sendable, Codable, Equatable {
    /// The reported similarity.
    public var value: Double
    /// The canonical correlations, descending.
    public var coefficients: [Double]
    /// How many leading coefficients `value` averages.
    public var averaged: Int
    /// Tokens analysed (those with a value for the label).
    public var tokens: Int
    /// Classes with at least one analysed token.
    public var classes: Int
}

/// SVCCA between features (normally a layer's PCA features) and a label's one-hot matrix.
public enum SVCCA {
    /// google/svcca's tutorials use this epsilon.
    public static let defaultEpsilon = 1e-10
    /// cca_core's `threshold`: the mean keeps coefficients until 98% of their sum.
    public static let defaultThreshold = 0.98

    /// SVCCA of in-memory features (n × k) against a label given as class codes (−1: no value).
    public static func similarity(features: Matrix<Float>, codes: [Int32], classCount: Int, mode: SVCCAMode,
                                  epsilon: Double = defaultEpsilon, threshold: Double = defaultThreshold) throws -> SVCCAResult {
        try similarity(LabelCovariance.from(features: features, codes: codes, classCount: classCount), mode: mode,
                       epsilon: epsilon, threshold: threshold)
    }

    /// SVCCA from the label covariance. Fails when fewer than two classes have tokens.
    public static func similarity(_ covariance: LabelCovariance, mode: SVCCAMode, epsilon: Double = defaultEpsilon,
                                  threshold: Double = defaultThreshold) throws -> SVCCAResult {
        let present = covariance.classCounts.filter { $0 > 0 }.count
        guard present >= 2 else {
            throw AnalysisError("fewer than two classes among the analysed tokens (found \(present))")
        }
        guard covariance.featureScatter.storage.allSatisfy(\.isFinite), covariance.crossScatter.storage.allSatisfy(\.isFinite) else {
            throw AnalysisError("the features hold NaN or infinity")
        }
        switch mode {
        case .standard: return try StandardCCA.similarity(covariance)
        case .google: return try GoogleCCA.similarity(covariance, epsilon: epsilon, threshold: threshold)
        }
    }
}
