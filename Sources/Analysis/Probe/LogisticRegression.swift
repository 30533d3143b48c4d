import Foundation
import Numerics

/// Multinomial logistic regression with an L2 penalty on the weights (not the intercepts), as
/// scikit-learn's `LogisticRegression(C=1.0)` with its lbfgs solver: it minimises
/// Σᵢ −log softmax(W·xᵢ + b)_{yᵢ} + ‖W‖²/(2C). Fitted by L-BFGS on the mean loss.
struct MultinomialLogisticRegression {
    /// d × K weights (one column per class).
    let weights: Matrix<Double>
    /// K intercepts.
    let intercepts: [Double]
    let iterations: Int
    let converged: Bool

    /// Fits on rows of `features` (n × d) with classes `targets` in 0..<classCount.
    static func fit(features: Matrix<Double>, targets: [Int], classCount: Int, inverseRegularization c: Double = 1) -> MultinomialLogisticRegression {
        let n = features.rows, d = features.cols, k = classCount
        let lambda = 1 / (c * Double(n))  // the penalty of the mean loss
        let objective = { (parameters: [Double], gradient: inout [Double]) -> Double in
            let weights = Matrix<Double>(rows: d, cols: k, storage: Array(parameters[0..<(d * k)]))
            var logits = BLAS.multiply(features, weights)
            var loss = 0.0
            logits.storage.withUnsafeMutableBufferPointer { z in
                for i in 0..<n {
                    let row = z.baseAddress! + i * k
                    var largest = -Double.infinity
                    for j in 0..<k { row[j] += parameters[d * k + j]; largest = max(largest, row[j]) }
                    var total = 0.0
                    for j in 0..<k { row[j] = Foundation.exp(row[j] - largest); total += row[j] }
                    loss -= Foundation.log(row[targets[i]] / total)
                    // The row becomes (softmax − onehot)/n, the loss's derivative in the logits.
                    for j in 0..<k { row[j] = row[j] / total / Double(n) }
                    row[targets[i]] -= 1 / Double(n)
                }
            }
            let weightGradient = BLAS.multiply(features, logits, transposeA: true)
            var penalty = 0.0
            for i in 0..<(d * k) {
                penalty += parameters[i] * parameters[i]
                gradient[i] = weightGradient.storage[i] + lambda * parameters[i]
            }
            for j in 0..<k {
                var sum = 0.0
                for i in 0..<n { sum += logits.storage[i * k + j] }
                gradient[d * k + j] = sum
            }
            return loss / Double(n) + lambda / 2 * penalty
        }
        let outcome = LBFGS().minimize(from: [Double](repeating: 0, count: d * k + k), objective)
        return MultinomialLogisticRegression(
            weights: Matrix(rows: d, cols: k, storage: Array(outcome.x[0..<(d * k)])),
            intercepts: Array(outcome.x[(d * k)...]), iterations: outcome.iterations, converged: outcome.converged)
    }

    /// The most probable class of each row.
    func predict(_ features: Matrix<Double>) -> [Int] {
        let logits = BLAS.multiply(features, weights)
        let k = intercepts.count
        return (0..<features.rows).map { i in
            var best = 0
            for j in 1..<k where logits.storage[i * k + j] + intercepts[j] > logits.storage[i * k + best] + intercepts[best] { best = j }
            return best
        }
    }
}
