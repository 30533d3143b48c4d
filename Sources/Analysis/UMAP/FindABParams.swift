import Foundation

/// umap-learn's `find_ab_params`: the a, b of the low-dimensional similarity 1 / (1 + a·d^(2b))
/// that best fit (least squares, over 300 points of [0, 3·spread]) the curve that is 1 below
/// `minDist` and exp(−(d − minDist)/spread) above it. umap-learn calls scipy's `curve_fit`
/// (Levenberg–Marquardt from a = b = 1); this is the same fit, with the Jacobian written out.
public func findABParams(spread: Double, minDist: Double) -> (a: Double, b: Double) {
    let count = 300
    let xs = (0..<count).map { spread * 3 * Double($0) / Double(count - 1) }
    let ys = xs.map { $0 < minDist ? 1 : exp(-($0 - minDist) / spread) }

    func residuals(_ a: Double, _ b: Double) -> [Double] {
        zip(xs, ys).map { x, y in 1 / (1 + a * pow(x, 2 * b)) - y }
    }
    func cost(_ r: [Double]) -> Double { r.reduce(0) { $0 + $1 * $1 } }

    var a = 1.0
    var b = 1.0
    var r = residuals(a, b)
    var current = cost(r)
    var lambda = 1e-3
    for _ in 0..<500 {
        // Normal equations JᵀJ·δ = −Jᵀr, damped on the diagonal (Marquardt's scaling).
        var jtj = (0.0, 0.0, 0.0)
        var jtr = (0.0, 0.0)
        for (i, x) in xs.enumerated() where x > 0 {
            let p = pow(x, 2 * b)
            let f = 1 / (1 + a * p)
            let da = -p * f * f
            let db = -a * p * 2 * log(x) * f * f
            jtj.0 += da * da
            jtj.1 += da * db
            jtj.2 += db * db
            jtr.0 += da * r[i]
            jtr.1 += db * r[i]
        }
        var improved = false
        for _ in 0..<30 {
            let m00 = jtj.0 * (1 + lambda), m11 = jtj.2 * (1 + lambda), m01 = jtj.1
            let det = m00 * m11 - m01 * m01
            guard det != 0, det.isFinite else { break }
            let stepA = -(m11 * jtr.0 - m01 * jtr.1) / det
            let stepB = -(m00 * jtr.1 - m01 * jtr.0) / det
            let trial = residuals(a + stepA, b + stepB)
            let trialCost = cost(trial)
            if trialCost.isFinite && trialCost < current {
                let relative = (current - trialCost) / max(current, 1e-300)
                a += stepA
                b += stepB
                r = trial
                current = trialCost
                lambda = max(lambda / 10, 1e-12)
                improved = relative > 1e-15
                break
            }
            lambda *= 10
        }
        if !improved { break }
    }
    return (a, b)
}
