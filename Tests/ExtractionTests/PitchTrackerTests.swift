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

/// espeak-ng's four tones of "ma", male (+m1) and female (+f1) voices, resampled to 16 kHz
/// (scripts/make_pitch_fixtures.py), against their contours and against Praat's pitch.
@Suite struct PitchTrackerSpeechTests {
    static func track(_ name: String) throws -> [Float] {
        let audio = try ExtractionEnvironment.standard.readAudio(Fixture.url("pitch/\(name)"), 16_000)
        return PitchTracker().track(audio.samples, sampleRate: 16_000).f0
    }

    static func semitones(_ hz: Float, _ reference: Float) -> Double { 12 * log2(Double(hz) / Double(reference)) }

    /// The least-squares slope of the voiced frames' F0, in semitones per second.
    static func slope(_ f0: [Float]) -> Double {
        let points = f0.enumerated().filter { !$0.element.isNaN }.map { (Double($0.offset) * 0.02, 12 * log2(Double($0.element))) }
        let n = Double(points.count)
        let mt = points.reduce(0) { $0 + $1.0 } / n, ms = points.reduce(0) { $0 + $1.1 } / n
        let covariance = points.reduce(0) { $0 + ($1.0 - mt) * ($1.1 - ms) }
        let variance = points.reduce(0) { $0 + ($1.0 - mt) * ($1.0 - mt) }
        return covariance / variance
    }

    /// espeak's contours are narrow (2–3 semitones) and its tone 1 drifts up about a semitone,
    /// but the shapes are clear: tone 2 rises (8–9 st/s), tone 4 falls (−10 st/s), and tone 1
    /// moves clearly less than either (5 st/s).
    @Test func toneShapes() throws {
        for voice in ["m1", "f1"] {
            let slopes = try (1...4).map { Self.slope(try Self.track("ma\($0)-\(voice).flac")) }
            #expect(slopes[1] > 4, "\(voice) tone 2 should rise: \(slopes[1]) st/s")
            #expect(slopes[3] < -4, "\(voice) tone 4 should fall: \(slopes[3]) st/s")
            #expect(abs(slopes[0]) < slopes[1] / 1.3 && abs(slopes[0]) < abs(slopes[3]) / 1.5,
                    "\(voice) tone 1 should be level: \(slopes) st/s")
        }
    }

    @Test func maleBelowFemale() throws {
        for tone in 1...4 {
            let male = try Self.track("ma\(tone)-m1.flac").filter { !$0.isNaN }
            let female = try Self.track("ma\(tone)-f1.flac").filter { !$0.isNaN }
            let m = male.reduce(0, +) / Float(male.count), f = female.reduce(0, +) / Float(female.count)
            #expect(m > 65 && m < 110 && f > 140 && f < 200, "tone \(tone): male \(m) Hz, female \(f) Hz")
        }
    }

    /// Where Praat and layerscope both find voicing, they agree within half a semitone at the median
    /// and one semitone at worst; they call the same frames voiced on at least 75 % of the frames
    /// of every file and 88 % of all (they differ mostly at the edges of the syllable, and on a
    /// few rough frames of espeak's male voice).
    @Test func agreesWithPraat() throws {
        let praat = try #require(try Fixture.json("pitch/praat.json") as? [String: [Any]])
        #expect(praat.count == 8)
        var agreeing = 0, total = 0
        for (name, values) in praat.sorted(by: { $0.key < $1.key }) {
            let ours = try Self.track(name)
            #expect(ours.count == values.count, "\(name)")
            var differences: [Double] = []
            var agree = 0
            for (mine, theirs) in zip(ours, values) {
                let reference = theirs as? Double
                if (reference != nil) == !mine.isNaN { agree += 1 }
                if let reference, !mine.isNaN { differences.append(abs(Self.semitones(mine, Float(reference)))) }
            }
            differences.sort()
            #expect(differences.count >= 8, "\(name): \(differences.count) frames voiced in both")
            #expect(differences[differences.count / 2] < 0.5, "\(name): median \(differences[differences.count / 2]) st")
            #expect((differences.last ?? 99) < 1.0, "\(name): worst \(differences.last ?? 99) st")
            #expect(Double(agree) >= 0.75 * Double(values.count), "\(name): voicing agrees on \(agree)/\(values.count)")
            agreeing += agree
            total += values.count
        }
        #expect(Double(agreeing) >= 0.88 * Double(total), "voicing agrees on \(agreeing)/\(total)")
    }
}

