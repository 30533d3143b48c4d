import ArgumentParser
import Foundation
import Numerics
import Store

extension Layerscope {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import embeddings (.npy / .npz) and a token table into a new or existing store.",
            discussion: """
                Layer arrays: per-layer .npy files (tokens × dim) in layer order — or named L07.npy / layer_7.npy —, \
                one stacked .npy (layers × tokens × dim), or an .npz with layer_0…layer_N or hidden_states.
                """)

        @Option(help: "The store to create or add to (NAME.layerstore).")
        var out: String

        @Option(help: "Token table (TSV or CSV): utterance, speaker, start, end [, frame], then label columns. Required for a new store.")
        var tokens: String?

        @Option(help: "The model's name in the store.")
        var model: String

        @Argument(help: "Layer arrays: .npy or .npz files.")
        var files: [String]

        @Option(help: "Element type to store: float16 or float32.")
        var dtype: ScalarType = .float16

        @Flag(help: "Import rows holding NaN or infinity instead of refusing them.")
        var allowNonfinite = false

        @Option(help: "Framewise task outputs: TASK=PATH.npz, one frames × classes array per utterance id.")
        var frames: [KeyValue] = []

        @Option(help: "Class names of a task's frames: TASK=a,b,c (when the .npz has no __classes__).")
        var classes: [KeyValue] = []

        @Option(help: "The model's total number of layers, when the files hold only some.")
        var layerCount: Int?

        @Flag(help: "Replace layers the model already has in the store.")
        var replace = false

        @Option(help: "Store metadata to record: KEY=VALUE.")
        var meta: [KeyValue] = []

        func run() throws {
            var request = ImportRequest(store: fileURL(out), tokensFile: tokens.map(fileURL), model: model,
                                        arrayFiles: files.map(fileURL))
            request.dtype = dtype
            request.allowNonfinite = allowNonfinite
            request.frames = frames.map { ($0.key, fileURL($0.value)) }
            request.classes = Dictionary(classes.map { ($0.key, $0.value.split(separator: ",").map(String.init)) },
                                         uniquingKeysWith: { $1 })
            request.layerCount = layerCount
            request.replace = replace
            request.meta = Dictionary(meta.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
            let started = Date()
            let summary = try Importer.run(request)
            let seconds = Date().timeIntervalSince(started)
            let tasks = summary.tasks.isEmpty ? "" : ", frames for \(summary.tasks.joined(separator: ", "))"
            print("\(summary.createdStore ? "created" : "updated") \(out): model \(summary.model), "
                  + "\(summary.layers.count) layers × \(summary.tokens) tokens × \(summary.dim) (\(summary.dtype.rawValue))\(tasks); "
                  + "\(StoreInfo.bytes(summary.bytesWritten)) in \(String(format: "%.2f", seconds)) s")
        }
    }
}
