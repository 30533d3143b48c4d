import ArgumentParser
import Foundation
import Numerics
import SpeechModel

extension Layerscope {
    struct Embed: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a wav2vec2 checkpoint on one audio file: hidden states (layers × frames × dim) and framewise logits as float32 .npy.",
            discussion: """
                The audio (WAV, FLAC, OGG, …) is mixed to mono and resampled to the model's rate. With several \
                heads, --logits L.npy writes L-<task>.npy per task; with one head (or --task) it writes L.npy.
                """)

        @Option(help: "A HuggingFace wav2vec2 checkpoint folder (config.json, model.safetensors).")
        var checkpoint: String

        @Argument(help: "The audio file.")
        var audio: String

        @Option(help: "Where to write the hidden states: layers × frames × dim, float32.")
        var out: String

        @Option(help: "Hidden states to write: A-B or one number (default: all, 0 to L).")
        var layers: LayerRange?

        @Option(help: "Where to write framewise logits (frames × classes, float32).")
        var logits: String?

        @Option(help: "Write only this task's logits (to the --logits path itself).")
        var task: String?

        @Flag(help: "Print what was written as JSON.")
        var json = false

        func run() throws {
            ComputeThreads.configureBLAS()
            let summary = try EmbedJob.run(EmbedRequest(
                checkpoint: fileURL(checkpoint), audio: fileURL(audio), out: fileURL(out), layers: layers?.range,
                logits: logits.map(fileURL), task: task))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
                return
            }
            let h = summary.hidden
            print("wrote hidden states \(h.layers[0])-\(h.layers[1]) (\(h.shape.map(String.init).joined(separator: " × "))) to \(h.path)")
            for file in summary.logits {
                print("wrote \(file.task) logits (\(file.shape[0]) × \(file.shape[1]): \(file.labels.joined(separator: ", "))) to \(file.path)")
            }
        }
    }
}
