import Foundation
import Numerics
import Store
import Testing
@testable import Analysis

@Suite struct AnalysisRunnerTests {
    /// Every layer and label gets a cell; the one-class label and the NaN layer fail in their own
    /// cells with a clear reason while the others are computed; values equal the direct computation.
    @Test func computesEveryCellAndIsolatesFailures() throws {
        let fixture = try TestStore(nanLayer: 1)
        defer { fixture.remove() }
        let store = try EmbeddingStore(opening: fixture.url)
        let runner = AnalysisRunner(store: store)
        let result = try runner.run(AnalysisRequest(model: "base", pcaComponents: 8, probe: true))
        #expect(result.layers.map(\.layer) == [0, 1, 2])
        #expect(result.labels == ["sex", "tone", "register"])
        let nan = try #require(result.layers.first { $0.layer == 1 })
        #expect(nan.error?.contains("NaN or infinity in 1 of 480 tokens (first: row 7)") == true)
        #expect(nan.svcca["sex"]?.error != nil)
        let tokens = try store.tokens()
        for layer in [0, 2] {
            let analysis = try #require(result.layers.first { $0.layer == layer })
            #expect(analysis.error == nil)
            #expect(analysis.svcca["register"]?.error?.contains("only one class") == true)
            #expect(analysis.probe["register"]?.error?.contains("only one class") == true)
            let model = try PCA.fit(store.layer(model: "base", layer: layer).view, components: 8)
            let features = model.transform(try store.layer(model: "base", layer: layer).view)
            for name in ["sex", "tone"] {
                let label = try #require(tokens.label(named: name))
                let direct = try SVCCA.similarity(features: features, codes: label.codes, classCount: label.classes.count, mode: .standard)
                let value = try #require(analysis.svcca[name]?.value?.value)
                #expect(abs(value - direct.value) < 1e-6)
                let probe = try #require(analysis.probe[name]?.value)
                // Sex is strong everywhere; tone only grows in with depth (chance is 25%).
                let floor = name == "sex" ? 0.65 : (layer == 0 ? 0 : 0.35)
                #expect(probe.accuracy > floor && probe.testTokens > 0, "layer \(layer) \(name): \(probe.accuracy)")
            }
        }
        #expect(result.probeSplit?.stratifiedBy == "sex")
        #expect(result.probeSplit?.testSpeakers.count == 2)
    }

    /// A second run reuses everything; --force, another mode, or a replaced layer recompute.
    @Test func reusesOnlyWhileInputsAndParametersMatch() throws {
        let fixture = try TestStore(layers: 2)
        defer { fixture.remove() }
        let store = try EmbeddingStore(opening: fixture.url)
        let runner = AnalysisRunner(store: store)
        var request = AnalysisRequest(model: "base", labels: ["sex", "tone"], pcaComponents: 6)
        let first = try runner.run(request)
        #expect(first.layers.allSatisfy { !$0.reused })
        #expect(try runner.pendingLayers(request).isEmpty)
        let second = try runner.run(request)
        #expect(second.layers.allSatisfy { $0.reused })
        #expect(second.layers.map(\.svcca) == first.layers.map(\.svcca))
        #expect(try runner.stored(request).layers.map(\.svcca) == first.layers.map(\.svcca))

        request.force = true
        #expect(try runner.run(request).layers.allSatisfy { !$0.reused })
        request.force = false
        request.svccaMode = .google
        #expect(try runner.pendingLayers(request) == [0, 1])
        request.svccaMode = .standard
        request.probe = true
        #expect(try runner.pendingLayers(request) == [0, 1])
        request.probe = false

        // Replace layer 1: its results go stale, layer 0's stay.
        let replacement = fixture.folder.appendingPathComponent("L01.npy")
        try AtomicNpyWriter.write(fixture.layers[0], as: .float16, to: replacement)
        var reimport = ImportRequest(store: fixture.url, tokensFile: nil, model: "base", arrayFiles: [replacement])
        reimport.replace = true
        _ = try Importer.run(reimport)
        #expect(try runner.pendingLayers(request) == [1])
    }

    /// Cancelling between layers keeps the finished layers saved; progress reports each step.
    @Test func cancelsBetweenLayers() throws {
        let fixture = try TestStore(layers: 3)
        defer { fixture.remove() }
        let runner = AnalysisRunner(store: try EmbeddingStore(opening: fixture.url))
        let request = AnalysisRequest(model: "base", labels: ["sex"], pcaComponents: 4)
        var finished: [Int] = []
        var stages: [AnalysisProgress.Stage] = []
        #expect(throws: CancellationError.self) {
            try runner.run(request, progress: { progress in
                stages.append(progress.stage)
                if progress.stage == .done { finished.append(progress.layer) }
            }, isCancelled: { finished.count >= 1 })
        }
        #expect(finished == [0])
        #expect(stages.first == .reading)
        #expect(try runner.pendingLayers(request) == [1, 2])
    }

    /// Bad requests are errors naming the store; layers outside the store are failure cells.
    @Test func badRequests() throws {
        let fixture = try TestStore(layers: 2)
        defer { fixture.remove() }
        let runner = AnalysisRunner(store: try EmbeddingStore(opening: fixture.url))
        #expect(throws: StoreError.self) { try runner.run(AnalysisRequest(model: "nope")) }
        #expect(throws: StoreError.self) { try runner.run(AnalysisRequest(model: "base", labels: ["colour"])) }
        #expect(throws: StoreError.self) { try runner.run(AnalysisRequest(model: "base", layers: 5...9)) }
        let partial = try runner.run(AnalysisRequest(model: "base", layers: 1...1, labels: ["sex"], pcaComponents: 4))
        #expect(partial.layers.map(\.layer) == [1])
    }
}
