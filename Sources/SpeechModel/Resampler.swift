import Foundation

/// Sample-rate conversion by a rational factor with a polyphase windowed-sinc filter, computing
/// exactly what `scipy.signal.resample_poly(x, up, down)` computes with its defaults:
/// up/down = target/source reduced by their gcd; a linear-phase low-pass FIR from
/// `firwin(2·half + 1, 1/max(up, down), window=("kaiser", 5.0))` with half = 10·max(up, down),
/// scaled to unit DC gain then multiplied by up; samples beyond the ends taken as zero; and
/// ceil(n·up/down) outputs, output m aligned with input time m·down/up. The Kaiser window with
/// β = 5 gives about 55 dB of stop-band attenuation; the cutoff sits at the lower Nyquist frequency.
public struct Resampler: Sendable {
    public let up: Int
    public let down: Int
    /// Half the filter length, in taps at the upsampled rate.
    public let halfLength: Int
    /// phases[p][j] = h[p + j·up]: the taps that meet input samples for output phase p.
    private let phases: [[Float]]

    public init(from source: Int, to target: Int) {
        precondition(source > 0 && target > 0, "sample rates must be positive")
        let divisor = gcd(source, target)
        up = target / divisor
        down = source / divisor
        let rate = max(up, down)
        halfLength = 10 * rate
        let upsampling = up
        let taps = Self.lowPass(taps: 2 * halfLength + 1, cutoff: 1 / Double(rate), beta: 5).map { $0 * Double(upsampling) }
        phases = (0..<upsampling).map { p in
            Swift.stride(from: p, to: taps.count, by: upsampling).map { Float(taps[$0]) }
        }
    }

    /// The resampled signal: ceil(count·up/down) samples.
    public func resample(_ x: [Float]) -> [Float] {
        if up == down { return x }
        let n = x.count
        let outputs = (n * up + down - 1) / down
        return x.withUnsafeBufferPointer { input in
            (0..<outputs).map { m in
                // y[m] = Σᵢ x[i] · h[m·down + half − i·up], over the taps that land on input samples.
                let centre = m * down + halfLength
                let phase = phases[centre % up]
                let newest = centre / up  // the input sample that meets phase[0]
                let first = max(0, newest - n + 1)
                let last = min(phase.count - 1, newest)
                guard first <= last else { return 0 }
                var sum: Float = 0
                for j in first...last { sum += phase[j] * input[newest - j] }
                return sum
            }
        }
    }

    /// `scipy.signal.firwin(taps, cutoff, window=("kaiser", beta))` for an odd length: a sinc low-pass
    /// (cutoff relative to Nyquist) under a symmetric Kaiser window, scaled to sum 1.
    static func lowPass(taps: Int, cutoff: Double, beta: Double) -> [Double] {
        let centre = Double(taps - 1) / 2
        let normaliser = besselI0(beta)
        var h = (0..<taps).map { n -> Double in
            let m = Double(n) - centre
            let x = cutoff * m
            let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
            let r = 2 * Double(n) / Double(taps - 1) - 1
            let window = besselI0(beta * (max(0, 1 - r * r)).squareRoot()) / normaliser
            return cutoff * sinc * window
        }
        let total = h.reduce(0, +)
        for i in h.indices { h[i] /= total }
        return h
    }

    /// The modified Bessel function of the first kind, order 0, by its power series.
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0
        var term = 1.0
        let quarterSquare = x * x / 4
        var k = 1.0
        while term > sum * 1e-17 {
            term *= quarterSquare / (k * k)
            sum += term
            k += 1
        }
        return sum
    }
}

private func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
