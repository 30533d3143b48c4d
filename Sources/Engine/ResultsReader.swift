import Foundation
import Store

/// Reads stored per-layer analysis results (SVCCA, probe accuracy, clusters' NMI) into `LayerScores`.
public enum ResultsReader {
    /// The analysis kind string the store uses for a job kind.
    public static func analysisKind(_ kind: JobKind) -> String { kind.rawValue }

    /// Every stored result of `kind` for `model`, by label and layer.
    public static func scores(in store: EmbeddingStore, model: String, kind: JobKind) throws -> LayerScores {
        var scores = LayerScores()
        for record in try store.analyses(model: model, kind: analysisKind(kind)) where !record.label.isEmpty {
            if let value = value(record.result, kind: kind) {
                scores.values[record.label, default: [:]][record.layer] = value
            } else if let error = failure(record.result) {
                scores.failures[record.label, default: [:]][record.layer] = error
            }
        }
        return scores
    }

    /// The reason of a failed cell (`{"error": "…"}`).
    static func failure(_ json: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return object["error"] as? String
    }

    /// The headline number of a result (docs/ANALYSIS.md, docs/CLUSTERS.md): SVCCA's `value`, the
    /// probe's `accuracy`, the clusters' `nmi`.
    static func value(_ json: String, kind: JobKind) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        let key = switch kind {
        case .probe: "accuracy"
        case .clusters: "nmi"
        default: "value"
        }
        return (object[key] as? NSNumber)?.doubleValue
    }
}
