import Foundation
import Testing
@testable import SpeechModel

/// Malformed or unsupported checkpoints give one clear error naming the file and the key or
/// tensor, never a crash; the supported variations (shards, CTC heads) load.
@Suite struct CheckpointTests {
    /// Loads `directory` and returns the error's text, or nil when it loaded.
    func loadError(_ directory: URL) -> String? {
        do {
            _ = try Wav2Vec2Model.load(directory: directory)
            return nil
        } catch {
            return "\(error)"
        }
    }

    func editConfig(_ directory: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = directory.appendingPathComponent("config.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
    }

    @Test func missingTensorIsNamed() throws {
        let folder = try TemporaryFolder()
        let directory = try folder.copyCheckpoint("group-postln")
        try SafeTensorsEditor(directory).removing("encoder.layers.1.attention.k_proj.weight").write()
        #expect(loadError(directory) == directory.path + "/model.safetensors: tensor 'encoder.layers.1.attention.k_proj.weight' is missing")
    }

    @Test func wrongShapeIsNamed() throws {
        let folder = try TemporaryFolder()
        let directory = try folder.copyCheckpoint("group-postln")
        try SafeTensorsEditor(directory).reshaping("encoder.layer_norm.weight", to: [16, 2]).write()
        #expect(loadError(directory) == directory.path + "/model.safetensors: tensor 'encoder.layer_norm.weight' has shape [16, 2]; config.json implies [32]")
    }

    @Test(arguments: [3, 100, 20_000])
    func truncatedFileIsRefused(_ keep: Int) throws {
        let folder = try TemporaryFolder()
        let directory = try folder.copyCheckpoint("group-postln")
        let url = directory.appendingPathComponent("model.safetensors")
        try Data(try Data(contentsOf: url).prefix(keep)).write(to: url)
        let message = try #require(loadError(directory))
        #expect(message.hasPrefix(url.path + ": truncated"), "\(message)")
    }

    @Test func corruptHeaderIsRefused() throws {
        let folder = try TemporaryFolder()
        let directory = try folder.copyCheckpoint("group-postln")
        let url = directory.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: url)
        bytes[9] = UInt8(ascii: "#")
        try bytes.write(to: url)
        #expect(loadError(directory) == url.path + ": the safetensors header is not valid JSON")
        try SafeTensorsEditor(entries: [("x", "F32", [4], Data(count: 12))]).write(to: url)
        #expect(loadError(directory) == url.path + ": tensor 'x': data_offsets [0, 12] do not hold shape [4] of F32")
        try SafeTensorsEditor(entries: [("x", "I64", [1], Data(count: 8))]).write(to: url)
        #expect(loadError(directory) == url.path + ": tensor 'x': dtype I64 is not supported (F32, F16, BF16, F64)")
    }

    @Test func badConfigJSONIsRefused() throws {
        let folder = try TemporaryFolder()
        let directory = try folder.copyCheckpoint("group-postln")
        let url = directory.appendingPathComponent("config.json")
        try Data("{\"model_type\": \"wav2vec2\", \"hidden_size\": ".utf8).write(to: url)
        let message = try #require(loadError(directory))
        #expect(message.hasPrefix(url.path + ": not valid JSON"), "\(message)")
        #expect(!message.contains("\n"))
        try Data("{\"model_type\": \"wav2vec2\", \"hidden_size\": \"big\"}".utf8).write(to: url)
        #expect(loadError(directory)?.hasPrefix(url.path + ": key 'hidden_size': expected an integer") == true)
        try FileManager.default.removeItem(at: url)
        #expect(loadError(directory) == url.path + ": is missing")
    }

    /// Each unsupported setting is refused by the key that asks for it.
    @Test(arguments: [
        ("model_type", "\"hubert\"", "key 'model_type': is \"hubert\"; layerscope runs wav2vec2 checkpoints only"),
        ("add_adapter", "true", "key 'add_adapter': adapters are not supported"),
        ("adapter_attn_dim", "16", "key 'adapter_attn_dim': attention adapters are not supported"),
        ("hidden_act", "\"relu\"", "key 'hidden_act': activation \"relu\" is not supported (only the exact \"gelu\")"),
        ("feat_extract_norm", "\"batch\"", "key 'feat_extract_norm': is \"batch\"; expected \"group\" or \"layer\""),
        ("num_attention_heads", "5", "key 'num_attention_heads': 5 does not divide hidden_size 32"),
        ("conv_kernel", "[10, 3]", "key 'conv_dim': conv_dim, conv_kernel and conv_stride must have the same, non-zero length (found 7, 2, 7)"),
        ("architectures", "[\"Wav2Vec2ForSequenceClassification\"]",
         "key 'architectures': Wav2Vec2ForSequenceClassification is not supported; layerscope reads "
            + Wav2Vec2Config.supportedArchitectures.joined(separator: ", ")),
    ])
    func unsupportedConfigIsRefusedByKey(_ change: (key: String, json: String, message: String)) throws {
        let folder = try TemporaryFolder()
        let directory = try folder.copyCheckpoint("group-postln")
        let value = try JSONSerialization.jsonObject(with: Data(change.json.utf8), options: .fragmentsAllowed)
        try editConfig(directory) { $0[change.key] = value }
        #expect(loadError(directory) == directory.appendingPathComponent("config.json").path + ": " + change.message)
    }

    @Test func unknownTensorIsRefused() throws {
        let folder = try TemporaryFolder()
        let directory = try folder.copyCheckpoint("group-postln")
        try SafeTensorsEditor(directory).adding("adapter.layers.0.conv.weight", shape: [2, 2]).write()
        #expect(loadError(directory) == directory.path + "/model.safetensors: tensor 'adapter.layers.0.conv.weight' is not part of a wav2vec2 model layerscope can run")
    }

    @Test func pytorchBinOnlyIsExplained() throws {
        let folder = try TemporaryFolder()
        let directory = try folder.copyCheckpoint("group-postln")
        try FileManager.default.moveItem(at: directory.appendingPathComponent("model.safetensors"),
                                         to: directory.appendingPathComponent("pytorch_model.bin"))
        #expect(loadError(directory)?.hasPrefix(directory.path + ": no model.safetensors (only pytorch_model.bin") == true)
    }

    @Test func taskLabelsAndNamesAreChecked() throws {
        let folder = try TemporaryFolder()
        let directory = try folder.copyCheckpoint("multitask")
        let config = directory.appendingPathComponent("config.json").path
        try editConfig(directory) { $0["layerscope"] = ["version": 1, "tasks": [["name": "to ne", "id2label": ["0": "a"]]]] }
        #expect(loadError(directory) == config + ": key 'layerscope.tasks[0].name': \"to ne\" must be letters, digits, '_' or '-'")
        try editConfig(directory) { $0["layerscope"] = ["version": 1, "tasks": [["name": "tone", "id2label": ["0": "a", "2": "b"]]]] }
        #expect(loadError(directory) == config + ": key 'layerscope.tasks[0].id2label': ids must be 0 to 1, found \"2\"")
        // Two labels in config.json, five rows in heads.tone.weight.
        try editConfig(directory) { $0["layerscope"] = ["version": 1, "tasks": [["name": "tone", "id2label": ["0": "a", "1": "b"]]]] }
        #expect(loadError(directory) == directory.path + "/model.safetensors: tensor 'heads.tone.weight' has shape [5, 24]; config.json implies [2, 24]")
        try editConfig(directory) { $0["layerscope"] = ["version": 2, "tasks": [] as [Any]] }
        #expect(loadError(directory) == config + ": key 'layerscope.version': version 2 is newer than this layerscope reads (1)")
    }

    /// A checkpoint split into shards by model.safetensors.index.json computes the same.
    @Test func shardedCheckpointLoads() throws {
        let folder = try TemporaryFolder()
        let directory = try folder.copyCheckpoint("frame-classifier")
        let editor = try SafeTensorsEditor(directory)
        let names = editor.entries.map(\.name).sorted()
        let (first, second) = (Array(names.prefix(names.count / 2)), Array(names.dropFirst(names.count / 2)))
        try editor.keeping(first).write(to: directory.appendingPathComponent("part-1.safetensors"))
        try editor.keeping(second).write(to: directory.appendingPathComponent("part-2.safetensors"))
        try FileManager.default.removeItem(at: directory.appendingPathComponent("model.safetensors"))
        var map: [String: String] = [:]
        for name in first { map[name] = "part-1.safetensors" }
        for name in second { map[name] = "part-2.safetensors" }
        try JSONSerialization.data(withJSONObject: ["metadata": [:] as [String: Any], "weight_map": map])
            .write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        let model = try Wav2Vec2Model.load(directory: directory)
        let audio = try AudioFile.readMono(try Fixture.audio("clip16k.wav"))
        let logits = try #require(try model.logits(audio)["classifier"])
        let expected = try Fixture.expected("frame-classifier-clip16k-logits-classifier").matrix
        #expect(relativeError(logits.storage, expected.storage) <= 1e-4)
    }

    /// A CTC checkpoint's lm_head is not a framewise classification head layerscope reports; the
    /// encoder under it loads and runs.
    @Test func ctcHeadIsIgnored() throws {
        let folder = try TemporaryFolder()
        let directory = try folder.copyCheckpoint("group-postln")
        try editConfig(directory) { $0["architectures"] = ["Wav2Vec2ForCTC"] }
        try SafeTensorsEditor(directory).adding("lm_head.weight", shape: [5, 32]).adding("lm_head.bias", shape: [5]).write()
        let model = try Wav2Vec2Model.load(directory: directory)
        #expect(model.heads.isEmpty)
    }

    /// Keys left out of config.json take transformers.Wav2Vec2Config's defaults (wav2vec2-base).
    @Test func missingKeysTakeTransformersDefaults() throws {
        let config = try Wav2Vec2Config(json: Data("{\"model_type\": \"wav2vec2\"}".utf8), file: "config.json")
        #expect(config.hiddenSize == 768 && config.layerCount == 12 && config.attentionHeads == 12)
        #expect(config.intermediateSize == 3072 && config.layerNormEpsilon == 1e-5)
        #expect(config.featureNorm == .group && !config.stableLayerNorm && !config.convBias)
        #expect(config.convDims == [512, 512, 512, 512, 512, 512, 512])
        #expect(config.convKernels == [10, 3, 3, 3, 3, 2, 2] && config.convStrides == [5, 2, 2, 2, 2, 2, 2])
        #expect(config.positionalConvKernel == 128 && config.positionalConvGroups == 16)
        // The standard stack: 400-sample receptive field, 320-sample hop (20 ms at 16 kHz).
        #expect(config.minimumSamples == 400 && config.frameCount(samples: 16000) == 49)
        #expect(config.frameCount(samples: 160_000) == 499)
    }

    @Test func tooShortAudioIsExplained() throws {
        let model = try Wav2Vec2Model.load(directory: try Fixture.checkpoint("group-postln"))
        #expect(model.config.minimumSamples == 400)
        #expect(model.frameCount(samples: 399) == 0 && model.frameCount(samples: 400) == 1)
        #expect { try model.forward([Float](repeating: 0.1, count: 399), layers: [0]) } throws: { error in
            "\(error)" == "too short: 399 samples; the model needs at least 400 (25 ms at 16000 Hz)"
        }
        #expect { try model.forward([Float](repeating: 0.1, count: 4000), layers: [4]) } throws: { error in
            "\(error)" == "layer 4 does not exist: the model has hidden states 0 to 3"
        }
    }
}
