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

    /// A store can name the view it opens on (`explore.model`, `explore.color_by`); flags win, and a
    /// name the store does not have falls back to the first label.
    @Test func theStoreNamesTheViewItOpensOn() throws {
        let store = try SmallStore()
        let opened = try EmbeddingStore(opening: store.url)
        try opened.withWriteLock { try opened.setMeta([ExploreOptions.defaultModelKey: "base", ExploreOptions.defaultLabelKey: "tone"]) }
        try opened.close()
        let named = try ExplorerSession(ExploreOptions(store: store.url), theme: .builtinDark, size: size, colorDepth: .full)
        #expect(named.state.colorLabel?.name == "tone" && named.state.modelName == "base")
        let flagged = try ExplorerSession(ExploreOptions(store: store.url, colorBy: "sex"), theme: .builtinDark, size: size,
                                          colorDepth: .full)
        #expect(flagged.state.colorLabel?.name == "sex")

        let again = try EmbeddingStore(opening: store.url)
        try again.withWriteLock { try again.setMeta([ExploreOptions.defaultLabelKey: "vowel height"]) }
        try again.close()
        let unknown = try ExplorerSession(ExploreOptions(store: store.url), theme: .builtinDark, size: size, colorDepth: .full)
        #expect(unknown.state.colorLabel?.name == "sex")
    }

    /// The copy lives in the cache, so the sources the bundled store records relative to itself (its
    /// audio, alignments, checkpoint) are made absolute there; absolute ones stay as they are.
    @Test func theSampleCopyStillFindsTheBundledSources() throws {
        let store = try SmallStore()
        let opened = try EmbeddingStore(opening: store.url)
        try opened.withWriteLock {
            try opened.setUtteranceSources([
                UtteranceSource(name: "U1", audio: "../corpus/audio/U1.flac", alignment: "../corpus/alignments/U1.TextGrid", duration: 1),
                UtteranceSource(name: "U2", audio: "/data/U2.flac", alignment: nil, duration: 1),
            ])
            var model = try #require(try opened.models().first)
            model.checkpoint = "../models/base"
            try opened.register(model: model, arrays: [])
        }
        try opened.close()
        let copy = try SampleCopy.writableCopy(of: store.url, in: store.folder.appendingPathComponent("cache"))
        let reopened = try EmbeddingStore(opening: copy)
        defer { try? reopened.close() }
        let sources = try reopened.utteranceSources()
        #expect(sources[0].audio == store.folder.appendingPathComponent("corpus/audio/U1.flac").path)
        #expect(sources[0].alignment == store.folder.appendingPathComponent("corpus/alignments/U1.TextGrid").path)
        #expect(sources[1].audio == "/data/U2.flac" && sources[1].alignment == nil)
        #expect(try reopened.models().first?.checkpoint == store.folder.appendingPathComponent("models/base").path)
        // The bundled store itself is left as it was.
        #expect(try EmbeddingStore(opening: store.url).models().first?.checkpoint == "../models/base")
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
