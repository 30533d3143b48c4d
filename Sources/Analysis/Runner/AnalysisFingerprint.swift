import Foundation
import Store

/// The parameters and input fingerprints a stored result was made with. A stored result is reused
/// only while both match exactly; anything else (a replaced layer, relabelled tokens, another k or
/// mode, a new algorithm version) makes it stale.
enum AnalysisFingerprint {
    /// Bumped when a computation changes, so older results are recomputed.
    static let version = 1

    static func parameters(_ kind: AnalysisKind, request: AnalysisRequest) -> String {
        var values: [String: JSONValue] = ["version": .int(version), "pca": .int(request.pcaComponents)]
        switch kind {
        case .pca:
            values["solver"] = .string(PCASolver.automatic.rawValue)
        case .svcca:
            values["mode"] = .string(request.svccaMode.rawValue)
            values["epsilon"] = .double(SVCCA.defaultEpsilon)
            values["threshold"] = .double(SVCCA.defaultThreshold)
        case .probe:
            values["C"] = .double(Probe.inverseRegularization)
            values["split"] = .string("speaker-fnv1a-\(Int(SpeakerSplit.testFraction * 100))")
        case .clusters:
            values.merge(clusterSettings(request.clusters), uniquingKeysWith: { $1 })
            values["k"] = .string(request.clusters?.count.description ?? "none")
        }
        return canonicalJSON(values)
    }

    /// Bumped when the k-means or the agreement measures change, so older clusterings are recomputed
    /// while other results stay valid.
    static let clustersVersion = 1

    /// What makes a clustering: the k-means settings (k aside).
    static func clusterSettings(_ request: ClusterRequest?) -> [String: JSONValue] {
        let options = KMeansOptions(clusters: 0)
        return ["kmeans": .int(clustersVersion), "restarts": .int(request?.restarts ?? options.restarts),
                "seed": .string(String(request?.seed ?? options.seed)), "max_iter": .int(options.maxIterations),
                "tol": .double(options.tolerance)]
    }

    /// The `params` of a layer's `clusters` array with `k` clusters: the settings, k, the PCA components
    /// and the layer's fingerprint, so a stored array is reused only for the same clustering.
    static func clusterArray(k: Int, request: AnalysisRequest, layer: ArrayRecord) -> String {
        var values = clusterSettings(request.clusters)
        values["k"] = .int(k)
        values["pca"] = .int(request.pcaComponents)
        values["version"] = .int(version)
        values["layer"] = .string(self.layer(layer))
        return canonicalJSON(values)
    }

    /// The layer array as registered: replacing it changes the path or the creation time.
    static func layer(_ record: ArrayRecord) -> String {
        "\(record.path)|\(record.bytes)|\(record.createdAt)|\(record.rows)x\(record.cols)|\(record.dtype.rawValue)"
    }

    /// A label's classes and per-token codes.
    static func label(_ column: LabelColumn) -> String {
        var hasher = FNV1a()
        hasher.add(column.name)
        for name in column.classes { hasher.add(name) }
        column.codes.withUnsafeBytes { hasher.add($0) }
        return hasher.hex
    }

    /// Who speaks each token and which speakers the split holds out.
    static func speakers(_ tokens: TokenTable, split: SpeakerSplit) -> String {
        var hasher = FNV1a()
        for speaker in tokens.utteranceSpeakers { hasher.add(speaker) }
        tokens.utterance.withUnsafeBytes { hasher.add($0) }
        for speaker in split.testSpeakers { hasher.add(speaker) }
        return hasher.hex
    }

    static func inputs(_ kind: AnalysisKind, layer: String, label: String?, speakers: String?) -> String {
        var parts = ["layer=\(layer)"]
        if let label { parts.append("label=\(label)") }
        if kind == .probe, let speakers { parts.append("speakers=\(speakers)") }
        return parts.joined(separator: ";")
    }

    enum JSONValue { case int(Int), double(Double), string(String) }

    static func canonicalJSON(_ values: [String: JSONValue]) -> String {
        let body = values.sorted { $0.key < $1.key }.map { key, entry -> String in
            let value: String
            switch entry {
            case .int(let n): value = String(n)
            case .double(let x): value = "\(x)"
            case .string(let s): value = quoted(s)
            }
            return "\"\(key)\":\(value)"
        }
        return "{" + body.joined(separator: ",") + "}"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

/// 64-bit FNV-1a over a stream of strings and bytes (strings are terminated so "ab","c" ≠ "a","bc").
struct FNV1a {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }

    mutating func add(_ text: String) {
        var copy = text + "\u{0}"
        copy.withUTF8 { add(UnsafeRawBufferPointer($0)) }
    }

    var hex: String { String(value, radix: 16) }
}
