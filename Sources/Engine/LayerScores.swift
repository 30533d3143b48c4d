import Foundation
import Store

/// One metric for one model, per label and layer (SVCCA correlation or probe accuracy, 0…1).
public struct LayerScores: Equatable, Sendable {
    /// `values[label][layer]`.
    public var values: [String: [Int: Double]]

    public init(values: [String: [Int: Double]] = [:]) {
        self.values = values
    }

    /// The value for `label` at `layer`, if computed.
    public func value(_ label: String, _ layer: Int) -> Double? { values[label]?[layer] }

    /// Layers with a value for every one of `labels`.
    public func completeLayers(labels: [String]) -> Set<Int> {
        guard let first = labels.first, var layers = values[first].map({ Set($0.keys) }) else { return [] }
        for label in labels.dropFirst() { layers.formIntersection(values[label]?.keys.map { $0 } ?? []) }
        return layers
    }
}
