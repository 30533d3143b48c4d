import Foundation
import Store

/// One metric for one model, per label and layer (SVCCA correlation or probe accuracy, 0…1).
public struct LayerScores: Equatable, Sendable {
    /// `values[label][layer]`.
    public var values: [String: [Int: Double]]
    /// `failures[label][layer]`: why a cell has no value (stored as `{"error": …}`).
    public var failures: [String: [Int: String]]

    public init(values: [String: [Int: Double]] = [:], failures: [String: [Int: String]] = [:]) {
        self.values = values
        self.failures = failures
    }

    /// The value for `label` at `layer`, if computed.
    public func value(_ label: String, _ layer: Int) -> Double? { values[label]?[layer] }

    /// Layers with a value or a stored failure for every one of `labels` (nothing left to compute).
    public func completeLayers(labels: [String]) -> Set<Int> {
        func settled(_ label: String) -> Set<Int> {
            Set(values[label]?.keys.map { $0 } ?? []).union(failures[label]?.keys.map { $0 } ?? [])
        }
        guard let first = labels.first else { return [] }
        var layers = settled(first)
        for label in labels.dropFirst() { layers.formIntersection(settled(label)) }
        return layers
    }

    /// One stored failure, for a status line.
    public var firstFailure: String? {
        failures.sorted { $0.key < $1.key }.first?.value.sorted { $0.key < $1.key }.first?.value
    }
}
