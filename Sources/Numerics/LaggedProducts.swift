import COpenBLAS

/// Sums of lagged products of a signal, the core of autocorrelation pitch trackers (YIN's
/// difference function is built from them).
public enum LaggedProducts {
    /// r(τ) = Σ_{j < window} x[j]·x[j+τ] for τ = 0 … maxLag, written to `result[τ]`; `x` must hold
    /// window + maxLag samples. The corresponding C function is `cblas_sdot`, once per lag.
    public static func crossSums(_ x: UnsafePointer<Float>, window: Int, maxLag: Int, into result: UnsafeMutablePointer<Float>) {
        for lag in 0...maxLag {
            result[lag] = cblas_sdot(blasint(window), x, 1, x + lag, 1)
        }
    }
}
