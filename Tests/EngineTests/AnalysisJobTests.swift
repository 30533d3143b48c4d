import Analysis
import Engine
import Foundation
import Numerics
import Store
import Testing

/// The engine running the Analysis module's runner: SVCCA per layer, stored and read back, equal to
/// the same computation done directly through the Analysis API.
@Suite struct AnalysisJobTests {
    @Test func svccaJobsStoreWhatTheAnalysisAPIComputes() throws {
        let fixture = try TestStore(tokens: 60, dim: 6, present: [0, 1], layerCount: 2)
        let store = try fixture.open()
        let log = EventLog()
        let engine = Engine(store: store, runners: [AnalysisJobRunner()]) { log.append($0) }
        defer { engine.stop() }
        let jobs = [JobKey(.svcca, model: "m", layer: 1), JobKey(.svcca, model: "m", layer: 0)]
        engine.want(jobs.enumerated().map { JobRequest($0.element, priority: $0.offset) })
        #expect(log.wait { $0.finished.count == 2 })
        #expect(log.finished == jobs)

        let scores = try ResultsReader.scores(in: store, model: "m", kind: .svcca)
        let tokens = try store.tokens()
        for layer in 0...1 {
            let view = try store.layer(model: "m", layer: layer).view
            let (_, features) = try PCA.fitTransform(view, components: 100)
            for label in tokens.labels {
                let direct = try SVCCA.similarity(features: features, codes: label.codes, classCount: label.classes.count, mode: .standard)
                let stored = try #require(scores.value(label.name, layer))
                #expect(abs(stored - direct.value) < 1e-5, "layer \(layer) \(label.name): \(stored) vs \(direct.value)")
            }
        }
        #expect(scores.completeLayers(labels: tokens.labels.map(\.name)) == [0, 1])
        // Fresh results are found, not recomputed.
        #expect(try AnalysisJobRunner().isStored(jobs[0], in: store))
    }

    @Test func aStoredFailureIsReadAsSuch() throws {
        let fixture = try TestStore(tokens: 20, dim: 3, present: [0], layerCount: 1)
        let store = try fixture.open()
        try store.saveAnalyses([
            AnalysisRecord(model: "m", kind: "svcca", layer: 0, label: "tone", params: "{}", inputs: "x", result: "{\"error\": \"label 'tone': planted\"}"),
            AnalysisRecord(model: "m", kind: "probe", layer: 0, label: "sex", params: "{}", inputs: "x", result: "{\"accuracy\": 0.75, \"per_class\": [1, 0.5]}"),
        ])
        let svcca = try ResultsReader.scores(in: store, model: "m", kind: .svcca)
        #expect(svcca.value("tone", 0) == nil && svcca.failures["tone"]?[0] == "label 'tone': planted")
        #expect(svcca.firstFailure == "label 'tone': planted")
        #expect(try ResultsReader.scores(in: store, model: "m", kind: .probe).value("sex", 0) == 0.75)
    }
}
