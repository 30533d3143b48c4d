import Engine

extension Reducer {
    /// Colour-by steps through the labels and then the clusters (one more choice). Stepping onto the
    /// clusters from a label shows that label's clustering (k = its classes).
    static func stepColor(_ state: inout AppState, _ delta: Int) {
        let labels = state.labels.count
        guard labels > 0 else { return }
        let choices = labels + 1
        let from = state.colorBy
        state.colorBy = ((from + delta) % choices + choices) % choices
        if state.colorsByClusters, from < labels { state.clusterLabel = from }
    }

    /// Clusterings on screen that the store holds (the chart's NMI results say so) and memory lacks.
    static func clusterLoads(_ state: AppState) -> [Effect] {
        guard state.colorsByClusters else { return [] }
        return state.visibleLayouts.compactMap { key in
            guard let cluster = state.clusterKey(key), state.clusterings[cluster] == nil, state.jobNotes[cluster.job] == nil,
                  state.results[MetricKey(model: key.model, metric: .nmi)]?.value(cluster.label, key.layer) != nil else { return nil }
            return .loadClusters(cluster)
        }
    }

    /// Keeps the clusterings of the layers on screen and their neighbours; drops the rest to bound memory.
    static func pruneClusterings(_ state: inout AppState) {
        let visible = state.visibleLayouts
        state.clusterings = state.clusterings.filter { key, _ in
            visible.contains { $0.model == key.model && abs($0.layer - key.layer) <= 2 }
        }
    }
}
