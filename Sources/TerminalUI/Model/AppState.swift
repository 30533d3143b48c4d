import Engine
import Store

/// The three panes; Tab moves the keyboard focus between them.
public enum Pane: Int, CaseIterable, Sendable {
    case chart, scatter, utterance

    public var title: String {
        switch self {
        case .chart: "chart"
        case .scatter: "scatter"
        case .utterance: "utterance"
        }
    }
}

/// What the chart plots per layer.
public enum Metric: Sendable, Hashable, CaseIterable {
    /// SVCCA between the layer and each label.
    case svcca
    /// The speaker-disjoint probe's accuracy per label.
    case probe
    /// NMI between the layer's k-means clusters (k = the label's classes) and each label.
    case nmi

    public var jobKind: JobKind {
        switch self {
        case .svcca: .svcca
        case .probe: .probe
        case .nmi: .clusters
        }
    }

    /// The metric a job kind's results feed, if any.
    public init?(jobKind: JobKind) {
        guard let metric = Metric.allCases.first(where: { $0.jobKind == jobKind }) else { return nil }
        self = metric
    }

    public var title: String {
        switch self {
        case .svcca: "SVCCA"
        case .probe: "probe accuracy"
        case .nmi: "clusters NMI"
        }
    }

    /// The chart's title.
    public var chartTitle: String {
        switch self {
        case .svcca: "SVCCA"
        case .probe: "Probe accuracy"
        case .nmi: "Clusters NMI"
        }
    }

    /// The next metric the `a` key shows.
    public var next: Metric {
        switch self {
        case .svcca: .probe
        case .probe: .nmi
        case .nmi: .svcca
        }
    }
}

/// How many scatters the scatter area shows: one, first/last layer, or first/last × two models (Figure 4).
public enum CompareMode: Sendable, Hashable {
    case off, firstLast, grid
}

/// A point in a layout's bounding box, each coordinate 0…1 (0, 0 = bottom-left).
public struct UnitPoint: Equatable, Sendable {
    public var u: Float
    public var v: Float

    public init(_ u: Float, _ v: Float) {
        self.u = u
        self.v = v
    }

    public static let center = UnitPoint(0.5, 0.5)
}

/// The part of a layout the scatter shows: its centre (in the layout's unit box) and magnification.
public struct Viewport: Equatable, Sendable {
    public var center: UnitPoint
    public var zoom: Float

    public init(center: UnitPoint = .center, zoom: Float = 1) {
        self.center = center
        self.zoom = zoom
    }

    public static let whole = Viewport()
    public static let maximumZoom: Float = 64
}

/// A one-line text entry at the bottom of the screen.
public enum Prompt: Equatable, Sendable {
    /// `/`: an utterance id or speaker to jump to.
    case search(String)
    /// `f`: classes of the colour-by label to highlight.
    case filter(String)

    public var text: String {
        switch self {
        case .search(let text), .filter(let text): text
        }
    }
}

/// One task head's predictions over one utterance, frame by frame.
public struct TaskFrames: Equatable, Sendable {
    public var task: String
    public var classes: [String]
    /// Per frame: the class with the highest score.
    public var argmax: [Int32]
    /// Per frame: that class's probability (softmax of logits when the store holds logits).
    public var confidence: [Float]

    public init(task: String, classes: [String], argmax: [Int32], confidence: [Float]) {
        self.task = task
        self.classes = classes
        self.argmax = argmax
        self.confidence = confidence
    }
}

/// The framewise predictions of one model for one utterance.
public struct UtteranceDetail: Equatable, Sendable {
    public var utterance: Int
    public var model: String
    public var tasks: [TaskFrames]
    /// Why there is nothing to show, when there is not.
    public var note: String?
    /// F0 per 20 ms frame (NaN where unvoiced), when the utterance's audio could be read.
    public var pitch: [Float]?
    /// Why there is no F0 although the store records audio (the file is gone, say).
    public var pitchNote: String?

    public init(utterance: Int, model: String, tasks: [TaskFrames], note: String? = nil, pitch: [Float]? = nil,
                pitchNote: String? = nil) {
        self.utterance = utterance
        self.model = model
        self.tasks = tasks
        self.note = note
        self.pitch = pitch
        self.pitchNote = pitchNote
    }

    public var frameCount: Int { tasks.map(\.argmax.count).max() ?? 0 }
}

/// Names a metric table: one metric of one model.
public struct MetricKey: Hashable, Sendable {
    public var model: String
    public var metric: Metric

    public init(model: String, metric: Metric) {
        self.model = model
        self.metric = metric
    }
}

/// Everything the screen shows, as one value. Only the reducer changes it.
public struct AppState: Sendable {
    public let data: StoreSnapshot
    public var models: [ModelInfo]
    public var size: TerminalSize
    public var colorDepth: ColorDepth
    /// Classes that get their own colour (the theme's palette) or glyph (monochrome).
    public var paletteSize = 10

    public var model: Int
    public var layer: Int
    /// Index into the label columns; `labels.count` colours by clusters instead (`colorsByClusters`).
    public var colorBy: Int
    /// The label whose clustering (k = its classes) the clusters colouring shows and names in its legend.
    public var clusterLabel = 0
    /// Clusterings read from the store, for the scatters on screen and their neighbours.
    public var clusterings: [ClusterKey: Clustering] = [:]
    public var metric: Metric = .svcca
    /// A second model whose curves are drawn over the first.
    public var overlay: Int?
    public var compare: CompareMode = .off
    public var focus: Pane = .chart

    /// Per label index: the classes the filter highlights (absent = no filter).
    public var filters: [Int: Set<Int32>] = [:]
    public var viewport = Viewport.whole
    public var cursor = UnitPoint.center
    public var selectedToken: Int?
    public var utterance = 0
    /// The first frame the utterance pane shows.
    public var utteranceScroll = 0
    public var utteranceDetail: UtteranceDetail?

    public var results: [MetricKey: LayerScores] = [:]
    public var layouts: [LayoutKey: Layout] = [:]
    public var engine = EngineProgress.idle
    /// Why a job cannot run or failed, shown where its result would be.
    public var jobNotes: [JobKey: String] = [:]

    public var prompt: Prompt?
    public var showHelp = false
    /// A one-line note in the hint bar until the next key.
    public var message: String?
    public var quitting = false

    public init(data: StoreSnapshot, models: [ModelInfo], size: TerminalSize, colorDepth: ColorDepth = .full,
                model: Int = 0, layer: Int = 0, colorBy: Int = 0) {
        self.data = data
        self.models = models
        self.size = size
        self.colorDepth = colorDepth
        self.model = min(max(model, 0), max(models.count - 1, 0))
        self.layer = layer
        self.colorBy = colorBy
    }

    // MARK: Derived

    public var currentModel: ModelInfo? { models.indices.contains(model) ? models[model] : nil }
    public var modelName: String { currentModel?.name ?? "" }
    public var lastLayer: Int { currentModel?.lastLayer ?? 0 }
    public var labels: [LabelColumn] { data.tokens.labels }
    public var colorLabel: LabelColumn? { labels.indices.contains(colorBy) ? labels[colorBy] : nil }
    public var currentLayoutKey: LayoutKey { LayoutKey(model: modelName, layer: layer) }
    public var currentLayout: Layout? { layouts[currentLayoutKey] }
    public var filter: Set<Int32>? { filters[colorBy] }
    /// Whether the scatter is coloured by cluster id rather than by a label.
    public var colorsByClusters: Bool { colorBy == labels.count && !labels.isEmpty }
    /// The label the chart highlights: the colour-by label, or the clusters' label.
    public var highlightedLabel: Int { colorsByClusters ? clusterLabel : colorBy }
    /// The label whose clustering the clusters colouring shows.
    public var clusterLabelColumn: LabelColumn? { labels.indices.contains(clusterLabel) ? labels[clusterLabel] : nil }
    /// The clustering to colour the scatter of `key` by, when colouring by clusters.
    public func clusterKey(_ key: LayoutKey) -> ClusterKey? {
        clusterLabelColumn.map { ClusterKey(model: key.model, layer: key.layer, label: $0.name) }
    }
    public var overlayModel: ModelInfo? { overlay.flatMap { models.indices.contains($0) ? models[$0] : nil } }

    /// The scatters on screen, left to right and top to bottom, with their titles.
    public var visibleLayouts: [LayoutKey] {
        guard let current = currentModel else { return [] }
        switch compare {
        case .off:
            return [currentLayoutKey]
        case .firstLast:
            return [LayoutKey(model: current.name, layer: 0), LayoutKey(model: current.name, layer: current.lastLayer)]
        case .grid:
            let second = overlayModel ?? models.first { $0.name != current.name }
            var keys = [LayoutKey(model: current.name, layer: 0), LayoutKey(model: current.name, layer: current.lastLayer)]
            if let second {
                keys += [LayoutKey(model: second.name, layer: 0), LayoutKey(model: second.name, layer: second.lastLayer)]
            }
            return keys
        }
    }
}
