import Foundation
import Store

/// The architecture a checkpoint's config.json describes, checked against what layerscope can run.
/// Keys missing from the file take `transformers.Wav2Vec2Config`'s defaults (transformers 5.23).
public struct Wav2Vec2Config: Sendable, Equatable {
    /// How the convolutional feature encoder normalises (config key `feat_extract_norm`).
    public enum FeatureNorm: String, Sendable {
        /// Group norm (one group per channel) on the first convolution only: wav2vec2-base, libri960_big.
        case group
        /// Layer norm over channels after every convolution: the large-lv60 family.
        case layer
    }

    public let hiddenSize: Int
    /// Transformer layers L; there are L + 1 hidden states.
    public let layerCount: Int
    public let attentionHeads: Int
    public let intermediateSize: Int
    public let layerNormEpsilon: Float
    public let featureNorm: FeatureNorm
    public let convDims: [Int]
    public let convKernels: [Int]
    public let convStrides: [Int]
    public let convBias: Bool
    public let positionalConvKernel: Int
    public let positionalConvGroups: Int
    /// Pre-LN layers and a final encoder layer norm (`do_stable_layer_norm`).
    public let stableLayerNorm: Bool
    /// The classifier reads a softmax-weighted sum of all hidden states (`use_weighted_layer_sum`).
    public let useWeightedLayerSum: Bool
    /// Whether hidden state L is the encoder's output after its final layer norm (`tie_last_hidden_states`;
    /// false by default in transformers 5.23, so stable-layer-norm models report the last layer's raw output).
    public let tieLastHiddenState: Bool
    /// The model class the checkpoint was saved from (`architectures[0]`), if named.
    public let architecture: String?
    /// `id2label` in index order, for a `Wav2Vec2ForAudioFrameClassification` classifier.
    public let classifierLabels: [String]
    /// The tasks of layerscope's multi-task heads (config key `layerscope`), in file order.
    public let tasks: [FrameTask]

    /// The model classes whose weights layerscope knows how to read.
    public static let supportedArchitectures = [
        "Wav2Vec2Model", "Wav2Vec2ForPreTraining", "Wav2Vec2ForCTC", "Wav2Vec2ForAudioFrameClassification",
        "LayerscopeWav2Vec2ForFrameClassification",
    ]

    /// The version of the `layerscope` heads key this code reads (docs/SPEECHMODEL.md).
    public static let headsFormatVersion = 1

    /// Reads and checks `url` (a config.json).
    public static func load(_ url: URL) throws -> Wav2Vec2Config {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StoreError(url, "cannot be read: \(error.localizedDescription)")
        }
        return try Wav2Vec2Config(json: data, file: url.path)
    }

    /// Parses and checks config.json's bytes; `file` names it in errors.
    public init(json: Data, file: String) throws {
        let raw = try decodeJSON(RawConfig.self, from: json, file: file)
        func refuse(_ key: String, _ problem: String) -> StoreError { StoreError(file, "key '\(key)': \(problem)") }

        guard let modelType = raw.model_type else { throw refuse("model_type", "missing; expected \"wav2vec2\"") }
        guard modelType == "wav2vec2" else {
            throw refuse("model_type", "is \"\(modelType)\"; layerscope runs wav2vec2 checkpoints only")
        }
        architecture = raw.architectures?.first
        if let architecture, !Self.supportedArchitectures.contains(architecture) {
            throw refuse("architectures", "\(architecture) is not supported; layerscope reads "
                         + Self.supportedArchitectures.joined(separator: ", "))
        }
        if raw.add_adapter == true { throw refuse("add_adapter", "adapters are not supported") }
        if raw.adapter_attn_dim != nil { throw refuse("adapter_attn_dim", "attention adapters are not supported") }
        for (key, value) in [("hidden_act", raw.hidden_act), ("feat_extract_activation", raw.feat_extract_activation)] {
            if let value, !["gelu", "gelu_python"].contains(value) {
                throw refuse(key, "activation \"\(value)\" is not supported (only the exact \"gelu\")")
            }
        }

        hiddenSize = try positive(raw.hidden_size ?? 768, "hidden_size", file)
        layerCount = try nonNegative(raw.num_hidden_layers ?? 12, "num_hidden_layers", file)
        attentionHeads = try positive(raw.num_attention_heads ?? 12, "num_attention_heads", file)
        intermediateSize = try positive(raw.intermediate_size ?? 3072, "intermediate_size", file)
        guard hiddenSize % attentionHeads == 0 else {
            throw refuse("num_attention_heads", "\(attentionHeads) does not divide hidden_size \(hiddenSize)")
        }
        let epsilon = raw.layer_norm_eps ?? 1e-5
        guard epsilon > 0, epsilon.isFinite else { throw refuse("layer_norm_eps", "must be a positive number") }
        layerNormEpsilon = Float(epsilon)

        let norm = raw.feat_extract_norm ?? "group"
        guard let featureNorm = FeatureNorm(rawValue: norm) else {
            throw refuse("feat_extract_norm", "is \"\(norm)\"; expected \"group\" or \"layer\"")
        }
        self.featureNorm = featureNorm
        convDims = raw.conv_dim ?? [512, 512, 512, 512, 512, 512, 512]
        convKernels = raw.conv_kernel ?? [10, 3, 3, 3, 3, 2, 2]
        convStrides = raw.conv_stride ?? [5, 2, 2, 2, 2, 2, 2]
        guard !convDims.isEmpty, convKernels.count == convDims.count, convStrides.count == convDims.count else {
            throw refuse("conv_dim", "conv_dim, conv_kernel and conv_stride must have the same, non-zero length "
                         + "(found \(convDims.count), \(convKernels.count), \(convStrides.count))")
        }
        for (key, values) in [("conv_dim", convDims), ("conv_kernel", convKernels), ("conv_stride", convStrides)]
        where values.contains(where: { $0 <= 0 }) {
            throw refuse(key, "values must be positive, found \(values)")
        }
        if let layers = raw.num_feat_extract_layers, layers != convDims.count {
            throw refuse("num_feat_extract_layers", "is \(layers) but conv_dim has \(convDims.count) entries")
        }
        convBias = raw.conv_bias ?? false
        positionalConvKernel = try positive(raw.num_conv_pos_embeddings ?? 128, "num_conv_pos_embeddings", file)
        positionalConvGroups = try positive(raw.num_conv_pos_embedding_groups ?? 16, "num_conv_pos_embedding_groups", file)
        guard hiddenSize % positionalConvGroups == 0 else {
            throw refuse("num_conv_pos_embedding_groups", "\(positionalConvGroups) does not divide hidden_size \(hiddenSize)")
        }
        stableLayerNorm = raw.do_stable_layer_norm ?? false
        useWeightedLayerSum = raw.use_weighted_layer_sum ?? false
        tieLastHiddenState = raw.tie_last_hidden_states ?? false

        if let version = raw.layerscope?.version, version > Self.headsFormatVersion {
            throw refuse("layerscope.version", "version \(version) is newer than this layerscope reads (\(Self.headsFormatVersion))")
        }
        classifierLabels = try labelList(raw.id2label ?? [:], key: "id2label", file: file)
        tasks = try (raw.layerscope?.tasks ?? []).enumerated().map { index, task in
            try FrameTask(raw: task, index: index, file: file)
        }
        var seen = Set<String>()
        for task in tasks where !seen.insert(task.name).inserted {
            throw refuse("layerscope", "task \"\(task.name)\" is named twice")
        }
    }

    /// Frames the feature encoder makes from `samples` input samples (0 when too short for one frame).
    public func frameCount(samples: Int) -> Int {
        var length = samples
        for (kernel, stride) in zip(convKernels, convStrides) {
            guard length >= kernel else { return 0 }
            length = (length - kernel) / stride + 1
        }
        return length
    }

    /// The fewest input samples that make one frame (the feature encoder's receptive field).
    public var minimumSamples: Int {
        var needed = 1
        for (kernel, stride) in zip(convKernels, convStrides).reversed() { needed = (needed - 1) * stride + kernel }
        return needed
    }
}

/// One classification task of a checkpoint's framewise heads: its name and class labels in index order.
public struct FrameTask: Sendable, Equatable {
    public let name: String
    public let labels: [String]

    public init(name: String, labels: [String]) {
        self.name = name
        self.labels = labels
    }

    init(raw: RawTask, index: Int, file: String) throws {
        let key = "layerscope.tasks[\(index)]"
        guard !raw.name.isEmpty, raw.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw StoreError(file, "key '\(key).name': \"\(raw.name)\" must be letters, digits, '_' or '-'")
        }
        name = raw.name
        labels = try labelList(raw.id2label, key: "\(key).id2label", file: file)
        guard !labels.isEmpty else { throw StoreError(file, "key '\(key).id2label': a task needs at least one class") }
    }
}

/// Turns an `id2label` object ({"0": "a", "1": "b"}) into labels in index order; ids must be 0..<n.
private func labelList(_ id2label: [String: String], key: String, file: String) throws -> [String] {
    var labels = [String?](repeating: nil, count: id2label.count)
    for (id, label) in id2label {
        guard let index = Int(id), index >= 0, index < id2label.count, labels[index] == nil else {
            throw StoreError(file, "key '\(key)': ids must be 0 to \(id2label.count - 1), found \"\(id)\"")
        }
        labels[index] = label
    }
    return labels.compactMap { $0 }
}

private func positive(_ value: Int, _ key: String, _ file: String) throws -> Int {
    guard value > 0 else { throw StoreError(file, "key '\(key)': must be positive, found \(value)") }
    return value
}

private func nonNegative(_ value: Int, _ key: String, _ file: String) throws -> Int {
    guard value >= 0 else { throw StoreError(file, "key '\(key)': must not be negative, found \(value)") }
    return value
}

/// Decodes JSON into `type`, turning decoding failures into one-line messages that name the key.
func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws -> T {
    do {
        return try JSONDecoder().decode(type, from: data)
    } catch let error as DecodingError {
        throw StoreError(file, describe(error))
    } catch {
        throw StoreError(file, "not valid JSON: \(error.localizedDescription)")
    }
}

private func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
    func oneLine(_ text: String) -> String { text.split(whereSeparator: \.isNewline).joined(separator: " ") }
    switch error {
    case .typeMismatch(let type, let context):
        return "key '\(path(context))': expected \(typeName(type)) (\(oneLine(context.debugDescription)))"
    case .valueNotFound(let type, let context):
        return "key '\(path(context))': expected \(typeName(type)), found null"
    case .keyNotFound(let key, let context):
        let parent = path(context)
        return "key '\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)': missing"
    case .dataCorrupted(let context):
        let underlying = (context.underlyingError as NSError?)?.localizedDescription
        let location = path(context)
        return (location.isEmpty ? "not valid JSON" : "key '\(location)': invalid value")
            + ": \(oneLine(underlying ?? context.debugDescription))"
    @unknown default:
        return "not valid JSON"
    }
}

private func typeName(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type: "an integer"
    case is Double.Type, is Float.Type: "a number"
    case is Bool.Type: "true or false"
    case is String.Type: "a string"
    default: "\(type)"
    }
}

/// config.json as transformers writes it; only the keys layerscope reads or must refuse.
struct RawConfig: Decodable {
    var model_type: String?
    var architectures: [String]?
    var hidden_size: Int?
    var num_hidden_layers: Int?
    var num_attention_heads: Int?
    var intermediate_size: Int?
    var hidden_act: String?
    var layer_norm_eps: Double?
    var feat_extract_norm: String?
    var feat_extract_activation: String?
    var conv_dim: [Int]?
    var conv_kernel: [Int]?
    var conv_stride: [Int]?
    var conv_bias: Bool?
    var num_feat_extract_layers: Int?
    var num_conv_pos_embeddings: Int?
    var num_conv_pos_embedding_groups: Int?
    var do_stable_layer_norm: Bool?
    var use_weighted_layer_sum: Bool?
    var tie_last_hidden_states: Bool?
    var add_adapter: Bool?
    var adapter_attn_dim: Int?
    var id2label: [String: String]?
    var layerscope: RawLayerscope?
}

/// config.json's `layerscope` key: the tasks of multi-task framewise heads.
struct RawLayerscope: Decodable {
    var version: Int?
    var tasks: [RawTask]
}

/// One entry of `layerscope.tasks`.
struct RawTask: Decodable {
    var name: String
    var id2label: [String: String]
}
