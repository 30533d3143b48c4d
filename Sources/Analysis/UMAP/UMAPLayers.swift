import Foundation
import Numerics
import Store

/// A layer's stored UMAP layout as `layerscope analyze --umap` reports it.
public struct UMAPLayerSummary: Sendable, Equatable, Codable {
    /// The layout's array, relative to the store folder.
    public var path: String
    /// Trustworthiness (15 neighbours) on a sample of the tokens; nil for too few tokens.
    public var trustworthiness: Double?
    /// The layer whose layout this one started from; nil for a spectral start.
    public var alignedTo: Int?
    /// Whether it was read back from the store rather than computed in this run.
    public var reused: Bool

    enum CodingKeys: String, CodingKey {
        case path, trustworthiness, alignedTo = "aligned_to", reused
    }

    public init(_ outcome: UMAPRunner.Outcome) {
        path = outcome.path
        trustworthiness = outcome.provenance.trustworthiness
        alignedTo = outcome.provenance.alignedTo
        reused = outcome.reused
    }
}

extension UMAPRunner {
    /// Layouts of `layers` (ascending) of `model`: each from the previous one's layout when
    /// `aligned` (the first from its spectral initialisation), so a sequence of layers keeps its
    /// clusters in place; otherwise each independently. `done` is called after each layer.
    public func layouts(model: String, layers: [Int], aligned: Bool = true, force: Bool = false,
                        done: (Outcome) -> Void = { _ in }, isCancelled: () -> Bool = { false }) throws -> [Int: Outcome] {
        var outcomes: [Int: Outcome] = [:]
        var previous: Int?
        for layer in layers.sorted() {
            let outcome = try layout(model: model, layer: layer, alignTo: aligned ? previous : nil,
                                     force: force, isCancelled: isCancelled)
            outcomes[layer] = outcome
            done(outcome)
            previous = layer
        }
        return outcomes
    }
}
