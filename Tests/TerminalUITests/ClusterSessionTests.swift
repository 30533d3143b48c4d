import Analysis
import Engine
import Foundation
import Store
import Testing
@testable import TerminalUI

/// The clusters colouring over a real store: `--color-by clusters`, the stored clustering read at
/// start, a finished clusters job read back.
@Suite struct ClusterSessionTests {
    let size = TerminalSize(columns: 120, rows: 40)

    @Test func storedClustersColourTheScatterFromTheStart() throws {
        let store = try SessionTests.SmallStore()
        try store.addLayout(layer: 0)
        let opened = try EmbeddingStore(opening: store.url)
        _ = try AnalysisRunner(store: opened).run(AnalysisRequest(model: "base", layers: 0...0, clusters: ClusterRequest(restarts: 2)))
        let session = try ExplorerSession(ExploreOptions(store: store.url, colorBy: "clusters"), theme: .builtinDark, size: size,
                                          colorDepth: .full)
        #expect(session.state.colorsByClusters && session.state.clusterLabel == 0)
        let key = ClusterKey(model: "base", layer: 0, label: "sex")
        let clustering = try #require(session.state.clusterings[key])
        let stored = try StoredClusters.assignments(in: opened, model: "base", layer: 0, k: 2)
        #expect(clustering.k == 2 && clustering.ids == stored)
        let frame = session.render().picture()
        #expect(frame.contains("colour clusters (sex)") && frame.contains("colour by clusters (k = 2, as sex)"))
        #expect(frame.contains(String(format: "k=2 · NMI %.2f", clustering.result.nmi)))
        // Layer 1 has no clusters yet: the engine is asked for them with its UMAP, and reading them back follows its news.
        session.dispatch(.layerStep(1))
        #expect(Array(ViewNeeds.requests(session.state).prefix(2)) == [JobRequest(JobKey(.umap, model: "base", layer: 1), priority: 0),
                                                                       JobRequest(JobKey(.clusters, model: "base", layer: 1), priority: 0)])
        _ = try AnalysisRunner(store: opened).run(AnalysisRequest(model: "base", layers: 1...1, clusters: ClusterRequest(restarts: 2)))
        session.handle(.finished(JobKey(.clusters, model: "base", layer: 1)))
        #expect(session.state.clusterings[ClusterKey(model: "base", layer: 1, label: "sex")]?.k == 2)
        #expect(session.state.results[MetricKey(model: "base", metric: .nmi)]?.value("sex", 1) != nil)
    }
}
