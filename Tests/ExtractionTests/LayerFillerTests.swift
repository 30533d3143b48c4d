import Foundation
import Store
import Testing
@testable import Extraction

@Suite struct LayerFillerTests {
    /// A layer computed later from the recorded sources equals the one a full extraction writes,
    /// and the model runs only up to it.
    @Test func fillsAMissingLayerFromTheSources() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 4)
        let full = scratch.file("full.layerstore")
        _ = try Extractor.run(corpus.request(out: full), environment: TestCorpus.environment(FakeModel()))
        let partial = scratch.file("partial.layerstore")
        var request = corpus.request(out: partial)
        request.layers = 0...1
        _ = try Extractor.run(request, environment: TestCorpus.environment(FakeModel()))

        let store = try EmbeddingStore(opening: partial)
        defer { try? store.close() }
        #expect(LayerFiller.availability(store: store, model: "checkpoint") == .ready)
        let model = FakeModel()
        var fractions: [Double] = []
        try LayerFiller.fill(store: store, model: "checkpoint", layers: [3], environment: TestCorpus.environment(model),
                             progress: { fraction, _ in fractions.append(fraction) })
        #expect(model.deepest == [3, 3, 3, 3])
        #expect(fractions.count == 4 && fractions.last == 1)
        #expect(try store.presentLayers(model: "checkpoint") == [0, 1, 3])
        let filled = try Data(contentsOf: partial.appendingPathComponent("arrays/checkpoint/L03.npy"))
        let reference = try Data(contentsOf: full.appendingPathComponent("arrays/checkpoint/L03.npy"))
        #expect(filled == reference)
        #expect(!FileManager.default.fileExists(atPath: partial.appendingPathComponent("filling-checkpoint").path))
    }

    /// Cancelled between utterances: nothing is registered and no file is left behind.
    @Test func cancellationLeavesNothing() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 3)
        var request = corpus.request(out: scratch.file("s.layerstore"))
        request.layers = 0...0
        _ = try Extractor.run(request, environment: TestCorpus.environment(FakeModel()))
        let store = try EmbeddingStore(opening: request.out)
        defer { try? store.close() }
        struct Stop: Error {}
        var calls = 0
        #expect(throws: Stop.self) {
            try LayerFiller.fill(store: store, model: "checkpoint", layers: [2], environment: TestCorpus.environment(FakeModel()),
                                 checkCancelled: { calls += 1; if calls == 2 { throw Stop() } })
        }
        #expect(try store.presentLayers(model: "checkpoint") == [0])
        let files = try FileManager.default.contentsOfDirectory(atPath: request.out.path).sorted()
        #expect(!files.contains("filling-checkpoint"))
        let arrays = try FileManager.default.contentsOfDirectory(atPath: request.out.appendingPathComponent("arrays/checkpoint").path)
        #expect(arrays.sorted() == ["L00.npy", "frames-tone.npy"], "\(arrays)")
    }

    /// Gone sources are named; a changed checkpoint is refused.
    @Test func missingSourcesAreNamed() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 2)
        var request = corpus.request(out: scratch.file("s.layerstore"))
        request.layers = 0...0
        _ = try Extractor.run(request, environment: TestCorpus.environment(FakeModel()))
        let store = try EmbeddingStore(opening: request.out)
        defer { try? store.close() }
        try Data("{\"fake\": 2}".utf8).write(to: corpus.checkpoint.appendingPathComponent("config.json"))
        #expect(throws: StoreError.self) {
            try LayerFiller.fill(store: store, model: "checkpoint", layers: [1], environment: TestCorpus.environment(FakeModel()))
        }
        try FileManager.default.removeItem(at: corpus.audioURL("BAC009S0002W0001", speaker: "S0002"))
        guard case .missing(let message) = LayerFiller.availability(store: store, model: "checkpoint") else {
            Issue.record("missing audio not noticed")
            return
        }
        #expect(message.contains("audio of 1 of 2 utterances is gone") && message.contains("BAC009S0002W0001.wav"))
        try FileManager.default.removeItem(at: corpus.checkpoint)
        #expect(LayerFiller.availability(store: store, model: "checkpoint") == .missing("the checkpoint of model checkpoint is gone: \(corpus.checkpoint.standardizedFileURL.path)"))
    }
}
