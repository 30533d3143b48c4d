/// What `AnalysisRunner` should make sure the store holds for one model.
public struct AnalysisRequest: Sendable, Equatable {
    public var model: String
    /// Layers to analyse; nil for every layer the store holds.
    public var layers: ClosedRange<Int>?
    /// Labels (token-table columns) to analyse; nil for all of them.
    public var labels: [String]?
    /// PCA components before SVCCA and the probe (capped per layer by D and n − 1).
    public var pcaComponents: Int
    public var svccaMode: SVCCAMode
    /// Also train speaker-disjoint probes.
    public var probe: Bool
    /// Recompute even what the store already holds for these inputs and parameters.
    public var force: Bool
    /// Also cluster each layer's PCA features with k-means and compare the clusters with every label.
    public var clusters: ClusterRequest?

    public init(model: String, layers: ClosedRange<Int>? = nil, labels: [String]? = nil, pcaComponents: Int = 100,
                svccaMode: SVCCAMode = .standard, probe: Bool = false, force: Bool = false, clusters: ClusterRequest? = nil) {
        self.model = model
        self.layers = layers
        self.labels = labels
        self.pcaComponents = pcaComponents
        self.svccaMode = svccaMode
        self.probe = probe
        self.force = force
        self.clusters = clusters
    }
}

/// Where a running analysis is, reported after every step so a UI can show a progress bar.
public struct AnalysisProgress: Sendable {
    public enum Stage: String, Sendable {
        /// Reading the layer's rows: one pass for the moments PCA and SVCCA need.
        case reading
        /// Projecting onto the PCA axes (for the probe, or labels with missing values).
        case projecting
        case svcca
        case probe
        /// k-means on the PCA features, and the clusters compared with the labels.
        case clusters
        /// The layer is finished (computed and saved, or reused); `result` holds it.
        case done
    }

    public let model: String
    public let layer: Int
    public let stage: Stage
    /// Layers finished so far, and how many the request covers.
    public let finished: Int
    public let total: Int
    /// The finished layer, with stage `.done`.
    public let result: LayerAnalysis?
}

/// The analysis kinds `AnalysisRunner` stores, as `AnalysisRecord.kind`.
public enum AnalysisKind: String, Sendable, CaseIterable {
    /// Per layer (label ""): PCA components and explained-variance ratios.
    case pca
    /// Per layer and label: SVCCA.
    case svcca
    /// Per layer and label: the speaker-disjoint probe.
    case probe
    /// Per layer and label: k-means clusters compared with the label (docs/CLUSTERS.md).
    case clusters
}
