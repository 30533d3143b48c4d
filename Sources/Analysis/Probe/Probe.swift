import Numerics

/// How well a linear classifier reads a label off the features of held-out speakers.
public struct ProbeResult: Sendable, Codable, Equatable {
    /// Fraction of test tokens classified correctly.
    public var accuracy: Double
    /// Per class (in the label's class order): the fraction of its test tokens classified correctly,
    /// nil where the class has no test token. A class absent from training scores 0.
    public var perClass: [Double?]
    public var trainTokens: Int
    public var testTokens: Int
    /// L-BFGS iterations, and whether the optimiser met its tolerance.
    public var iterations: Int
    public var converged: Bool
}

/// A linear probe (beyond the paper): multinomial logistic regression from standardised features to
/// a label, trained on some speakers and tested on the others (`SpeakerSplit`).
public enum Probe {
    /// scikit-learn's default inverse regularisation strength.
    public static let inverseRegularization = 1.0

    /// Trains on the split's training tokens with a value for the label and tests on its test tokens.
    /// Features are standardised with the training tokens' mean and standard deviation (scikit-learn's
    /// `StandardScaler`) so the penalty treats every dimension alike.
    public static func evaluate(features: Matrix<Float>, codes: [Int32], classCount: Int, split: SpeakerSplit) throws -> ProbeResult {
        precondition(codes.count == features.rows && split.isTest.count == features.rows, "one code and one split flag per row")
        let train = codes.indices.filter { codes[$0] >= 0 && !split.isTest[$0] }
        let test = codes.indices.filter { codes[$0] >= 0 && split.isTest[$0] }
        let trainedClasses = Array(Set(train.map { Int(codes[$0]) })).sorted()
        guard trainedClasses.count >= 2 else {
            throw AnalysisError("fewer than two classes among the training speakers' tokens (found \(trainedClasses.count))")
        }
        guard !test.isEmpty else { throw AnalysisError("the test speakers have no token with a value") }
        let (mean, scale) = standardization(features, rows: train)
        // scikit-learn fits two classes with one binomial weight vector w (penalty ‖w‖²/2C); the softmax's
        // two columns settle at ±w/2, so the same model needs twice the penalty there.
        let strength = trainedClasses.count == 2 ? inverseRegularization / 2 : inverseRegularization
        let model = MultinomialLogisticRegression.fit(
            features: standardized(features, rows: train, mean: mean, scale: scale),
            targets: train.map { trainedClasses.firstIndex(of: Int(codes[$0])) ?? 0 },
            classCount: trainedClasses.count, inverseRegularization: strength)
        let predicted = model.predict(standardized(features, rows: test, mean: mean, scale: scale)).map { trainedClasses[$0] }
        var correct = [Int](repeating: 0, count: classCount), total = [Int](repeating: 0, count: classCount)
        for (i, row) in test.enumerated() {
            let truth = Int(codes[row])
            total[truth] += 1
            if predicted[i] == truth { correct[truth] += 1 }
        }
        return ProbeResult(
            accuracy: Double(correct.reduce(0, +)) / Double(test.count),
            perClass: (0..<classCount).map { total[$0] > 0 ? Double(correct[$0]) / Double(total[$0]) : nil },
            trainTokens: train.count, testTokens: test.count, iterations: model.iterations, converged: model.converged)
    }

    /// Column means and standard deviations (population, as StandardScaler; 1 where a column is constant).
    static func standardization(_ features: Matrix<Float>, rows: [Int]) -> (mean: [Double], scale: [Double]) {
        let d = features.cols, n = Double(rows.count)
        var mean = [Double](repeating: 0, count: d), squares = [Double](repeating: 0, count: d)
        for r in rows { for j in 0..<d { mean[j] += Double(features[r, j]) } }
        for j in 0..<d { mean[j] /= n }
        for r in rows { for j in 0..<d { let v = Double(features[r, j]) - mean[j]; squares[j] += v * v } }
        let scale = squares.map { variance -> Double in
            let sd = (variance / n).squareRoot()
            return sd > 1e-12 ? sd : 1
        }
        return (mean, scale)
    }

    static func standardized(_ features: Matrix<Float>, rows: [Int], mean: [Double], scale: [Double]) -> Matrix<Double> {
        let d = features.cols
        var result = Matrix<Double>(rows: rows.count, cols: d)
        for (i, r) in rows.enumerated() {
            for j in 0..<d { result.storage[i * d + j] = (Double(features[r, j]) - mean[j]) / scale[j] }
        }
        return result
    }
}
