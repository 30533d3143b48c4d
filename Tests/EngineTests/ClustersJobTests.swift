import Analysis
import Engine
import Foundation
import Store
import Testing

/// The engine's clusters jobs: k-means per layer through the Analysis runner, the NMI read back as
/// the chart's third metric, equal to the Analysis API's own computation.
@Suite struct ClustersJobTests {
    @Test func clustersJobsStoreWhatTheAnalysisAPIComputes() throws {
        let fixture = try TestStore(tokens: 60, dim: 6, present: [0, 1], layerCount: 2)
        let store = try fixture.open()
        let log = EventLog()
        let engine = Engine(store: store, runners: [AnalysisJobRunner()]) { log.append($0) }
        defer { engine.stop() }
        let jobs = [JobKey(.clusters, model: "m", layer: 0), JobKey(.clusters, model: "m", layer: 1)]
        engine.want(jobs.enumerated().map { JobRequest($0.element, priority: $0.offset) })
        #expect(log.wait { $0.finished.count == 2 })

        let scores = try ResultsReader.scores(in: store, model: "m", kind: .clusters)
        let tokens = try store.tokens()
        for layer in 0...1 {
            let features = try PCA.fitTransform(try store.layer(model: "m", layer: layer).view, components: 100).features
            for label in tokens.labels {
                let k = label.classes.count
                let fit = try KMeans.fit(features, options: KMeansOptions(clusters: k))
                let direct = ClusterAgreement.compare(clusters: fit.assignments, clusterCount: k, codes: label.codes, classCount: k)
                // The same clustering; the stored JSON round-trips the NMI to the last bit or so.
                #expect(abs((scores.value(label.name, layer) ?? -1) - direct.nmi) < 1e-12, "layer \(layer) \(label.name)")
                let stored = try StoredClusters.assignments(in: store, model: "m", layer: layer, k: k)
                #expect(stored == fit.assignments)
            }
        }
        #expect(try AnalysisJobRunner().isStored(jobs[0], in: store))
        // The SVCCA the same runs stored is there too; a probe job still has work to do.
        #expect(try ResultsReader.scores(in: store, model: "m", kind: .svcca).completeLayers(labels: ["sex", "tone"]) == [0, 1])
        let probeStored = try AnalysisJobRunner().isStored(JobKey(.probe, model: "m", layer: 0), in: store)
        #expect(!probeStored)
    }
}
