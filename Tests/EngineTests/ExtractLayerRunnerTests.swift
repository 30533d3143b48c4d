import Engine
import Extraction
import Foundation
import Numerics
import Store
import Testing

/// The `.extract` job: a layer the store lacks is computed from the recorded audio and checkpoint,
/// through the engine, with progress; gone sources make it unavailable with a reason.
@Suite struct ExtractLayerRunnerTests {
    /// A model whose hidden state l at frame f, column d is l + f/100 + d/10 + the frame's first sample.
    struct LinearModel: ExtractionModel {
        let hiddenStateCount = 4
        let hiddenSize = 3
        let samplingRate = 16_000
        let headTasks: [HeadTask] = []
        let deepest: DeepestLog

        func frameCount(samples: Int) -> Int { samples / 320 }

        func run(_ samples: [Float], layers: Set<Int>, heads: Bool,
                 onHiddenState: (Int, Matrix<Float>) throws -> Void) throws -> [String: Matrix<Float>] {
            let top = layers.max() ?? -1
            deepest.append(top)
            for l in 0...max(top, 0) where layers.contains(l) {
                var state = Matrix<Float>(rows: frameCount(samples: samples.count), cols: 3)
                for f in 0..<state.rows {
                    for d in 0..<3 { state[f, d] = Self.value(samples, frame: f, layer: l, column: d) }
                }
                try onHiddenState(l, state)
            }
            return [:]
        }

        static func value(_ samples: [Float], frame f: Int, layer l: Int, column d: Int) -> Float {
            Float(l) + Float(f) / 100 + Float(d) / 10 + samples[f * 320]
        }
    }

    final class DeepestLog: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int] = []
        func append(_ value: Int) { lock.withLock { values.append(value) } }
        var all: [Int] { lock.withLock { values } }
    }

    /// A store with 2 utterances of 3 tokens, their raw float32 "audio" files, a checkpoint folder
    /// and layer 0 of model "m" (of 4): what extraction would have written.
    static func makeStore(in folder: URL) throws -> (URL, [String: [Float]]) {
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("audio"), withIntermediateDirectories: true)
        try fm.createDirectory(at: folder.appendingPathComponent("checkpoint"), withIntermediateDirectories: true)
        var audio: [String: [Float]] = [:]
        var sources: [UtteranceSource] = []
        for (u, name) in ["U1", "U2"].enumerated() {
            let samples = (0..<(16_000 / 2)).map { Float(($0 * (u + 3)) % 101) / 100 }
            audio[name] = samples
            try samples.withUnsafeBytes { Data($0) }.write(to: folder.appendingPathComponent("audio/\(name).raw"))
            sources.append(UtteranceSource(name: name, audio: "../audio/\(name).raw", alignment: nil, duration: 0.5))
        }
        let frames: [Int32] = [3, 10, 20, 5, 12, 24]
        let tokens = TokenTable(utterances: ["U1", "U2"], utteranceSpeakers: ["A", "B"], utterance: [0, 0, 0, 1, 1, 1],
                                start: [0.06, 0.2, 0.4, 0.1, 0.24, 0.48], end: [0.08, 0.22, 0.42, 0.12, 0.26, 0.5], frame: frames,
                                labels: [LabelColumn(name: "tone", values: ["1", "2", "3", "1", "2", "3"])])
        let url = folder.appendingPathComponent("s.layerstore")
        let store = try EmbeddingStore.create(at: url, tokens: tokens, meta: [:], sources: sources)
        var layer0 = Matrix<Float>(rows: 6, cols: 3)
        for r in 0..<6 {
            let samples = audio[r < 3 ? "U1" : "U2"] ?? []
            for d in 0..<3 { layer0[r, d] = LinearModel.value(samples, frame: Int(frames[r]), layer: 0, column: d) }
        }
        try store.withWriteLock {
            let target = try store.newArrayPath(model: "m", name: "L00.npy")
            try AtomicNpyWriter.write(layer0, as: .float32, to: target.url)
            try store.register(model: ModelRecord(name: "m", dim: 3, dtype: .float32, layerCount: 4, checkpoint: "../checkpoint"),
                               arrays: [ArrayRecord(model: "m", kind: .layer, layer: 0, path: target.relative, dtype: .float32,
                                                    rows: 6, cols: 3, bytes: 0)])
        }
        try store.close()
        return (url, audio)
    }

    static func environment(_ log: DeepestLog) -> ExtractionEnvironment {
        ExtractionEnvironment(loadModel: { _ in LinearModel(deepest: log) }, readAudio: { url, _ in
            let data = try Data(contentsOf: url)
            let samples = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            return AudioSamples(samples: samples, duration: Double(samples.count) / 16_000)
        })
    }

    @Test func extractsTheMissingLayersUpToTheOneAskedFor() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("extract-job-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (url, audio) = try Self.makeStore(in: folder)
        let store = try EmbeddingStore(opening: url)
        let deepest = DeepestLog()
        let log = EventLog()
        let engine = Engine(store: store, runners: [ExtractLayerRunner(environment: Self.environment(deepest))]) { log.append($0) }
        defer { engine.stop() }
        let job = JobKey(.extract, model: "m", layer: 2)
        engine.want([JobRequest(job, priority: 0)])
        #expect(log.wait { $0.finished == [job] })
        // One pass per utterance, stopping at layer 2; layers 1 and 2 both kept.
        #expect(deepest.all == [2, 2])
        #expect(try store.presentLayers(model: "m") == [0, 1, 2])
        let tokens = try store.tokens()
        for layer in [1, 2] {
            let values = try store.layer(model: "m", layer: layer).view.matrix(rows: 0..<6)
            for r in 0..<6 {
                let samples = audio[r < 3 ? "U1" : "U2"] ?? []
                for d in 0..<3 { #expect(values[r, d] == LinearModel.value(samples, frame: Int(tokens.frame[r]), layer: layer, column: d)) }
            }
        }
        #expect(log.all.contains { if case .progress(let p) = $0 { p.current == job && p.fraction > 0 } else { false } })
    }

    @Test func goneAudioMakesTheJobUnavailable() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("extract-job-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (url, _) = try Self.makeStore(in: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("audio/U2.raw"))
        let store = try EmbeddingStore(opening: url)
        let log = EventLog()
        let engine = Engine(store: store, runners: [ExtractLayerRunner(environment: Self.environment(DeepestLog()))]) { log.append($0) }
        defer { engine.stop() }
        let job = JobKey(.extract, model: "m", layer: 3)
        engine.want([JobRequest(job, priority: 0)])
        #expect(log.wait { log in log.all.contains { if case .unavailable = $0 { true } else { false } } })
        let reason = log.all.compactMap { if case .unavailable(let key, let reason) = $0, key == job { reason } else { nil } }.first
        #expect(reason?.hasPrefix("layer 3 of m is not in the store and cannot be computed: audio of 1 of 2 utterances is gone") == true,
                "\(reason ?? "none")")
        #expect(reason?.contains("U2.raw") == true)
        #expect(try store.presentLayers(model: "m") == [0])
    }
}
