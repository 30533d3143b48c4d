import Engine

/// What the engine should compute for the current view, most urgent first: the scatters on screen
/// (and their clusters when the scatter is coloured by them), then the chart's metric for every layer (the current layer first, outwards), then the UMAP of
/// the neighbouring layers. Only what the store lacks is asked for.
public enum ViewNeeds {
    /// Priorities from here up are background work, which on-screen work pre-empts.
    public static let background = JobRequest.backgroundPriority

    public static func requests(_ state: AppState) -> [JobRequest] {
        var requests: [JobRequest] = []
        func wanted(_ key: JobKey) -> Bool {
            guard state.jobNotes[key] == nil, let model = state.models.first(where: { $0.name == key.model }),
                  model.presentLayers.contains(key.layer) else { return false }
            return true
        }
        for key in state.visibleLayouts where !storedLayout(state, key) {
            let job = JobKey(.umap, model: key.model, layer: key.layer)
            if wanted(job) { requests.append(JobRequest(job, priority: 0)) }
        }
        if state.colorsByClusters {
            for key in state.visibleLayouts {
                let scores = state.results[MetricKey(model: key.model, metric: .nmi)]
                guard let cluster = state.clusterKey(key), scores?.value(cluster.label, key.layer) == nil,
                      scores?.failures[cluster.label]?[key.layer] == nil, wanted(cluster.job) else { continue }
                requests.append(JobRequest(cluster.job, priority: 0))
            }
        }
        requests += missingLayers(state)
        let names = state.labels.map(\.name)
        for (tier, model) in [(1, state.currentModel), (2, state.overlayModel)] {
            guard let model else { continue }
            let done = state.results[MetricKey(model: model.name, metric: state.metric)]?.completeLayers(labels: names) ?? []
            for layer in 0..<model.layerCount where !done.contains(layer) {
                let job = JobKey(state.metric.jobKind, model: model.name, layer: layer)
                if wanted(job) { requests.append(JobRequest(job, priority: tier * 1000 + abs(layer - state.layer))) }
            }
        }
        if state.compare == .off, let model = state.currentModel {
            for distance in 1...2 {
                for layer in [state.layer - distance, state.layer + distance] where layer >= 0 && layer < model.layerCount {
                    let key = LayoutKey(model: model.name, layer: layer)
                    let job = JobKey(.umap, model: model.name, layer: layer)
                    if !storedLayout(state, key) && wanted(job) {
                        requests.append(JobRequest(job, priority: background + distance))
                    }
                }
            }
        }
        return requests
    }

    /// Layers the store lacks, computed from the recorded audio and checkpoint: the current layer
    /// first (the scatter needs it now), then the highest missing layer, whose job keeps every
    /// missing layer below it on the way (one pass of the model instead of one per layer).
    /// Only stores that record their audio (extracted ones) can have layers computed.
    static func missingLayers(_ state: AppState) -> [JobRequest] {
        guard state.data.hasAudio else { return [] }
        var requests: [JobRequest] = []
        for (tier, model) in [(1, state.currentModel), (2, state.overlayModel)] {
            guard let model else { continue }
            let missing = (0..<model.layerCount).filter { !model.presentLayers.contains($0) }
            guard let top = missing.last else { continue }
            var layers: [(Int, Int)] = [(top, tier * 1000)]
            if tier == 1, missing.contains(state.layer) { layers.insert((state.layer, 0), at: 0) }
            // A running extraction is never dropped for another layer: scrubbing would otherwise
            // throw away a pass over the whole corpus.
            if let running = state.engine.current, running.kind == .extract, running.model == model.name,
               missing.contains(running.layer) {
                layers.insert((running.layer, 0), at: 0)
            }
            var asked = Set<Int>()
            for (layer, priority) in layers where asked.insert(layer).inserted {
                let job = JobKey(.extract, model: model.name, layer: layer)
                if state.jobNotes[job] == nil { requests.append(JobRequest(job, priority: priority)) }
            }
        }
        return requests
    }

    static func storedLayout(_ state: AppState, _ key: LayoutKey) -> Bool {
        state.models.first { $0.name == key.model }?.umapLayers.contains(key.layer) == true
    }
}
