import Engine
import Store

/// The pure heart of the explorer: `(state, action) → (state, effects)`. No terminal, no store, no
/// clock — every key binding is tested as a plain function call.
public enum Reducer {
    public static func reduce(_ state: AppState, _ action: Action) -> (AppState, [Effect]) {
        var next = state
        let effects = reduce(&next, action)
        return (next, effects)
    }

    /// The effects the first frame needs (layouts and the first utterance).
    public static func start(_ state: inout AppState) -> [Effect] {
        if state.selectedToken == nil, let first = state.data.utteranceRows.first?.first {
            state.selectedToken = Int(first)
        }
        return layoutLoads(state) + clusterLoads(state) + [.loadUtterance(model: state.modelName, utterance: state.utterance)]
    }

    public static func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
        let before = (model: state.model, utterance: state.utterance, visible: state.visibleLayouts, clusters: clusterLoads(state))
        if action.isInput {
            state.message = nil
            if state.showHelp && action != .toggleHelp && action != .quit { state.showHelp = false }
        }
        var effects: [Effect] = []
        switch action {
        case .quit:
            state.quitting = true
            effects.append(.quit)
        case .toggleHelp:
            state.showHelp.toggle()
        case .focusNext:
            state.focus = Pane(rawValue: (state.focus.rawValue + 1) % Pane.allCases.count) ?? .chart
        case .focusPrevious:
            state.focus = Pane(rawValue: (state.focus.rawValue + Pane.allCases.count - 1) % Pane.allCases.count) ?? .chart
        case .layerStep(let delta):
            setLayer(&state, state.layer + delta)
        case .layerFirst:
            setLayer(&state, 0)
        case .layerLast:
            setLayer(&state, state.lastLayer)
        case .setLayer(let layer):
            setLayer(&state, layer)
        case .colorStep(let delta):
            stepColor(&state, delta)
        case .modelNext:
            guard state.models.count > 1 else {
                state.message = "the store has one model"
                break
            }
            state.model = (state.model + 1) % state.models.count
            if state.overlay == state.model { state.overlay = nil }
            setLayer(&state, state.layer)
        case .overlayNext:
            let others = state.models.indices.filter { $0 != state.model }
            if others.isEmpty {
                state.message = "no other model to overlay"
            } else if let current = state.overlay, let at = others.firstIndex(of: current) {
                state.overlay = at + 1 < others.count ? others[at + 1] : nil
            } else {
                state.overlay = others[0]
            }
        case .toggleMetric:
            state.metric = state.metric.next
        case .compareNext:
            switch state.compare {
            case .off: state.compare = .firstLast
            case .firstLast: state.compare = state.models.count > 1 ? .grid : .off
            case .grid: state.compare = .off
            }
        case .moveCursor(let dx, let dy):
            moveCursor(&state, dx: dx, dy: dy)
        case .pan(let dx, let dy):
            pan(&state, dx: dx, dy: dy)
        case .zoomIn:
            zoom(&state, by: 2)
        case .zoomOut:
            zoom(&state, by: 0.5)
        case .resetView:
            state.viewport = .whole
        case .utteranceStep(let delta):
            stepUtterance(&state, delta)
        case .scrollFrames(let delta):
            scrollFrames(&state, delta)
        case .startSearch:
            state.prompt = .search("")
        case .startFilter where state.colorsByClusters:
            state.message = "click a cluster in the legend to isolate it; f filters a label's classes"
        case .startFilter:
            let classes = state.colorLabel?.classes ?? []
            let names: [String] = (state.filter ?? []).sorted().compactMap { code in
                classes.indices.contains(Int(code)) ? classes[Int(code)] : nil
            }
            state.prompt = .filter(names.joined(separator: " "))
        case .clearFilter:
            state.filters[state.colorBy] = nil
        case .promptInput(let c):
            switch state.prompt {
            case .search(let text): state.prompt = .search(text + String(c))
            case .filter(let text): state.prompt = .filter(text + String(c))
            case nil: break
            }
        case .promptBackspace:
            switch state.prompt {
            case .search(let text): state.prompt = .search(String(text.dropLast()))
            case .filter(let text): state.prompt = .filter(String(text.dropLast()))
            case nil: break
            }
        case .promptCancel:
            state.prompt = nil
        case .promptSubmit:
            let prompt = state.prompt
            state.prompt = nil
            switch prompt {
            case .search(let text): search(&state, text)
            case .filter(let text): applyFilter(&state, text)
            case nil: break
            }
        case .click(let x, let y):
            click(&state, x: x, y: y)
        case .wheel(let up, let x, let y):
            wheel(&state, up: up, x: x, y: y)
        case .resize(let size):
            state.size = size
            scrollFrames(&state, 0)

        case .showMessage(let text):
            state.message = text
        case .resultsLoaded(let key, let scores):
            state.results[key] = scores
        case .layoutLoaded(let key, let layout):
            if let existing = state.layouts[key], existing.isFinal, !layout.isFinal { break }
            state.layouts[key] = layout
            if key == state.currentLayoutKey { followSelection(&state) }
            pruneLayouts(&state)
        case .clustersLoaded(let key, let clustering):
            state.clusterings[key] = clustering
            pruneClusterings(&state)
        case .layoutStored(let key):
            if let i = state.models.firstIndex(where: { $0.name == key.model }) { state.models[i].umapLayers.insert(key.layer) }
        case .layoutDropped(let key):
            state.layouts[key] = nil
            if let i = state.models.firstIndex(where: { $0.name == key.model }) { state.models[i].umapLayers.remove(key.layer) }
        case .layersStored(let model, let layers):
            if let i = state.models.firstIndex(where: { $0.name == model }) { state.models[i].presentLayers = layers }
        case .utteranceLoaded(let detail):
            if detail.utterance == state.utterance && detail.model == state.modelName { state.utteranceDetail = detail }
        case .engineProgress(let progress):
            state.engine = progress
        case .jobNote(let key, let note):
            state.jobNotes[key] = note
        }

        if state.visibleLayouts != before.visible || state.model != before.model {
            effects += layoutLoads(state)
        }
        let clusters = clusterLoads(state)
        if clusters != before.clusters || (!clusters.isEmpty && action.isResults) { effects += clusters }
        if state.model != before.model || state.utterance != before.utterance {
            if state.utteranceDetail?.utterance != state.utterance || state.utteranceDetail?.model != state.modelName {
                state.utteranceDetail = nil
            }
            effects.append(.loadUtterance(model: state.modelName, utterance: state.utterance))
        }
        return effects
    }

    // MARK: Layers and layouts

    static func setLayer(_ state: inout AppState, _ layer: Int) {
        state.layer = min(max(layer, 0), state.lastLayer)
        followSelection(&state)
    }

    /// Stored layouts that are on screen but not in memory yet.
    static func layoutLoads(_ state: AppState) -> [Effect] {
        state.visibleLayouts.compactMap { key in
            guard state.layouts[key]?.isFinal != true,
                  state.models.first(where: { $0.name == key.model })?.umapLayers.contains(key.layer) == true else { return nil }
            return .loadLayout(key)
        }
    }

    /// Keeps the layouts on screen and their neighbouring layers; drops the rest to bound memory.
    static func pruneLayouts(_ state: inout AppState) {
        let visible = state.visibleLayouts
        state.layouts = state.layouts.filter { key, _ in
            visible.contains { $0.model == key.model && abs($0.layer - key.layer) <= 2 }
        }
    }

    /// Puts the cursor on the selected token in the current layout, so it stays put while layers change.
    static func followSelection(_ state: inout AppState) {
        guard let token = state.selectedToken, let layout = state.currentLayout, token < layout.count else { return }
        let b = layout.bounds
        let u = (layout.x[token] - b.minX) / max(b.maxX - b.minX, 1e-6)
        let v = (layout.y[token] - b.minY) / max(b.maxY - b.minY, 1e-6)
        if u.isFinite && v.isFinite { state.cursor = UnitPoint(u, v) }
    }
}

extension Action {
    /// Whether the action came from the user (which clears a pending message and the help screen).
    var isInput: Bool {
        switch self {
        case .resultsLoaded, .layoutLoaded, .clustersLoaded, .layoutStored, .layoutDropped, .utteranceLoaded, .engineProgress,
             .jobNote, .resize, .showMessage:
            false
        default:
            true
        }
    }

    /// Whether the action brought new results from the store (which may make clusterings loadable).
    var isResults: Bool {
        if case .resultsLoaded = self { return true }
        return false
    }
}
