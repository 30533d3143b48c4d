import Numerics

/// Orthogonal Procrustes analysis of two 2-D layouts of the same points: the rotation (or
/// reflection), uniform scale and translation that bring one closest to the other in least
/// squares, as `scipy.spatial.procrustes` finds them.
public enum Procrustes {
    /// A similarity transform y ↦ scale·y·rotation + translation of 2-D points.
    public struct Transform: Sendable, Equatable {
        /// 2×2, row-major: a point is a row vector multiplied on the right.
        public var rotation: [Double]
        public var scale: Double
        public var translation: SIMD2<Double>

        /// Applies the transform to every row of a points × 2 layout.
        public func apply(_ layout: Matrix<Float>) -> Matrix<Float> {
            var out = layout
            for r in 0..<layout.rows {
                let x = Double(layout[r, 0]), y = Double(layout[r, 1])
                out[r, 0] = Float(scale * (x * rotation[0] + y * rotation[2]) + translation.x)
                out[r, 1] = Float(scale * (x * rotation[1] + y * rotation[3]) + translation.y)
            }
            return out
        }
    }

    /// The transform of `moving` that best matches `reference` (both points × 2, same rows).
    public static func fit(_ moving: Matrix<Float>, onto reference: Matrix<Float>) -> Transform {
        precondition(moving.rows == reference.rows && moving.cols == 2 && reference.cols == 2, "two layouts of the same points")
        let n = moving.rows
        guard n > 0 else { return Transform(rotation: [1, 0, 0, 1], scale: 1, translation: .zero) }
        let meanM = mean(moving), meanR = mean(reference)
        // Cross-covariance Mᵀ·R of the centred layouts, and M's spread.
        var cross = [0.0, 0.0, 0.0, 0.0]
        var spread = 0.0
        for r in 0..<n {
            let m = SIMD2(Double(moving[r, 0]), Double(moving[r, 1])) - meanM
            let q = SIMD2(Double(reference[r, 0]), Double(reference[r, 1])) - meanR
            cross[0] += m.x * q.x
            cross[1] += m.x * q.y
            cross[2] += m.y * q.x
            cross[3] += m.y * q.y
            spread += (m * m).sum()
        }
        guard spread > 0, let (u, s, vt) = try? LAPACK.svd(Matrix(rows: 2, cols: 2, storage: cross)) else {
            return Transform(rotation: [1, 0, 0, 1], scale: 1, translation: meanR - meanM)
        }
        // R = U·Vᵀ maximises trace(Rᵀ·Mᵀ·Q); the best scale is trace(S)/‖M‖².
        let rotation = BLAS.multiply(u, vt).storage
        let scale = s.reduce(0, +) / spread
        let rotatedMean = SIMD2(meanM.x * rotation[0] + meanM.y * rotation[2], meanM.x * rotation[1] + meanM.y * rotation[3])
        return Transform(rotation: rotation, scale: scale, translation: meanR - scale * rotatedMean)
    }

    /// The mean distance between corresponding points after `moving` is fitted onto `reference`,
    /// in units of the reference layout's root-mean-square radius (so the figure does not depend on
    /// the layouts' scales): 0 for layouts equal up to rotation, scale and translation.
    public static func meanDisplacement(_ moving: Matrix<Float>, _ reference: Matrix<Float>) -> Double {
        let n = moving.rows
        guard n > 0 else { return 0 }
        let fitted = fit(moving, onto: reference).apply(moving)
        let center = mean(reference)
        var radius = 0.0
        var total = 0.0
        for r in 0..<n {
            let q = SIMD2(Double(reference[r, 0]), Double(reference[r, 1]))
            let f = SIMD2(Double(fitted[r, 0]), Double(fitted[r, 1]))
            radius += ((q - center) * (q - center)).sum()
            total += ((f - q) * (f - q)).sum().squareRoot()
        }
        let rms = (radius / Double(n)).squareRoot()
        return rms > 0 ? total / Double(n) / rms : 0
    }

    /// The mean distance between the centroids of each class (codes ≥ 0; negative codes are left
    /// out) after `moving` is fitted onto `reference` by all its points, in units of the reference
    /// layout's root-mean-square radius: how far the clusters moved, whatever happened inside them.
    public static func meanCentroidDisplacement(_ moving: Matrix<Float>, _ reference: Matrix<Float>, classes codes: [Int]) -> Double {
        let n = moving.rows
        guard n > 0, codes.count == n else { return 0 }
        let fitted = fit(moving, onto: reference).apply(moving)
        let classCount = (codes.max() ?? -1) + 1
        var sumsF = [SIMD2<Double>](repeating: .zero, count: classCount)
        var sumsR = [SIMD2<Double>](repeating: .zero, count: classCount)
        var counts = [Double](repeating: 0, count: classCount)
        let center = mean(reference)
        var radius = 0.0
        for r in 0..<n {
            let q = SIMD2(Double(reference[r, 0]), Double(reference[r, 1]))
            radius += ((q - center) * (q - center)).sum()
            guard codes[r] >= 0 else { continue }
            sumsF[codes[r]] += SIMD2(Double(fitted[r, 0]), Double(fitted[r, 1]))
            sumsR[codes[r]] += q
            counts[codes[r]] += 1
        }
        let rms = (radius / Double(n)).squareRoot()
        let present = (0..<classCount).filter { counts[$0] > 0 }
        guard rms > 0, !present.isEmpty else { return 0 }
        let total = present.reduce(0.0) { total, c in
            let d = (sumsF[c] - sumsR[c]) / counts[c]
            return total + (d * d).sum().squareRoot()
        }
        return total / Double(present.count) / rms
    }

    private static func mean(_ layout: Matrix<Float>) -> SIMD2<Double> {
        var sum = SIMD2<Double>.zero
        for r in 0..<layout.rows { sum += SIMD2(Double(layout[r, 0]), Double(layout[r, 1])) }
        return sum / Double(max(layout.rows, 1))
    }
}
