import Foundation

/// `layerscope analyze` output: the layer × label table people read, and the stable `--json` form
/// (docs/ANALYSIS.md documents it).
public enum AnalysisReport {
    /// The JSON: one model's object, or a list of them when several models were analysed.
    public static func json(_ analyses: [ModelAnalysis]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let models = analyses.map(JSONModel.init)
        let data = models.count == 1 ? try encoder.encode(models[0]) : try encoder.encode(models)
        return String(decoding: data, as: UTF8.self)
    }

    /// The table: a row per layer, a column per label (SVCCA, probe accuracy with --probe, and the
    /// clusters' NMI/purity with --clusters); failed cells read "error [n]", with the full one-line
    /// reasons listed below the table.
    public static func text(_ analysis: ModelAnalysis) -> String {
        let probe = analysis.probeSplit != nil || analysis.layers.contains { !$0.probe.isEmpty }
        let clusters = analysis.clusters != nil || analysis.layers.contains { !$0.clusters.isEmpty }
        let base = probe ? 13 : 6
        let width = max(base + (clusters ? 12 : 0), analysis.labels.map(\.count).max() ?? 0)
        var notes: [String] = []
        func note(_ message: String) -> String {
            if let index = notes.firstIndex(of: message) { return "error [\(index + 1)]" }
            notes.append(message)
            return "error [\(notes.count)]"
        }
        var lines = ["model \(analysis.model) · \(analysis.tokens) tokens · PCA \(analysis.pca) (var: share of variance kept) · SVCCA \(analysis.mode.rawValue)"
                     + (probe ? " · probe accuracy on held-out speakers" : "")
                     + (clusters ? " · k-means \(clusterSettings(analysis)): NMI/purity" : "")]
        lines.append(trimmed(pad("layer", 5, left: true) + "  " + pad("var", 5) + "  "
                             + analysis.labels.map { pad($0, width) }.joined(separator: "  ")))
        for layer in analysis.layers {
            var row = pad(String(layer.layer), 5, left: true) + "  "
            row += pad(layer.pca.value.map { String(format: "%.2f", $0.varianceExplained) } ?? "-", 5) + "  "
            let cells = analysis.labels.map { label -> String in
                if let error = layer.error { return note("layer \(layer.layer): \(error)") }
                var text: String
                switch layer.svcca[label] {
                case .success(let result)?: text = String(format: "%.3f", result.value)
                case .failure(let message)?: text = note("layer \(layer.layer): \(message)")
                case nil: text = "-"
                }
                if probe {
                    switch layer.probe[label] {
                    case .success(let result)?: text = pad(text, 5) + " " + String(format: "%6.1f%%", result.accuracy * 100)
                    case .failure(let message)?: text = pad(text, 5) + " " + note("layer \(layer.layer): \(message)")
                    case nil: break
                    }
                }
                if clusters {
                    switch layer.clusters[label] {
                    case .success(let result)?: text = pad(text, base) + "  " + String(format: "%.3f/%.2f", result.nmi, result.purity)
                    case .failure(let message)?: text = pad(text, base) + "  " + note("layer \(layer.layer): \(message)")
                    case nil: break
                    }
                }
                return pad(text, width)
            }
            lines.append(trimmed(row + cells.joined(separator: "  ")))
        }
        if let split = analysis.probeSplit {
            let strata = split.stratifiedBy.map { ", balanced by \($0)" } ?? ""
            lines.append("probe: trained on \(split.trainSpeakerCount) speakers, tested on \(split.testSpeakers.count)\(strata): "
                         + split.testSpeakers.joined(separator: " "))
        }
        let layouts = analysis.layers.compactMap { layer in layer.umap.map { (layer.layer, $0) } }
        if !layouts.isEmpty {
            lines.append("umap (trustworthiness, 15 neighbours, on a token sample):")
            for (layer, umap) in layouts {
                let quality = umap.trustworthiness.map { String(format: "%.3f", $0) } ?? "-"
                let start = umap.alignedTo.map { "from layer \($0)" } ?? "spectral start"
                lines.append("  layer \(layer)  \(quality)  \(umap.path)  (\(start)\(umap.reused ? ", reused" : ""))")
            }
        }
        let reused = analysis.layers.filter(\.reused).map(\.layer)
        if !reused.isEmpty {
            lines.append("reused from the store (same inputs and parameters): layers \(ranges(reused)); --force recomputes")
        }
        for (i, message) in notes.enumerated() { lines.append("[\(i + 1)] \(message)") }
        return lines.joined(separator: "\n")
    }

    /// "(k = classes, 10 restarts)" or "(k = 39, 10 restarts)".
    static func clusterSettings(_ analysis: ModelAnalysis) -> String {
        guard let request = analysis.clusters else { return "" }
        return "(k = \(request.count), \(request.restarts) restarts)"
    }

    static func trimmed(_ line: String) -> String {
        String(line.reversed().drop { $0 == " " }.reversed())
    }

    static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let gap = String(repeating: " ", count: max(0, width - text.count))
        return left ? gap + text : text + gap
    }

    /// "0-3, 7, 9-12".
    static func ranges(_ values: [Int]) -> String {
        var parts: [String] = []
        var index = 0
        while index < values.count {
            var end = index
            while end + 1 < values.count, values[end + 1] == values[end] + 1 { end += 1 }
            parts.append(end == index ? "\(values[index])" : "\(values[index])-\(values[end])")
            index = end + 1
        }
        return parts.joined(separator: ", ")
    }
}

/// The `--json` shape of one model (keys documented in docs/ANALYSIS.md).
private struct JSONModel: Encodable {
    struct Split: Encodable {
        let test_speakers: [String]
        let train_speakers: Int
        let stratified_by: String?
    }

    struct Probe: Encodable {
        let accuracy: Double
        let per_class: [String: Double?]
        let train_tokens: Int
        let test_tokens: Int
        let converged: Bool
    }

    struct Clusters: Encodable {
        let nmi: Double
        let purity: Double
        let v: Double
    }

    struct ClusterSettings: Encodable {
        let k: [String: Int]
        let restarts: Int
        let seed: UInt64
    }

    struct Layer: Encodable {
        let layer: Int
        let components: Int?
        let variance_explained: Double?
        let svcca: [String: Double?]
        let probe: [String: Probe?]?
        let clusters: [String: Clusters?]?
        let errors: [String: [String: String]]?
        let error: String?
        let reused: Bool
        let umap: UMAPLayerSummary?
    }

    let model: String
    let pca: Int
    let mode: String
    let labels: [String]
    let tokens: Int
    let layers: [Layer]
    let probe_split: Split?
    let cluster_settings: ClusterSettings?

    init(_ analysis: ModelAnalysis) {
        model = analysis.model
        pca = analysis.pca
        mode = analysis.mode.rawValue
        labels = analysis.labels
        tokens = analysis.tokens
        probe_split = analysis.probeSplit.map {
            Split(test_speakers: $0.testSpeakers, train_speakers: $0.trainSpeakerCount, stratified_by: $0.stratifiedBy)
        }
        let probing = analysis.probeSplit != nil || analysis.layers.contains { !$0.probe.isEmpty }
        let clustering = analysis.clusters != nil || analysis.layers.contains { !$0.clusters.isEmpty }
        cluster_settings = analysis.clusters.map { request in
            ClusterSettings(k: Dictionary(analysis.labels.map { label in
                if case .fixed(let k) = request.count { return (label, k) }
                return (label, analysis.classes[label]?.count ?? 0)
            }, uniquingKeysWith: { a, _ in a }), restarts: request.restarts, seed: request.seed)
        }
        layers = analysis.layers.map { layer in
            var svcca: [String: Double?] = [:], probe: [String: Probe?] = [:], clusters: [String: Clusters?] = [:]
            var errors: [String: [String: String]] = [:]
            for label in analysis.labels {
                // updateValue keeps the key with a null; `svcca[label] = nil` would drop it.
                svcca.updateValue(layer.svcca[label]?.value?.value, forKey: label)
                if layer.error == nil, let message = layer.svcca[label]?.error { errors["svcca", default: [:]][label] = message }
                if clustering {
                    clusters.updateValue(layer.clusters[label]?.value.map { Clusters(nmi: $0.nmi, purity: $0.purity, v: $0.vMeasure) },
                                         forKey: label)
                    if layer.error == nil, let message = layer.clusters[label]?.error { errors["clusters", default: [:]][label] = message }
                }
                guard probing else { continue }
                let classes = analysis.classes[label] ?? []
                probe.updateValue(layer.probe[label]?.value.map { result in
                    Probe(accuracy: result.accuracy,
                          per_class: Dictionary(zip(classes, result.perClass).map { ($0, $1) }, uniquingKeysWith: { a, _ in a }),
                          train_tokens: result.trainTokens, test_tokens: result.testTokens, converged: result.converged)
                }, forKey: label)
                if layer.error == nil, let message = layer.probe[label]?.error { errors["probe", default: [:]][label] = message }
            }
            return Layer(layer: layer.layer, components: layer.pca.value?.components, variance_explained: layer.pca.value?.varianceExplained,
                         svcca: svcca, probe: probing ? probe : nil, clusters: clustering ? clusters : nil,
                         errors: errors.isEmpty ? nil : errors, error: layer.error,
                         reused: layer.reused, umap: layer.umap)
        }
    }
}
