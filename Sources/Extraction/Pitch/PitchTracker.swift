import Foundation
import Numerics

/// F0 per 20 ms model frame, NaN where the frame is unvoiced or silent.
public struct PitchTrack: Sendable, Equatable {
    /// Seconds per frame; frame i is centred at (i + 0.5) · frameDuration, the middle of the model's frame i.
    public let frameDuration: Double
    /// Hertz per frame, NaN where unvoiced.
    public let f0: [Float]

    public init(frameDuration: Double, f0: [Float]) {
        self.frameDuration = frameDuration
        self.f0 = f0
    }

    /// Frames with a pitch.
    public var voicedCount: Int { f0.reduce(0) { $0 + ($1.isNaN ? 0 : 1) } }
}

/// The YIN pitch tracker (de Cheveigné & Kawahara 2002, "YIN, a fundamental frequency estimator
/// for speech and music"), read at the centres of the model's 20 ms frames so an F0 row lines up
/// with framewise predictions. Steps 1–5 of the paper: difference function, cumulative mean
/// normalised difference, absolute threshold, parabolic interpolation; a frame with no dip under
/// the threshold, or much quieter than the loudest frame, is unvoiced.
public struct PitchTracker: Sendable {
    /// Lowest and highest F0 searched, in Hz (Praat's usual range for speech is 75–600; 60 lets
    /// creaky low tones through).
    public var minimumF0: Double = 60
    public var maximumF0: Double = 500
    /// YIN's absolute threshold on the normalised difference (the paper uses 0.1; breathy
    /// synthetic and real voices need a little more).
    public var threshold: Float = 0.2
    /// Frames whose RMS is this far below the loudest frame's are silent.
    public var silenceDecibels: Float = 35
    /// Seconds per output frame: wav2vec2's stride.
    public var frameDuration: Double = 0.02

    public init() {}

    /// The F0 track of `samples` (mono, at `sampleRate`), `frameCount` frames long (by default as
    /// many whole frames as the audio holds).
    public func track(_ samples: [Float], sampleRate: Int, frameCount: Int? = nil) -> PitchTrack {
        let rate = Double(sampleRate)
        let maxLag = Int((rate / minimumF0).rounded(.up))
        let minLag = max(2, Int((rate / maximumF0).rounded(.down)))
        let window = maxLag
        let frames = frameCount ?? Int(Double(samples.count) / (rate * frameDuration))
        guard frames > 0, maxLag > minLag else { return PitchTrack(frameDuration: frameDuration, f0: []) }

        // Each analysis span is window + maxLag samples starting half a span before the frame centre;
        // padding with zeros lets the first and last frames be read like the others.
        let span = window + maxLag
        let pad = span
        var padded = [Float](repeating: 0, count: samples.count + 2 * pad)
        padded.replaceSubrange(pad..<(pad + samples.count), with: samples)

        var f0 = [Float](repeating: .nan, count: frames)
        var loudness = [Float](repeating: 0, count: frames)
        var products = [Float](repeating: 0, count: maxLag + 1)
        var difference = [Float](repeating: 0, count: maxLag + 1)
        padded.withUnsafeBufferPointer { signal in
            guard let base = signal.baseAddress else { return }
            for i in 0..<frames {
                let centre = Int(((Double(i) + 0.5) * frameDuration * rate).rounded())
                let start = pad + centre - span / 2
                guard start >= 0, start + span <= signal.count else { continue }
                let x = base + start
                products.withUnsafeMutableBufferPointer { LaggedProducts.crossSums(x, window: window, maxLag: maxLag, into: $0.baseAddress!) }
                loudness[i] = (products[0] / Float(window)).squareRoot()
                differenceFunction(x, window: window, maxLag: maxLag, products: products, into: &difference)
                cumulativeMeanNormalise(&difference)
                if let lag = absoluteThreshold(difference, minLag: minLag) {
                    f0[i] = Float(rate / parabolicMinimum(difference, at: lag))
                }
            }
        }
        let loudest = loudness.max() ?? 0
        let floor = loudest * Float(pow(10, -Double(silenceDecibels) / 20))
        for i in 0..<frames where loudness[i] < floor || loudest == 0 { f0[i] = .nan }
        return PitchTrack(frameDuration: frameDuration, f0: f0)
    }

    /// Step 2: d(τ) = Σ (x_j − x_{j+τ})² = r_0(0) + r_τ(0) − 2 r(τ), with the energies of the
    /// shifted windows kept as a running sum.
    func differenceFunction(_ x: UnsafePointer<Float>, window: Int, maxLag: Int, products: [Float], into d: inout [Float]) {
        var shiftedEnergy = products[0]
        d[0] = 0
        for lag in 1...maxLag {
            let leaving = x[lag - 1], entering = x[lag - 1 + window]
            shiftedEnergy += entering * entering - leaving * leaving
            d[lag] = max(0, products[0] + shiftedEnergy - 2 * products[lag])
        }
    }

    /// Step 3: d'(τ) = d(τ) / ((1/τ) Σ_{j=1…τ} d(j)), d'(0) = 1.
    func cumulativeMeanNormalise(_ d: inout [Float]) {
        var running: Float = 0
        d[0] = 1
        for lag in 1..<d.count {
            running += d[lag]
            d[lag] = running > 0 ? d[lag] * Float(lag) / running : 1
        }
    }

    /// Step 4: the first lag whose d' falls under the threshold, followed down to its local minimum.
    func absoluteThreshold(_ d: [Float], minLag: Int) -> Int? {
        var lag = minLag
        while lag < d.count - 1 {
            if d[lag] < threshold {
                while lag + 1 < d.count - 1, d[lag + 1] < d[lag] { lag += 1 }
                return lag
            }
            lag += 1
        }
        return nil
    }

    /// Step 5: the minimum of the parabola through d' at lag − 1, lag, lag + 1.
    func parabolicMinimum(_ d: [Float], at lag: Int) -> Double {
        guard lag > 0, lag + 1 < d.count else { return Double(lag) }
        let a = Double(d[lag - 1]), b = Double(d[lag]), c = Double(d[lag + 1])
        let curvature = a - 2 * b + c
        guard curvature > 0 else { return Double(lag) }
        return Double(lag) + 0.5 * (a - c) / curvature
    }
}
