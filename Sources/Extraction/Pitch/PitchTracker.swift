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

/// A pitch tracker read at the centres of the model's 20 ms frames, so an F0 row lines up with
/// framewise predictions. Each frame is analysed as YIN does (de Cheveigné & Kawahara 2002,
/// steps 2, 3 and 5: difference function, cumulative mean normalised difference, parabolic
/// interpolation); its dips are period candidates, and one candidate per frame (or "unvoiced")
/// is chosen along the whole utterance by the least-cost path that Praat's pitch analysis uses
/// (Boersma 1993), which keeps the track from jumping an octave on a rough or breathy frame.
public struct PitchTracker: Sendable {
    /// Lowest and highest F0 searched, in Hz (Praat's usual range for speech is 75–600; 60 lets
    /// creaky low tones through).
    public var minimumF0: Double = 60
    public var maximumF0: Double = 500
    /// Dips of the normalised difference deeper than this are candidates (1 is noise, 0 a
    /// perfectly periodic signal).
    public var candidateThreshold: Float = 0.7
    /// Candidates kept per frame, the cheapest (deepest, allowing for the octave cost) first.
    public var maximumCandidates = 4
    /// The integration window, in periods of the lowest F0.
    public var windowPeriods: Double = 2
    /// Frames whose RMS is this far below the loudest frame's are silent.
    public var silenceDecibels: Float = 35
    /// Path costs, in units of the normalised difference: calling a frame unvoiced; each octave
    /// below `maximumF0` (favours the shortest period, as YIN's first dip does); switching between
    /// voiced and unvoiced; each octave jumped between frames (Praat's default is 0.35).
    public var unvoicedCost: Float = 0.6
    public var octaveCost: Float = 0.01
    public var voicingTransitionCost: Float = 0.1
    public var octaveJumpCost: Float = 0.35
    /// Seconds per output frame: wav2vec2's stride.
    public var frameDuration: Double = 0.02

    public init() {}

    /// The F0 track of `samples` (mono, at `sampleRate`), `frameCount` frames long (by default as
    /// many whole frames as the audio holds).
    public func track(_ samples: [Float], sampleRate: Int, frameCount: Int? = nil) -> PitchTrack {
        let frames = frameCount ?? Int(Double(samples.count) / (Double(sampleRate) * frameDuration))
        let candidates = periodCandidates(samples, sampleRate: sampleRate, frames: frames)
        let path = PitchPath(unvoicedCost: unvoicedCost, voicingTransitionCost: voicingTransitionCost,
                             octaveJumpCost: octaveJumpCost)
        return PitchTrack(frameDuration: frameDuration, f0: path.best(candidates))
    }

    /// Per frame, the F0 candidates (Hz) with their local cost; none for silent frames.
    func periodCandidates(_ samples: [Float], sampleRate: Int, frames: Int) -> [[PitchPath.Candidate]] {
        let rate = Double(sampleRate)
        let maxLag = Int((rate / minimumF0).rounded(.up))
        let minLag = max(2, Int((rate / maximumF0).rounded(.down)))
        let window = Int((Double(maxLag) * windowPeriods).rounded())
        guard frames > 0, maxLag > minLag + 1 else { return [[PitchPath.Candidate]](repeating: [], count: max(frames, 0)) }

        // Each analysis span is window + maxLag samples centred on the frame centre; padding with
        // zeros lets the first and last frames be read like the others.
        let span = window + maxLag
        var padded = [Float](repeating: 0, count: samples.count + 2 * span)
        padded.replaceSubrange(span..<(span + samples.count), with: samples)

        var result = [[PitchPath.Candidate]](repeating: [], count: frames)
        var loudness = [Float](repeating: 0, count: frames)
        var products = [Float](repeating: 0, count: maxLag + 1)
        var difference = [Float](repeating: 0, count: maxLag + 1)
        padded.withUnsafeBufferPointer { signal in
            guard let base = signal.baseAddress else { return }
            for i in 0..<frames {
                let centre = Int(((Double(i) + 0.5) * frameDuration * rate).rounded())
                let start = span + centre - span / 2
                guard start >= 0, start + span <= signal.count else { continue }
                let x = base + start
                products.withUnsafeMutableBufferPointer { LaggedProducts.crossSums(x, window: window, maxLag: maxLag, into: $0.baseAddress!) }
                loudness[i] = (products[0] / Float(window)).squareRoot()
                differenceFunction(x, window: window, maxLag: maxLag, products: products, into: &difference)
                cumulativeMeanNormalise(&difference)
                let candidates = dips(difference, minLag: minLag).map { lag in
                    let hz = rate / parabolicMinimum(difference, at: lag)
                    return PitchPath.Candidate(hz: Float(hz), cost: difference[lag] + octaveCost * Float(log2(maximumF0 / hz)))
                }
                result[i] = Array(candidates.sorted { $0.cost < $1.cost }.prefix(maximumCandidates))
            }
        }
        let loudest = loudness.max() ?? 0
        let floor = loudest * Float(pow(10, -Double(silenceDecibels) / 20))
        for i in 0..<frames where loudness[i] < floor || loudest == 0 { result[i] = [] }
        return result
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

    /// The local minima of d' under the candidate threshold.
    func dips(_ d: [Float], minLag: Int) -> [Int] {
        (minLag..<(d.count - 1)).filter { d[$0] < candidateThreshold && d[$0] < d[$0 - 1] && d[$0] <= d[$0 + 1] }
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
