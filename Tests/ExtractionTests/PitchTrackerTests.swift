import Foundation
import Testing
@testable import Extraction

@Suite struct PitchTrackerSyntheticTests {
    /// A voice-like harmonic signal (5 harmonics, falling 1/k) whose F0 follows `f0(t)`.
    static func harmonics(seconds: Double, rate: Int, f0: (Double) -> Double) -> [Float] {
        var phase = 0.0
        return (0..<Int(seconds * Double(rate))).map { n in
            let t = Double(n) / Double(rate)
            phase += 2 * Double.pi * f0(t) / Double(rate)
            return Float(0.3 * (1...5).reduce(0.0) { $0 + sin(Double($1) * phase) / Double($1) })
        }
    }

    /// An exponential sweep 100 → 300 Hz: every frame within 1.5 % of the true F0 at its centre.
    @Test func sweep() {
        let rate = 16_000
        let f0 = { (t: Double) in 100 * pow(3, t / 2) }
        let samples = Self.harmonics(seconds: 2, rate: rate, f0: f0)
        let track = PitchTracker().track(samples, sampleRate: rate)
        #expect(track.f0.count == 100)
        var worst = 0.0
        for (i, value) in track.f0.enumerated() where i >= 2 && i < 98 {
            let truth = f0((Double(i) + 0.5) * 0.02)
            #expect(!value.isNaN, "frame \(i) unvoiced")
            worst = max(worst, abs(Double(value) - truth) / truth)
        }
        #expect(worst < 0.015, "worst relative error \(worst)")
    }

    /// A steady 220 Hz tone at 22.05 kHz, a low 70 Hz voice and a high 450 Hz one.
    @Test func steadyTones() {
        for (rate, hz) in [(22_050, 220.0), (16_000, 70.0), (16_000, 450.0)] {
            let track = PitchTracker().track(Self.harmonics(seconds: 1, rate: rate, f0: { _ in hz }), sampleRate: rate)
            let inner = track.f0[3..<(track.f0.count - 3)]
            #expect(inner.allSatisfy { abs(Double($0) - hz) / hz < 0.005 }, "\(hz) Hz: \(Array(inner.prefix(5)))")
        }
    }

    /// Silence and noise have no pitch; a tone after silence is voiced only where it sounds.
    @Test func unvoiced() {
        let rate = 16_000
        #expect(PitchTracker().track([Float](repeating: 0, count: rate), sampleRate: rate).voicedCount == 0)
        var generator = SplitMix(seed: 7)
        let noise = (0..<rate).map { _ in Float(generator.nextUnit() - 0.5) }
        let noiseTrack = PitchTracker().track(noise, sampleRate: rate)
        #expect(noiseTrack.voicedCount < noiseTrack.f0.count / 10, "\(noiseTrack.voicedCount) noise frames voiced")
        let half = [Float](repeating: 0, count: rate / 2) + Self.harmonics(seconds: 0.5, rate: rate, f0: { _ in 150 })
        let track = PitchTracker().track(half, sampleRate: rate)
        #expect(track.f0[..<23].allSatisfy { $0.isNaN })
        #expect(track.f0[27...].allSatisfy { abs($0 - 150) < 1.5 })
    }

    /// The track has the length the caller asks for (the model's frame count), padded at the end.
    @Test func frameCountFollowsTheModel() {
        let samples = Self.harmonics(seconds: 0.5, rate: 16_000, f0: { _ in 120 })
        #expect(PitchTracker().track(samples, sampleRate: 16_000, frameCount: 24).f0.count == 24)
        #expect(PitchTracker().track([], sampleRate: 16_000).f0.isEmpty)
    }
}

/// A small deterministic generator for test signals.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
