import Foundation
import Store

/// The tensors of a checkpoint directory (`model.safetensors`, or the shards that
/// `model.safetensors.index.json` lists), looked up by transformers' names and checked against the
/// shapes config.json implies. Used only while a model loads.
final class CheckpointWeights {
    let directory: URL
    /// "wav2vec2." when the base model sits under a head model's prefix (as in
    /// `Wav2Vec2ForAudioFrameClassification`), "" for a bare `Wav2Vec2Model`.
    let basePrefix: String
    private var located: [String: (file: SafeTensorsFile, entry: SafeTensorsEntry)] = [:]
    private var used = Set<String>()

    /// Tensors a checkpoint may hold that inference never reads: pre-training and CTC heads, the
    /// SpecAugment mask vector.
    static let ignoredPrefixes = ["quantizer.", "project_hid.", "project_q.", "lm_head.", "dropout."]
    static let ignoredNames = ["masked_spec_embed"]

    init(directory: URL) throws {
        self.directory = directory
        let single = directory.appendingPathComponent("model.safetensors")
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        var files: [SafeTensorsFile] = []
        if FileManager.default.fileExists(atPath: single.path) {
            files = [try SafeTensorsFile(url: single)]
        } else if FileManager.default.fileExists(atPath: index.path) {
            files = try Self.shards(index: index).map { try SafeTensorsFile(url: directory.appendingPathComponent($0)) }
        } else {
            let hasBin = FileManager.default.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin").path)
            throw StoreError(directory, "no model.safetensors" + (hasBin
                ? " (only pytorch_model.bin, which layerscope cannot read: re-save the model with transformers' save_pretrained, which writes safetensors)"
                : ""))
        }
        for file in files {
            for (name, entry) in file.entries { located[name] = (file, entry) }
        }
        basePrefix = located.keys.contains { $0.hasPrefix("wav2vec2.") } ? "wav2vec2." : ""
    }

    private static func shards(index: URL) throws -> [String] {
        struct Index: Decodable { var weight_map: [String: String] }
        let data: Data
        do { data = try Data(contentsOf: index) } catch { throw StoreError(index, "cannot be read") }
        let map = try decodeJSON(Index.self, from: data, file: index.path).weight_map
        for name in Set(map.values) where name.contains("/") || name.hasPrefix(".") {
            throw StoreError(index, "shard \"\(name)\" must be a file name in the checkpoint folder")
        }
        return Set(map.values).sorted()
    }

    /// Whether the checkpoint holds `name` (a full name, prefix included).
    func contains(_ name: String) -> Bool { located[name] != nil }

    /// The base model's tensor `name` (the "wav2vec2." prefix added when the checkpoint has one).
    func base(_ name: String, _ shape: [Int]) throws -> FloatTensor {
        try tensor(basePrefix + name, shape)
    }

    /// Whether the base model's tensor `name` is present.
    func hasBase(_ name: String) -> Bool { contains(basePrefix + name) }

    /// The tensor `name` as float32, after checking its shape.
    func tensor(_ name: String, _ shape: [Int]) throws -> FloatTensor {
        guard let (file, entry) = located[name] else {
            throw StoreError(directory.appendingPathComponent("model.safetensors"), "tensor '\(name)' is missing")
        }
        guard entry.shape == shape else {
            throw StoreError(file.url, "tensor '\(name)' has shape \(entry.shape); config.json implies \(shape)")
        }
        used.insert(name)
        return file.floats(entry)
    }

    /// Refuses tensors that neither inference read nor are known to be unneeded: they mean the
    /// checkpoint has parts (adapters, other heads) that layerscope would silently drop.
    func checkAllUsed() throws {
        let unknown = located.keys.filter { name in
            guard !used.contains(name) else { return false }
            let local = name.hasPrefix(basePrefix) ? String(name.dropFirst(basePrefix.count)) : name
            return !(Self.ignoredNames.contains(local) || Self.ignoredPrefixes.contains { name.hasPrefix($0) })
        }.sorted()
        if let first = unknown.first, let (file, _) = located[first] {
            let more = unknown.count > 1 ? " (and \(unknown.count - 1) more)" : ""
            throw StoreError(file.url, "tensor '\(first)'\(more) is not part of a wav2vec2 model layerscope can run")
        }
    }
}
