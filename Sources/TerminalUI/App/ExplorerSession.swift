import Engine
import Foundation
import Store

/// How the explorer was asked to start (`layerscope explore STORE [--model M] [--layer L]
/// [--color-by LABEL] [--theme NAME]`).
public struct ExploreOptions: Sendable {
    /// Store metadata keys naming the model and the colour-by label to open on, when no flag does.
    public static let defaultModelKey = "explore.model"
    public static let defaultLabelKey = "explore.color_by"

    public var store: URL
    /// The store's name in the status line.
    public var displayName: String
    public var model: String?
    public var layer: Int?
    public var colorBy: String?
    public var theme: String?

    public init(store: URL, displayName: String? = nil, model: String? = nil, layer: Int? = nil, colorBy: String? = nil,
                theme: String? = nil) {
        self.store = store
        self.displayName = displayName ?? store.lastPathComponent
        self.model = model
        self.layer = layer
        self.colorBy = colorBy
        self.theme = theme
    }
}

/// An explorer ready to draw: the store read, the first state built, the renderer themed. The
/// interactive loop drives it with actions; the startup benchmark renders its first frame offscreen.
public final class ExplorerSession {
    public let loader: StoreLoader
    public let renderer: Renderer
    public private(set) var state: AppState

    /// `--color-by clusters` colours by cluster id (unless a label has that name).
    public static let clustersChoice = "clusters"

    /// Opens the store and builds the first state; bad options fail here, before the terminal changes.
    public init(_ options: ExploreOptions, theme: Theme, size: TerminalSize, colorDepth: ColorDepth) throws {
        let store = try EmbeddingStore(opening: options.store)
        loader = StoreLoader(store: store)
        let data = try loader.snapshot(displayName: options.displayName)
        let models = try loader.models()
        guard !models.isEmpty else { throw StoreError(options.store, "has no models to explore") }
        guard data.tokens.count > 0 else { throw StoreError(options.store, "has no tokens to explore") }

        // Without flags, the store may name the view it is best opened on (the sample store does).
        let meta = try store.meta()
        var modelIndex = 0
        if options.model == nil, let name = meta[ExploreOptions.defaultModelKey],
           let index = models.firstIndex(where: { $0.name == name }) {
            modelIndex = index
        }
        if let name = options.model {
            guard let index = models.firstIndex(where: { $0.name == name }) else {
                throw StoreError("--model", "the store has no model '\(name)' (models: \(models.map(\.name).joined(separator: ", ")))")
            }
            modelIndex = index
        }
        let model = models[modelIndex]
        let layer = options.layer ?? 0
        guard layer >= 0 && layer < max(model.layerCount, 1) else {
            throw StoreError("--layer", "layer \(layer) is outside model \(model.name)'s layers 0–\(model.lastLayer)")
        }
        var colorBy = 0
        if options.colorBy == nil, let name = meta[ExploreOptions.defaultLabelKey],
           let index = data.labelNames.firstIndex(of: name) {
            colorBy = index
        }
        if let name = options.colorBy, let index = data.labelNames.firstIndex(of: name) {
            colorBy = index
        } else if options.colorBy == Self.clustersChoice, !data.labelNames.isEmpty {
            colorBy = data.labelNames.count  // clusters of the first label's k
        } else if let name = options.colorBy {
            throw StoreError("--color-by", "the store has no label '\(name)' (labels: \(data.labelNames.joined(separator: ", ")))")
        }
        renderer = Renderer(theme: theme)
        state = AppState(data: data, models: models, size: size, colorDepth: colorDepth, model: modelIndex, layer: layer,
                         colorBy: colorBy)
        state.paletteSize = colorDepth.classesByGlyph ? Glyphs.classes.count : max(1, theme.classes.count)
        for m in models {
            for metric in Metric.allCases {
                let scores = try loader.results(model: m.name, metric: metric)
                if !scores.values.isEmpty { state.results[MetricKey(model: m.name, metric: metric)] = scores }
            }
        }
        perform(Reducer.start(&state))
    }

    /// Applies an action and carries out its effects (which may apply further actions).
    @discardableResult
    public func dispatch(_ action: Action) -> [Effect] {
        let effects = Reducer.reduce(&state, action)
        perform(effects)
        return effects
    }

    /// Sets the size and colour depth once the terminal is known.
    public func attach(size: TerminalSize, colorDepth: ColorDepth, theme: Theme) {
        state.colorDepth = colorDepth
        state.paletteSize = colorDepth.classesByGlyph ? Glyphs.classes.count : max(1, theme.classes.count)
        dispatch(.resize(size))
    }

    private func perform(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .quit:
                break
            case .loadLayout(let key):
                do {
                    dispatch(.layoutLoaded(key, try loader.layout(key, tokens: state.data.tokens.count)))
                } catch {
                    dispatch(.layoutDropped(key))
                    dispatch(.jobNote(JobKey(.umap, model: key.model, layer: key.layer), "stored UMAP unreadable: \(error)"))
                }
            case .loadClusters(let key):
                do {
                    dispatch(.clustersLoaded(key, try loader.clustering(key, tokens: state.data.tokens.count)))
                } catch {
                    dispatch(.jobNote(key.job, "stored clusters unreadable: \(error)"))
                }
            case .loadUtterance(let modelName, let utterance):
                guard let model = state.models.first(where: { $0.name == modelName }),
                      state.data.tokens.utterances.indices.contains(utterance) else { continue }
                dispatch(.utteranceLoaded(loader.utterance(utterance, name: state.data.tokens.utterances[utterance], model: model,
                                                           withPitch: state.data.hasAudio)))
            }
        }
    }

    /// Turns an engine event into actions: finished results are read back from the store.
    public func handle(_ event: EngineEvent) {
        switch event {
        case .progress(let progress):
            dispatch(.engineProgress(progress))
        case .partialLayout(let job, let points, let fraction):
            guard points.count == 2 * state.data.tokens.count else { return }
            dispatch(.layoutLoaded(LayoutKey(model: job.model, layer: job.layer),
                                   Layout(interleaved: points, progress: min(fraction, 0.999), id: loader.makeLayoutID())))
        case .finished(let job):
            switch job.kind {
            case .umap:
                let key = LayoutKey(model: job.model, layer: job.layer)
                dispatch(.layoutStored(key))
                if state.visibleLayouts.contains(key) || state.layouts[key] != nil {
                    do {
                        dispatch(.layoutLoaded(key, try loader.layout(key, tokens: state.data.tokens.count)))
                    } catch {
                        dispatch(.jobNote(job, "stored UMAP unreadable: \(error)"))
                    }
                }
            case .svcca, .probe, .clusters:
                if let metric = Metric(jobKind: job.kind), let scores = try? loader.results(model: job.model, metric: metric) {
                    dispatch(.resultsLoaded(MetricKey(model: job.model, metric: metric), scores))
                }
            case .extract:
                // The job may have filled lower layers too; read which the store holds now.
                if let present = try? loader.store.presentLayers(model: job.model) {
                    dispatch(.layersStored(model: job.model, layers: Set(present)))
                }
            }
        case .cancelled(let job):
            let key = LayoutKey(model: job.model, layer: job.layer)
            if job.kind == .umap, let layout = state.layouts[key], !layout.isFinal { dispatch(.layoutDropped(key)) }
        case .failed(let job, let message):
            dispatch(.jobNote(job, "\(job.kind.title) failed: \(message)"))
        case .unavailable(let job, let reason):
            dispatch(.jobNote(job, reason))
        }
    }

    /// The frame for the current state.
    public func render() -> Buffer { renderer.render(state) }
}
