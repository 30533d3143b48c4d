import Engine
import Foundation
import Numerics
import Store
import Testing
@testable import TerminalUI

/// The explorer over a real (small) store: options, the first frame, framewise predictions, the
/// writable sample copy, and what the view asks the engine for.
@Suite struct SessionTests {
    /// A store with 12 tokens (the fixture's table) and one model of 3 layers × 4 dims, layer 2 missing.
    final class SmallStore {
        let folder: URL
        let url: URL

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("tui-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            url = folder.appendingPathComponent("s.layerstore")
            let tokens = Fixture.tokens()
            let tsv = folder.appendingPathComponent("tokens.tsv")
            try tokens.tsv().write(to: tsv, atomically: true, encoding: .utf8)
            var files: [URL] = []
            for layer in 0..<2 {
                var m = Matrix<Float>(rows: tokens.count, cols: 4)
                for r in 0..<tokens.count { for c in 0..<4 { m[r, c] = Float(r * (c + 1) + layer) } }
                let file = folder.appendingPathComponent("L0\(layer).npy")
                try AtomicNpyWriter.write(m, as: .float16, to: file)
                files.append(file)
            }
            var request = ImportRequest(store: url, tokensFile: tsv, model: "base", arrayFiles: files)
            request.layerCount = 3
            request.meta = ["simulated": "true"]
            _ = try Importer.run(request)
        }

        deinit { try? FileManager.default.removeItem(at: folder) }

        /// Stores a layout for `layer`: token i at (i, −i).
        func addLayout(layer: Int) throws {
            let store = try EmbeddingStore(opening: url)
            let tokens = try store.tokenCount()
            var m = Matrix<Float>(rows: tokens, cols: 2)
            for r in 0..<tokens { m[r, 0] = Float(r); m[r, 1] = -Float(r) }
            try store.withWriteLock {
                let target = try store.newArrayPath(model: "base", name: String(format: "umap-L%02d.npy", layer))
                try AtomicNpyWriter.write(m, as: .float32, to: target.url)
                try store.register(model: nil, arrays: [ArrayRecord(model: "base", kind: .umap, layer: layer, path: target.relative,
                                                                    dtype: .float32, rows: tokens, cols: 2, bytes: 64 + tokens * 8)])
            }
        }
    }

    let size = TerminalSize(columns: 120, rows: 40)

    @Test func badOptionsFailBeforeTheTerminalIsTouched() throws {
        let store = try SmallStore()
        func message(_ options: ExploreOptions) -> String {
            do {
                _ = try ExplorerSession(options, theme: .builtinDark, size: size, colorDepth: .full)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message(ExploreOptions(store: store.url, model: "large")) == "--model: the store has no model 'large' (models: base)")
        #expect(message(ExploreOptions(store: store.url, layer: 3)) == "--layer: layer 3 is outside model base's layers 0–2")
        #expect(message(ExploreOptions(store: store.url, colorBy: "vowel")) == "--color-by: the store has no label 'vowel' (labels: sex, tone, final)")
        #expect(message(ExploreOptions(store: store.folder.appendingPathComponent("none"))).hasSuffix("none: no such store"))
    }

    @Test func theFirstFrameShowsWhatTheStoreHasAndSaysWhatItLacks() throws {
        let store = try SmallStore()
        try store.addLayout(layer: 0)
        let session = try ExplorerSession(ExploreOptions(store: store.url, colorBy: "tone"), theme: .builtinDark, size: size,
                                          colorDepth: .full)
        #expect(session.state.currentLayout?.count == 12)
        #expect(session.state.utteranceDetail?.note == "no framewise predictions for model base in this store")
        let frame = session.render().picture()
        #expect(frame.contains("s.layerstore (SIMULATED)") && frame.contains("colour tone"))
        #expect(frame.contains("tone · 4 classes"))
        #expect(frame.contains("no framewise predictions for model base in this store"))
        #expect(frame.contains("no embeddings: L2"))
        // The engine is asked for the chart's SVCCA of the present layers, not for what is stored or missing.
        let requests = ViewNeeds.requests(session.state)
        #expect(requests.map(\.key) == [JobKey(.svcca, model: "base", layer: 0), JobKey(.svcca, model: "base", layer: 1),
                                        JobKey(.umap, model: "base", layer: 1)])
        #expect(requests.map(\.priority) == [1000, 1001, JobRequest.backgroundPriority + 1])
        // On layer 1 (no layout yet) its UMAP comes first.
        session.dispatch(.layerStep(1))
        #expect(ViewNeeds.requests(session.state).first == JobRequest(JobKey(.umap, model: "base", layer: 1), priority: 0))
        #expect(session.render().picture().contains("UMAP of layer 1 not computed yet"))
    }

    @Test func engineNewsIsReadBackFromTheStore() throws {
        let store = try SmallStore()
        let session = try ExplorerSession(ExploreOptions(store: store.url), theme: .builtinDark, size: size, colorDepth: .full)
        #expect(session.state.currentLayout == nil)
        session.handle(.partialLayout(JobKey(.umap, model: "base", layer: 0), points: [Float](repeating: 1, count: 24), fraction: 0.3))
        #expect(session.state.currentLayout?.progress == 0.3)
        try store.addLayout(layer: 0)
        session.handle(.finished(JobKey(.umap, model: "base", layer: 0)))
        #expect(session.state.currentLayout?.isFinal == true && session.state.currentLayout?.x[5] == 5)
        let opened = try EmbeddingStore(opening: store.url)
        try opened.saveAnalyses([AnalysisRecord(model: "base", kind: "svcca", layer: 1, label: "tone", params: "{}", inputs: "x",
                                                result: "{\"value\": 0.25}")])
        session.handle(.finished(JobKey(.svcca, model: "base", layer: 1)))
        #expect(session.state.results[MetricKey(model: "base", metric: .svcca)]?.value("tone", 1) == 0.25)
        session.handle(.unavailable(JobKey(.umap, model: "base", layer: 1), reason: "no runner"))
        #expect(session.state.jobNotes[JobKey(.umap, model: "base", layer: 1)] == "no runner")
    }

    @Test func logitsBecomeArgmaxAndSoftmaxConfidence() {
        let task = TaskInfo(name: "tone", classes: ["1", "2", "3"], probabilities: false)
        let frames = StoreLoader.decode(task: task, values: [0, 0, 0, 1, 3, 2], frames: 2)
        #expect(frames.argmax == [0, 1])
        #expect(abs(frames.confidence[0] - 1.0 / 3) < 1e-6)
        let e = [1.0, 3.0, 2.0].map { exp($0) }
        #expect(abs(Double(frames.confidence[1]) - e[1] / e.reduce(0, +)) < 1e-6)
        let probabilities = StoreLoader.decode(task: TaskInfo(name: "sex", classes: ["F", "M"], probabilities: true),
                                               values: [0.2, 0.8], frames: 1)
        #expect(probabilities.argmax == [1] && probabilities.confidence == [0.8])
    }

    @Test func theSampleIsExploredThroughACopyThatFollowsTheBundledStore() throws {
        let store = try SmallStore()
        let cache = store.folder.appendingPathComponent("cache")
        let copy = try SampleCopy.writableCopy(of: store.url, in: cache)
        #expect(copy.path == cache.appendingPathComponent("s.layerstore").path && EmbeddingStore.isStore(copy))
        // Results written into the copy survive the next start…
        let marker = copy.appendingPathComponent("arrays/base/kept.npy")
        try Data([1]).write(to: marker)
        #expect(try SampleCopy.writableCopy(of: store.url, in: cache).path == copy.path)
        #expect(FileManager.default.fileExists(atPath: marker.path))
        // …until the bundled store changes.
        try store.addLayout(layer: 1)
        _ = try SampleCopy.writableCopy(of: store.url, in: cache)
        #expect(!FileManager.default.fileExists(atPath: marker.path))
        #expect(try EmbeddingStore(opening: copy).arrays(model: "base", kind: .umap).count == 1)
    }
}
