import Store

/// What `--clusters` asks for: k-means on each layer's PCA features, compared with every label.
public struct ClusterRequest: Sendable, Equatable {
    /// How many clusters.
    public enum Count: Sendable, Equatable, CustomStringConvertible {
        /// One clustering per label, with k = the label's number of classes among the tokens.
        case classes
        /// One clustering per layer with this k, compared with every label.
        case fixed(Int)

        public var description: String {
            switch self {
            case .classes: "classes"
            case .fixed(let k): String(k)
            }
        }
    }

    public var count: Count
    /// k-means++ restarts (scikit-learn's `n_init`); the lowest inertia wins.
    public var restarts: Int
    public var seed: UInt64

    public init(count: Count = .classes, restarts: Int = KMeansOptions.defaultRestarts, seed: UInt64 = 0) {
        self.count = count
        self.restarts = restarts
        self.seed = seed
    }

    /// The k that compares with `label`: the fixed k, or the label's classes present among the tokens.
    public func clusters(for label: LabelColumn) -> Int {
        switch count {
        case .classes: label.counts.filter { $0 > 0 }.count
        case .fixed(let k): k
        }
    }

    /// The k-means settings for `k` clusters.
    public func options(clusters k: Int) -> KMeansOptions {
        KMeansOptions(clusters: k, restarts: restarts, seed: seed)
    }
}

/// One cluster as the explorer's legend shows it, with the label's class names.
public struct ClusterLegendEntry: Sendable, Codable, Equatable {
    /// Tokens in the cluster.
    public var size: Int
    /// Of those, tokens with a value for the label.
    public var labelled: Int
    /// The most frequent class among them; nil when none is labelled.
    public var majority: String?
    /// The majority class's share of the labelled tokens; nil when none is labelled.
    public var purity: Double?

    public init(size: Int, labelled: Int, majority: String?, purity: Double?) {
        self.size = size
        self.labelled = labelled
        self.majority = majority
        self.purity = purity
    }
}

/// A layer's k-means clustering compared with one label: the `clusters` record of (layer, label).
public struct ClusterResult: Sendable, Codable, Equatable {
    /// Clusters; the per-token ids are the store's `clusters` array of this layer with task `k<k>`.
    public var k: Int
    public var nmi: Double
    public var purity: Double
    public var vMeasure: Double
    public var homogeneity: Double
    public var completeness: Double
    /// Tokens compared: those with a value for the label.
    public var tokens: Int
    /// The clustering's inertia (Σ squared distance to the centres, in PCA coordinates).
    public var inertia: Double
    /// Lloyd iterations of the winning restart, and whether it converged before the limit.
    public var iterations: Int
    public var converged: Bool
    public var restarts: Int
    /// Per cluster id, 0..<k: size, majority class and purity.
    public var clusters: [ClusterLegendEntry]

    public init(k: Int, nmi: Double, purity: Double, vMeasure: Double, homogeneity: Double, completeness: Double, tokens: Int,
                inertia: Double, iterations: Int, converged: Bool, restarts: Int, clusters: [ClusterLegendEntry]) {
        self.k = k
        self.nmi = nmi
        self.purity = purity
        self.vMeasure = vMeasure
        self.homogeneity = homogeneity
        self.completeness = completeness
        self.tokens = tokens
        self.inertia = inertia
        self.iterations = iterations
        self.converged = converged
        self.restarts = restarts
        self.clusters = clusters
    }

    /// The result of comparing `fit`'s clusters with a label whose classes are `classes`.
    public init(k: Int, agreement: ClusterAgreement, classes: [String], fit: KMeansResult, restarts: Int) {
        self.k = k
        nmi = agreement.nmi
        purity = agreement.purity
        vMeasure = agreement.vMeasure
        homogeneity = agreement.homogeneity
        completeness = agreement.completeness
        tokens = agreement.tokens
        inertia = fit.inertia
        iterations = fit.iterations
        converged = fit.converged
        self.restarts = restarts
        clusters = agreement.clusters.map { cluster in
            ClusterLegendEntry(size: cluster.size, labelled: cluster.labelled,
                               majority: cluster.majority.flatMap { $0 < classes.count ? classes[$0] : nil }, purity: cluster.purity)
        }
    }
}
