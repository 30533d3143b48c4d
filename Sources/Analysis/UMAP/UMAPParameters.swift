import Numerics

/// UMAP's settings, named and defaulted as umap-learn's `UMAP` estimator (2-D output only).
public struct UMAPParameters: Sendable, Codable, Equatable, Hashable {
    /// Neighbours per point, the point itself included (umap-learn's `n_neighbors`).
    public var nNeighbors = 15
    public var minDist = 0.1
    public var spread = 1.0
    /// Optimisation epochs; nil: 500 up to 10,000 points, 200 above, as umap-learn.
    public var nEpochs: Int?
    /// The SGD's initial learning rate (umap-learn's `learning_rate`).
    public var learningRate = 1.0
    public var negativeSampleRate = 5
    /// Weight of the negative samples (umap-learn's `repulsion_strength`, γ).
    public var repulsionStrength = 1.0
    public var localConnectivity = 1.0
    public var setOpMixRatio = 1.0
    public var seed: UInt64 = 42
    public var neighborSearch = NeighborSearch.automatic
    /// Up to this many points the neighbours are found exactly (`.automatic` search); umap-learn
    /// also searches exactly below 4,096 points, and NN-descent is faster above (measured).
    public var exactNeighborLimit = 4_095

    public init() {}

    /// The epochs a run over `points` points takes.
    public func epochs(points: Int) -> Int {
        nEpochs ?? (points <= 10_000 ? 500 : 200)
    }
}

/// One published state of a layout in progress, for drawing before the layout converges.
public struct UMAPFrame: Sendable {
    /// Where in the run the frame was taken.
    public enum Stage: String, Sendable {
        /// Before any UMAP step: the given initial layout, or else the input's first two columns
        /// (for PCA features, the two leading principal components), scaled to [0, 10].
        case preview
        /// After the initialisation (spectral, or the given layout), before any epoch.
        case initialized
        /// After `epoch` epochs of optimisation.
        case optimizing
        /// The final layout.
        case finished
    }

    public let stage: Stage
    /// Epochs completed.
    public let epoch: Int
    public let totalEpochs: Int
    /// points × 2, rows in input order.
    public let coordinates: Matrix<Float>
}

/// Why a UMAP run stopped without a layout.
public enum UMAPError: Error, CustomStringConvertible, Equatable {
    case cancelled
    case nonFinite(row: Int)
    case notTwoDimensional(columns: Int)

    public var description: String {
        switch self {
        case .cancelled: "the UMAP layout was cancelled"
        case .nonFinite(let row): "row \(row) holds NaN or infinity; UMAP needs finite features"
        case .notTwoDimensional(let columns): "an initial layout must have 2 columns, not \(columns)"
        }
    }
}
