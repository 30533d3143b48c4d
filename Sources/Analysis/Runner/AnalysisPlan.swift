import Foundation
import Numerics
import Store

/// Everything a run decides before touching a layer: which layers and labels, the speaker split,
/// the parameters and input fingerprints of each cell, and which stored results are still valid.
struct AnalysisPlan {
    let request: AnalysisRequest
    let tokens: TokenTable
    let labels: [LabelColumn]
    let layers: [Int]
    let layerRecords: [Int: ArrayRecord]
    let split: Result<SpeakerSplit, AnalysisError>?
    private let stored: [Key: AnalysisRecord]
    /// The `clusters` arrays the store holds, by layer and task (`k<k>`).
    private let clusterArrays: [Key: ArrayRecord]
    private let parameters: [AnalysisKind: String]
    private let labelPrints: [String: String]
    private let speakerPrint: String?

    struct Key: Hashable {
        let kind: String
        let layer: Int
        let label: String
    }

    init(store: EmbeddingStore, request: AnalysisRequest) throws {
        self.request = request
        let model = try store.model(named: request.model)
        let tokens = try store.tokens()
        self.tokens = tokens
        if let names = request.labels {
            labels = try names.map { name in
                guard let column = tokens.label(named: name) else {
                    let known = tokens.labels.map(\.name).joined(separator: ", ")
                    throw StoreError(store.url, "has no label '\(name)' (labels: \(known.isEmpty ? "none" : known))")
                }
                return column
            }
        } else {
            labels = tokens.labels
        }
        guard request.pcaComponents > 0 else { throw StoreError(store.url, "--pca must be at least 1, got \(request.pcaComponents)") }
        let records = try store.arrays(model: model.name, kind: .layer)
        layerRecords = Dictionary(records.map { ($0.layer, $0) }, uniquingKeysWith: { $1 })
        let present = records.map(\.layer).sorted()
        if let range = request.layers {
            guard present.contains(where: range.contains) else {
                let have = present.isEmpty ? "none" : "\(present.map(String.init).joined(separator: ", "))"
                throw StoreError(store.url, "model '\(model.name)' has no layer in \(range.lowerBound)-\(range.upperBound) (layers: \(have))")
            }
            layers = Array(range).filter { $0 < max(model.layerCount, (present.last ?? -1) + 1) }
        } else {
            guard !present.isEmpty else { throw StoreError(store.url, "model '\(model.name)' has no layers in this store") }
            layers = present
        }
        let split: Result<SpeakerSplit, AnalysisError>? = request.probe
            ? Result { try SpeakerSplit.make(tokens: tokens) }.mapError { $0 as? AnalysisError ?? AnalysisError("\($0)") } : nil
        self.split = split
        var parameters: [AnalysisKind: String] = [:]
        for kind in AnalysisKind.allCases { parameters[kind] = AnalysisFingerprint.parameters(kind, request: request) }
        self.parameters = parameters
        labelPrints = Dictionary(self.labels.map { ($0.name, AnalysisFingerprint.label($0)) }, uniquingKeysWith: { $1 })
        if case .success(let split) = split {
            speakerPrint = AnalysisFingerprint.speakers(tokens, split: split)
        } else {
            speakerPrint = nil
        }
        stored = Dictionary(try store.analyses(model: model.name).map { (Key(kind: $0.kind, layer: $0.layer, label: $0.label), $0) },
                            uniquingKeysWith: { $1 })
        clusterArrays = request.clusters == nil ? [:] : Dictionary(
            try store.arrays(model: model.name, kind: .clusters).map { (Key(kind: ArrayKind.clusters.rawValue, layer: $0.layer, label: $0.task), $0) },
            uniquingKeysWith: { $1 })
    }

    /// The labels the clusterings are compared with (none without `--clusters`).
    var clusterLabels: [LabelColumn] { request.clusters == nil ? [] : labels }

    /// The cells a layer needs: (kind, label) pairs, the layer's PCA first.
    private var cells: [(AnalysisKind, String)] {
        [(AnalysisKind.pca, "")] + labels.map { (.svcca, $0.name) } + (request.probe ? labels.map { (.probe, $0.name) } : [])
            + clusterLabels.map { (.clusters, $0.name) }
    }

    private func inputs(_ kind: AnalysisKind, label: String, record: ArrayRecord) -> String {
        AnalysisFingerprint.inputs(kind, layer: AnalysisFingerprint.layer(record), label: label.isEmpty ? nil : labelPrints[label],
                                   speakers: speakerPrint)
    }

    /// The stored record for a cell if it was made from these inputs with these parameters.
    private func fresh(_ kind: AnalysisKind, layer: Int, label: String) -> AnalysisRecord? {
        guard !request.force, let record = layerRecords[layer],
              let stored = stored[Key(kind: kind.rawValue, layer: layer, label: label)],
              stored.params == parameters[kind], stored.inputs == inputs(kind, label: label, record: record) else { return nil }
        if kind == .clusters, !hasClusterArray(stored, layer: layer, record: record) { return nil }
        return stored
    }

    /// A clustering result is only as good as its per-token ids: the array it names must be stored and
    /// made with these settings from this layer (a failure cell needs none).
    private func hasClusterArray(_ stored: AnalysisRecord, layer: Int, record: ArrayRecord) -> Bool {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let result = try? decoder.decode(CellOutcome<ClusterResult>.self, from: Data(stored.result.utf8)) else {
            return false
        }
        guard case .success(let clustering) = result else { return true }
        let task = Self.clusterTask(k: clustering.k)
        return clusterArrays[Key(kind: ArrayKind.clusters.rawValue, layer: layer, label: task)]?.params
            == AnalysisFingerprint.clusterArray(k: clustering.k, request: request, layer: record)
    }

    /// The `task` of a layer's `clusters` array with `k` clusters.
    static func clusterTask(k: Int) -> String { "k\(k)" }

    /// The layer from the store, when every cell it needs is fresh there.
    func reusable(_ layer: Int) -> LayerAnalysis? {
        guard cells.allSatisfy({ fresh($0.0, layer: layer, label: $0.1) != nil }) else { return nil }
        let analysis = partial(layer)
        return analysis.pca.error == Self.notComputed ? nil : analysis
    }

    static let notComputed = "not computed yet"

    /// The fresh cells of a layer, decoded; absent ones are left out.
    func partial(_ layer: Int) -> LayerAnalysis {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        func decode<T>(_ kind: AnalysisKind, _ label: String) -> CellOutcome<T>? {
            guard let record = fresh(kind, layer: layer, label: label) else { return nil }
            return try? decoder.decode(CellOutcome<T>.self, from: Data(record.result.utf8))
        }
        var analysis = LayerAnalysis(layer: layer, pca: decode(.pca, "") ?? .failure(Self.notComputed), svcca: [:], probe: [:], reused: true)
        for label in labels {
            analysis.svcca[label.name] = decode(.svcca, label.name)
            if request.probe { analysis.probe[label.name] = decode(.probe, label.name) }
        }
        for label in clusterLabels { analysis.clusters[label.name] = decode(.clusters, label.name) }
        return analysis
    }

    func computation(layer: Int, view: MatrixView) -> LayerComputation {
        LayerComputation(layer: layer, view: view, components: request.pcaComponents, mode: request.svccaMode,
                         svccaLabels: labels, probeLabels: request.probe ? labels : [], split: split,
                         clusters: request.clusters, clusterLabels: clusterLabels)
    }

    /// A layer that failed as a whole: every requested cell carries the reason.
    func failure(_ message: String) -> LayerComputation.Output {
        LayerComputation.failure(message, svccaLabels: labels, probeLabels: request.probe ? labels : [], clusterLabels: clusterLabels)
    }

    /// The records that save a computed layer.
    func records(layer: Int, record: ArrayRecord, output: LayerComputation.Output) -> [AnalysisRecord] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        func make<T>(_ kind: AnalysisKind, _ label: String, _ outcome: CellOutcome<T>?) -> AnalysisRecord? {
            guard let outcome, let data = try? encoder.encode(outcome), let parameters = parameters[kind] else { return nil }
            return AnalysisRecord(model: request.model, kind: kind.rawValue, layer: layer, label: label, params: parameters,
                                  inputs: inputs(kind, label: label, record: record), result: String(decoding: data, as: UTF8.self))
        }
        var result = [make(.pca, "", output.pca)].compactMap { $0 }
        for label in labels {
            result += [make(.svcca, label.name, output.svcca[label.name]), make(.probe, label.name, output.probe[label.name]),
                       make(.clusters, label.name, output.clusters[label.name])].compactMap { $0 }
        }
        return result
    }

    /// The `clusters` array of a computed layer's clustering with `k` clusters, once written to `path`.
    func clusterArrayRecord(layer: Int, record: ArrayRecord, k: Int, path: String, rows: Int, bytes: Int) -> ArrayRecord {
        ArrayRecord(model: request.model, kind: .clusters, layer: layer, task: Self.clusterTask(k: k), path: path, dtype: .float32,
                    rows: rows, cols: 1, bytes: bytes, params: AnalysisFingerprint.clusterArray(k: k, request: request, layer: record))
    }

    func summary(_ layers: [LayerAnalysis]) -> ModelAnalysis {
        var probeSplit: ProbeSplitSummary?
        if case .success(let split) = split {
            probeSplit = ProbeSplitSummary(testSpeakers: split.testSpeakers, trainSpeakerCount: split.trainSpeakerCount,
                                           stratifiedBy: split.stratifiedBy)
        }
        return ModelAnalysis(model: request.model, pca: request.pcaComponents, mode: request.svccaMode, labels: labels.map(\.name),
                             classes: Dictionary(labels.map { ($0.name, $0.classes) }, uniquingKeysWith: { $1 }),
                             tokens: tokens.count, probeSplit: probeSplit, layers: layers, clusters: request.clusters)
    }
}
