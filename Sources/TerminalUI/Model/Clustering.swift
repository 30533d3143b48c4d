import Analysis
import Engine

/// Names a clustering: one layer of one model, compared with one label (k = its classes).
public struct ClusterKey: Hashable, Sendable {
    public var model: String
    public var layer: Int
    public var label: String

    public init(model: String, layer: Int, label: String) {
        self.model = model
        self.layer = layer
        self.label = label
    }

    /// The engine job that computes it (every label's clustering of the layer at once).
    public var job: JobKey { JobKey(.clusters, model: model, layer: layer) }
}

/// A layer's k-means clustering as the scatter shows it: the cluster id of every token, and per
/// cluster its size, majority class and purity (docs/CLUSTERS.md).
public struct Clustering: Equatable, Sendable {
    /// Per token: its cluster, 0..<k.
    public let ids: [Int32]
    public let result: ClusterResult
    /// Distinguishes clusterings, so caches of colour slots know when to recompute.
    public let id: Int

    public init(ids: [Int32], result: ClusterResult, id: Int) {
        self.ids = ids
        self.result = result
        self.id = id
    }

    public var k: Int { result.k }
    /// Tokens per cluster.
    public var sizes: [Int] { result.clusters.map(\.size) }

    public static func == (a: Clustering, b: Clustering) -> Bool { a.id == b.id }
}

/// What the scatter of one layout is coloured by: a label's classes or a clustering's clusters.
public struct PointColoring {
    public let coloring: ClassColoring
    /// Per token: its class or cluster (−1 for none).
    public let codes: [Int32]
    /// Identifies `codes` for the scatter's slot cache: 0 for a label, the clustering's id otherwise.
    public let source: Int

    /// The colouring of `key`'s scatter in `state`: the colour-by label, or, colouring by clusters, the
    /// clustering of `key`'s layer (every point grey until it is read from the store).
    public init(state: AppState, key: LayoutKey, tokens: Int) {
        guard state.colorsByClusters else {
            coloring = ClassColoring(state: state, paletteSize: state.paletteSize)
            codes = state.colorLabel?.codes ?? [Int32](repeating: -1, count: tokens)
            source = 0
            return
        }
        if let clusterKey = state.clusterKey(key), let clustering = state.clusterings[clusterKey] {
            coloring = ClassColoring(classCount: clustering.k, counts: clustering.sizes, paletteSize: state.paletteSize,
                                     filter: state.filter)
            codes = clustering.ids
            source = clustering.id
        } else {
            // A filter with no cluster in it draws every point in the grey of context.
            coloring = ClassColoring(classCount: 1, counts: [tokens], paletteSize: state.paletteSize, filter: [-1])
            codes = [Int32](repeating: 0, count: tokens)
            source = -1
        }
    }
}
