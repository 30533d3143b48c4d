/// A result, or the one-line reason it could not be computed; stored as the result itself or `{"error": …}`.
public enum CellOutcome<Value: Codable & Sendable & Equatable>: Sendable, Equatable, Codable {
    case success(Value)
    case failure(String)

    public var value: Value? {
        if case .success(let value) = self { return value }
        return nil
    }

    public var error: String? {
        if case .failure(let message) = self { return message }
        return nil
    }

    private enum Keys: String, CodingKey { case error }

    public init(from decoder: Decoder) throws {
        if let container = try? decoder.container(keyedBy: Keys.self), let message = try container.decodeIfPresent(String.self, forKey: .error) {
            self = .failure(message)
        } else {
            self = .success(try Value(from: decoder))
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .success(let value): try value.encode(to: encoder)
        case .failure(let message):
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(message, forKey: .error)
        }
    }
}

/// What PCA kept of a layer: stored as the layer's `pca` record.
public struct PCASummary: Sendable, Codable, Equatable {
    public var components: Int
    public var explainedVarianceRatio: [Double]
    public var solver: PCASolver
    public var samples: Int

    /// The fraction of the layer's variance the kept components explain.
    public var varianceExplained: Double { explainedVarianceRatio.reduce(0, +) }
}

/// One layer's results: its PCA, and SVCCA, probe and cluster cells by label.
public struct LayerAnalysis: Sendable, Equatable {
    public var layer: Int
    /// A failure here (the layer is missing, holds NaN, …) is the whole layer's failure.
    public var pca: CellOutcome<PCASummary>
    public var svcca: [String: CellOutcome<SVCCAResult>]
    public var probe: [String: CellOutcome<ProbeResult>]
    /// k-means clusters compared with each label (with `--clusters`).
    public var clusters: [String: CellOutcome<ClusterResult>] = [:]
    /// Whether everything came from the store rather than being computed in this run.
    public var reused: Bool
    /// The layer's UMAP layout, when one was asked for (`layerscope analyze --umap`).
    public var umap: UMAPLayerSummary? = nil

    /// The layer-wide failure, if any.
    public var error: String? { pca.error }
}

/// The speaker split the probes of a model used, for reports.
public struct ProbeSplitSummary: Sendable, Equatable {
    public var testSpeakers: [String]
    public var trainSpeakerCount: Int
    public var stratifiedBy: String?
}

/// A model's analysis: every requested layer, with what the request asked for.
public struct ModelAnalysis: Sendable, Equatable {
    public var model: String
    /// Requested PCA components.
    public var pca: Int
    public var mode: SVCCAMode
    /// The labels analysed, in token-table order, with their class names.
    public var labels: [String]
    public var classes: [String: [String]]
    public var tokens: Int
    public var probeSplit: ProbeSplitSummary?
    public var layers: [LayerAnalysis]
    /// The k-means settings, with `--clusters`.
    public var clusters: ClusterRequest? = nil
}
