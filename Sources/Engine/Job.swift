import Store

/// What a background job computes for one (model, layer).
public enum JobKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// SVCCA of the layer against every label (DESIGN.md, analysis definitions).
    case svcca
    /// Linear-probe accuracy of the layer for every label.
    case probe
    /// k-means clusters of the layer compared with every label (k = the label's classes; NMI per label).
    case clusters
    /// The layer's 2-D UMAP layout (`umap-Lnn.npy`).
    case umap
    /// The layer's embeddings, computed from the audio and checkpoint the store recorded
    /// (Extraction's `LayerFiller`), when the store lacks them.
    case extract

    /// Whether the job reads the layer's embeddings (every kind but `extract`, which makes them).
    public var needsEmbeddings: Bool { self != .extract }

    /// How the status bar names the kind.
    public var title: String {
        switch self {
        case .svcca: "SVCCA"
        case .probe: "probe"
        case .clusters: "clusters"
        case .umap: "UMAP"
        case .extract: "extract"
        }
    }
}

/// One unit of background work: a kind of result for one layer of one model.
public struct JobKey: Hashable, Sendable, CustomStringConvertible, Comparable {
    public var kind: JobKind
    public var model: String
    public var layer: Int

    public init(_ kind: JobKind, model: String, layer: Int) {
        self.kind = kind
        self.model = model
        self.layer = layer
    }

    public var description: String { "\(kind.title) \(model) L\(layer)" }

    public static func < (a: JobKey, b: JobKey) -> Bool {
        (a.kind.rawValue, a.model, a.layer) < (b.kind.rawValue, b.model, b.layer)
    }
}

/// A job the view wants, with its urgency: lower priorities run first (0 = on screen now).
public struct JobRequest: Hashable, Sendable {
    public var key: JobKey
    public var priority: Int

    public init(_ key: JobKey, priority: Int) {
        self.key = key
        self.priority = priority
    }

    /// Priorities from here up are background work (neighbouring layers): a running background job
    /// is cancelled as soon as a job for what is on screen waits.
    public static let backgroundPriority = 5000

    public var isBackground: Bool { priority >= Self.backgroundPriority }
}

/// What the engine is doing, for the status bar.
public struct EngineProgress: Equatable, Sendable {
    /// The running job, if any.
    public var current: JobKey?
    /// How far the running job is, 0…1.
    public var fraction: Double
    /// A few words on the running step ("epoch 120/200").
    public var note: String
    /// Jobs waiting behind the running one.
    public var queued: Int

    public init(current: JobKey? = nil, fraction: Double = 0, note: String = "", queued: Int = 0) {
        self.current = current
        self.fraction = fraction
        self.note = note
        self.queued = queued
    }

    public static let idle = EngineProgress()
}

/// What the engine tells the interface; delivered on the engine's thread, so the receiver queues them.
public enum EngineEvent: Sendable {
    /// Progress changed (a job started, advanced, or the queue changed).
    case progress(EngineProgress)
    /// A UMAP job published an intermediate layout: `points` holds x, y per token.
    case partialLayout(JobKey, points: [Float], fraction: Double)
    /// The job's result is now in the store.
    case finished(JobKey)
    /// The job was stopped because the view no longer wants it.
    case cancelled(JobKey)
    /// The job failed; it is not retried until the explorer restarts.
    case failed(JobKey, message: String)
    /// The job cannot run here (its layer's embeddings are missing, or no runner computes its kind).
    case unavailable(JobKey, reason: String)
}
