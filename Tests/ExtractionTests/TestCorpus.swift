import Foundation
import Numerics
@testable import Extraction

/// A stand-in for wav2vec2: frames as the standard conv stack counts them (25 ms window, 20 ms
/// hop at 16 kHz), hidden states that depend on the audio of each frame, the layer and the
/// column, and a five-class tone head. It counts its runs, so tests see what was recomputed.
final class FakeModel: ExtractionModel, @unchecked Sendable {
    let hiddenStateCount = 5
    let hiddenSize = 6
    let samplingRate = 16_000
    let headTasks = [HeadTask(name: "tone", classes: ["1", "2", "3", "4", "5"])]
    private let lock = NSLock()
    private var _runs = 0
    private var _deepest: [Int] = []

    var runs: Int { lock.withLock { _runs } }
    /// The highest hidden state computed in each run.
    var deepest: [Int] { lock.withLock { _deepest } }

    func frameCount(samples: Int) -> Int { samples < 400 ? 0 : (samples - 400) / 320 + 1 }

    /// Hidden state l at frame f, column d.
    static func value(_ samples: [Float], frame f: Int, layer l: Int, column d: Int) -> Float {
        let window = samples[(f * 320)..<(f * 320 + 400)]
        let mean = window.reduce(0, +) / 400
        return mean * Float(l + 1) + Float(d) * 0.25 - Float(l) * 0.5 + Float(f % 7) * 0.01
    }

    func run(_ samples: [Float], layers: Set<Int>, heads: Bool,
             onHiddenState: (Int, Matrix<Float>) throws -> Void) throws -> [String: Matrix<Float>] {
        let frames = frameCount(samples: samples.count)
        let upTo = heads ? hiddenStateCount - 1 : (layers.max() ?? -1)
        lock.withLock {
            _runs += 1
            _deepest.append(upTo)
        }
        for l in 0...max(upTo, 0) where layers.contains(l) {
            var state = Matrix<Float>(rows: frames, cols: hiddenSize)
            for f in 0..<frames {
                for d in 0..<hiddenSize { state[f, d] = Self.value(samples, frame: f, layer: l, column: d) }
            }
            try onHiddenState(l, state)
        }
        guard heads else { return [:] }
        var logits = Matrix<Float>(rows: frames, cols: 5)
        for f in 0..<frames {
            for c in 0..<5 { logits[f, c] = Self.value(samples, frame: f, layer: 4, column: c) }
        }
        return ["tone": logits]
    }
}

/// A small corpus on disk in Aishell's layout: audio/<speaker>/<utterance>.wav and one TextGrid per
/// utterance with `words` and `phones` tiers. The "wav" files hold raw float32 samples, read by
/// `rawAudio`, so these tests need no audio library.
struct TestCorpus {
    let root: URL
    var audio: URL { root.appendingPathComponent("audio") }
    var alignments: URL { root.appendingPathComponent("alignments") }
    var speakers: URL { root.appendingPathComponent("speakers.tsv") }
    var checkpoint: URL { root.appendingPathComponent("checkpoint") }

    static let syllables = [("zh", "ang1"), ("b", "ei3"), ("j", "ing1"), ("sh", "i4"), ("x", "ue2"), ("", "a5")]

    /// `count` utterances of 2 speakers; utterance k lasts 0.6 + 0.04·k seconds.
    static func make(in root: URL, count: Int) throws -> TestCorpus {
        let corpus = TestCorpus(root: root)
        try FileManager.default.createDirectory(at: corpus.checkpoint, withIntermediateDirectories: true)
        try Data("{\"fake\": true}".utf8).write(to: corpus.checkpoint.appendingPathComponent("config.json"))
        try Data("speaker\tsex\tregion\nS0001\tF\tnorth\nS0002\tM\tsouth\n".utf8).write(to: corpus.speakers)
        for k in 0..<count {
            let speaker = k % 2 == 0 ? "S0001" : "S0002"
            let name = "BAC009\(speaker)W\(String(format: "%04d", k))"
            let seconds = 0.6 + 0.04 * Double(k)
            try corpus.writeAudio(name, speaker: speaker, seconds: seconds, seed: UInt64(k + 1))
            try corpus.writeGrid(name, speaker: speaker, seconds: seconds, variant: k)
        }
        return corpus
    }

    func audioURL(_ name: String, speaker: String) -> URL {
        audio.appendingPathComponent(speaker).appendingPathComponent(name + ".wav")
    }

    func gridURL(_ name: String, speaker: String) -> URL {
        alignments.appendingPathComponent(speaker).appendingPathComponent(name + ".TextGrid")
    }

    func writeAudio(_ name: String, speaker: String, seconds: Double, seed: UInt64) throws {
        var generator = SplitMix(seed: seed)
        let samples = (0..<Int(seconds * 16_000)).map { n in
            Float(0.3 * sin(Double(n) * 0.05 * Double(seed)) + 0.1 * (generator.nextUnit() - 0.5))
        }
        let url = audioURL(name, speaker: speaker)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try samples.withUnsafeBytes { Data($0) }.write(to: url)
    }

    /// Leading and trailing silence, then syllables split into initial + final on the phone tier.
    func writeGrid(_ name: String, speaker: String, seconds: Double, variant: Int, end: Double? = nil) throws {
        var phones: [(Double, Double, String)] = [(0, 0.1, "")]
        var t = 0.1
        let step = (seconds - 0.2) / 6
        for i in 0..<3 {
            let (initial, final) = Self.syllables[(variant + i) % Self.syllables.count]
            if !initial.isEmpty { phones.append((t, t + step, initial)) }
            phones.append((initial.isEmpty ? t : t + step, t + 2 * step, final))
            t += 2 * step
        }
        phones.append((t, end ?? seconds, "sil"))
        try write(TextGridText.long(tiers: [("words", [(0, end ?? seconds, "w")]), ("phones", phones)], xmax: end ?? seconds),
                  to: gridURL(name, speaker: speaker))
    }

    func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Reads the raw float32 "wav" files of this corpus.
    static func rawAudio(_ url: URL, rate: Int) throws -> AudioSamples {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ExtractionError("\(url.path): does not exist") }
        guard data.count % 4 == 0, !data.isEmpty else { throw ExtractionError("\(url.path): cannot be read as audio") }
        let samples = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return AudioSamples(samples: samples, duration: Double(samples.count) / Double(rate))
    }

    static func environment(_ model: FakeModel) -> ExtractionEnvironment {
        ExtractionEnvironment(loadModel: { _ in model }, readAudio: { try rawAudio($0, rate: $1) })
    }

    func request(out: URL) -> ExtractionRequest {
        ExtractionRequest(checkpoint: checkpoint, audio: audio, alignments: alignments, speakers: speakers, out: out)
    }
}

/// Long-format TextGrid text, as Praat writes it.
enum TextGridText {
    static func long(tiers: [(String, [(Double, Double, String)])], xmax: Double) -> String {
        var text = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\nxmin = 0 \nxmax = \(xmax) \ntiers? <exists> \nsize = \(tiers.count) \nitem []: \n"
        for (index, (name, intervals)) in tiers.enumerated() {
            text += "    item [\(index + 1)]:\n        class = \"IntervalTier\" \n        name = \"\(name)\" \n"
            text += "        xmin = 0 \n        xmax = \(xmax) \n        intervals: size = \(intervals.count) \n"
            for (i, (start, end, label)) in intervals.enumerated() {
                text += "        intervals [\(i + 1)]:\n            xmin = \(start) \n            xmax = \(end) \n            text = \"\(label)\" \n"
            }
        }
        return text
    }
}
