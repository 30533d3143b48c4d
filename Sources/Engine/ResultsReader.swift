import Foundation
import Store

/// Reads stored per-layer analysis results (SVCCA, probe accuracy) into `LayerScores`.
public enum ResultsReader {
    /// The analysis kind string the store uses for a job kind.
    public static func analysisKind(_ kind: JobKind) -> String { kind.rawValue }

    /// Every stored result of `kind` for `model`, by label and layer.
    public static func scores(in store: EmbeddingStore, model: String, kind: JobKind) throws -> LayerScores {
        var scores = LayerScores()
        for record in try store.analyses(model: model, kind: analysisKind(kind)) where !record.label.isEmpty {
            guard let value = value(record.result, kind: kind) else { continue }
            scores.values[record.label, default: [:]][record.layer] = value
        }
        return scores
    }

    /// The headline number of a result: a bare number, or the first of the keys the kind reports.
    static func value(_ json: String, kind: JobKind) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) else { return nil }
        if let number = object as? NSNumber { return number.doubleValue }
        guard let dictionary = object as? [String: Any] else { return nil }
        let keys = kind == .probe ? ["accuracy", "test_accuracy", "value", "score"] : ["mean", "svcca", "value", "score"]
        for key in keys {
            if let number = dictionary[key] as? NSNumber { return number.doubleValue }
        }
        return nil
    }
}
