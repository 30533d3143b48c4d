import Analysis
import Engine
import Testing
@testable import TerminalUI

/// The clusters in the explorer: colour by cluster id, the per-cluster legend, NMI as a third metric.
@Suite struct ClusterViewTests {
    let theme = Fixture.theme

    func reduce(_ state: AppState, _ actions: Action...) -> (AppState, [Effect]) {
        var s = state
        var effects: [Effect] = []
        for action in actions { effects += Reducer.reduce(&s, action) }
        return (s, effects)
    }

    /// The fixture's 12 tokens in two clusters: speaker B's utterance U2 (M) and the rest (F).
    static func clustering(id: Int = 5) -> Clustering {
        let ids = (0..<12).map { Int32($0 / 4 == 1 ? 1 : 0) }
        let result = ClusterResult(k: 2, nmi: 1, purity: 1, vMeasure: 1, homogeneity: 1, completeness: 1, tokens: 12, inertia: 3,
                                   iterations: 2, converged: true, restarts: 10,
                                   clusters: [ClusterLegendEntry(size: 8, labelled: 8, majority: "F", purity: 1),
                                              ClusterLegendEntry(size: 4, labelled: 4, majority: "M", purity: 0.75)])
        return Clustering(ids: ids, result: result, id: id)
    }

    /// Colouring by clusters, with clusters of sex (k = 2) on screen.
    static func clusterState() -> AppState {
        var s = Fixture.state()
        s.colorBy = s.labels.count
        s.clusterLabel = 0
        return s
    }

    @Test func steppingOntoTheClustersKeepsTheLabelItCameFrom() {
        var start = Fixture.state()
        start.colorBy = 1
        let (s, _) = reduce(start, .colorStep(1), .colorStep(1))
        #expect(s.colorsByClusters && s.clusterLabel == 2 && s.colorLabel == nil && s.highlightedLabel == 2)
        #expect(s.clusterKey(s.currentLayoutKey) == ClusterKey(model: "tone", layer: 0, label: "final"))
        let (back, _) = reduce(s, .colorStep(1))
        #expect(back.colorLabel?.name == "sex" && back.clusterLabel == 2)
    }

    /// Without stored clusters the engine is asked for them first; once the store has them (NMI results
    /// arrive) the clustering is read, once; then nothing more is asked.
    @Test func clusteringsAreComputedThenReadOnce() {
        let start = Self.clusterState()
        let job = JobKey(.clusters, model: "tone", layer: 0)
        #expect(Reducer.clusterLoads(start).isEmpty)
        #expect(ViewNeeds.requests(start).first == JobRequest(job, priority: 0))
        let scores = LayerScores(values: ["sex": [0: 0.9], "tone": [0: 0.1], "final": [0: 0.2]])
        let key = ClusterKey(model: "tone", layer: 0, label: "sex")
        let (known, effects) = reduce(start, .resultsLoaded(MetricKey(model: "tone", metric: .nmi), scores))
        #expect(effects == [.loadClusters(key)])
        #expect(!ViewNeeds.requests(known).contains { $0.key == job })
        let (loaded, more) = reduce(known, .clustersLoaded(key, Self.clustering()), .focusNext)
        #expect(loaded.clusterings[key] == Self.clustering() && more.isEmpty)
        // Another layer's clusters are read when the layer is shown; far layers are dropped from memory.
        var far = loaded
        far.results[MetricKey(model: "tone", metric: .nmi)] = LayerScores(values: ["sex": [0: 0.9, 4: 0.5]])
        let (last, lastEffects) = reduce(far, .layerLast)
        #expect(lastEffects.contains(.loadClusters(ClusterKey(model: "tone", layer: 4, label: "sex"))))
        #expect(reduce(last, .clustersLoaded(ClusterKey(model: "tone", layer: 4, label: "sex"), Self.clustering(id: 6))).0
            .clusterings.keys.map(\.layer) == [4])
    }

    /// The scatter takes each token's cluster colour; the legend lists each cluster's majority class,
    /// purity and size, and the NMI with the label.
    @Test func theLegendShowsEachClustersMajorityAndPurity() {
        var s = Self.clusterState()
        s.clusterings[ClusterKey(model: "tone", layer: 0, label: "sex")] = Self.clustering()
        var buffer = Buffer(width: 70, height: 14)
        ScatterWidget(state: s, theme: theme, key: LayoutKey(model: "tone", layer: 0), single: true, cache: ScatterCache())
            .render(buffer.area, into: &buffer)
        let text = buffer.picture()
        #expect(text.contains("colour by clusters (k = 2, as sex)"))
        #expect(buffer.line(1).contains("k=2 · NMI 1.00"))
        #expect(buffer.line(2).hasSuffix("■ F      100%       8│"))
        #expect(buffer.line(3).hasSuffix("■ M       75%       4│"))
        // Tokens of U2 (the middle row of the grid) are cluster 1: the second colour.
        let plot = ScatterGeometry(pane: buffer.area, withLegend: true).plot
        let layout = Fixture.gridLayout()
        let projection = ScatterProjection(layout: layout, plot: plot, viewport: .whole)
        for token in [1, 5, 9] {
            let dot = projection.dot(x: layout.x[token], y: layout.y[token])
            #expect(buffer[plot.x + dot.x / 2, plot.y + dot.y / 4].style.foreground == theme.classes[token / 4 == 1 ? 1 : 0])
        }
    }

    @Test func withoutItsClusteringTheScatterIsGreyAndSaysWhy() {
        var s = Self.clusterState()
        var buffer = Buffer(width: 70, height: 14)
        ScatterWidget(state: s, theme: theme, key: LayoutKey(model: "tone", layer: 0), single: true, cache: ScatterCache())
            .render(buffer.area, into: &buffer)
        let legend = (1...4).map { buffer.line($0).suffix(22) }.joined()
        #expect(legend.contains("clusters · k=2") && legend.contains("clusters of layer 0") && legend.contains("(queued)"))
        let plot = ScatterGeometry(pane: buffer.area, withLegend: true).plot
        let dot = ScatterProjection(layout: Fixture.gridLayout(), plot: plot, viewport: .whole).dot(x: 1, y: 1)  // token 5
        #expect(buffer[plot.x + dot.x / 2, plot.y + dot.y / 4].style.foreground == theme.grey)
        s.results[MetricKey(model: "tone", metric: .nmi)] = LayerScores(failures: ["sex": [0: "label 'sex': planted"]])
        var failed = Buffer(width: 70, height: 14)
        ScatterWidget(state: s, theme: theme, key: LayoutKey(model: "tone", layer: 0), single: true, cache: ScatterCache())
            .render(failed.area, into: &failed)
        #expect(failed.line(2).contains("no clusters: label") && failed.line(3).contains("'sex': planted"))
    }

    /// NMI is the chart's third metric, its series highlighted for the clusters' label.
    @Test func theChartPlotsNMIAsAThirdMetric() {
        var s = Self.clusterState()
        s.metric = .nmi
        s.results[MetricKey(model: "tone", metric: .nmi)] = LayerScores(values: ["sex": [0: 0.5, 1: 0.7], "tone": [0: 0.1, 1: 0.2]])
        var buffer = Buffer(width: 40, height: 12)
        ChartWidget(state: s, theme: theme).render(buffer.area, into: &buffer)
        let text = buffer.picture()
        #expect(text.contains("Clusters NMI by layer · tone"))
        #expect(text.contains("● sex          0.500") && text.contains("■ tone         0.100"))
        let top = StatusBar(state: s, theme: theme)
        var line = Buffer(width: 120, height: 1)
        top.renderTop(line.area, into: &line)
        #expect(line.line(0).contains("colour clusters (sex)") && line.line(0).contains("clusters NMI"))
    }
}
