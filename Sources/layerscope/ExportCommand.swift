import ArgumentParser
import Foundation
import Store

extension Layerscope {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write tokens.tsv (store row order) and one float32 L<n>.npy per layer to a folder.")

        @Argument(help: "The store folder.")
        var store: String

        @Option(help: "The folder to write into (created if needed).")
        var out: String

        @Option(help: "The model to export (needed when the store has several).")
        var model: String?

        @Option(help: "Layers to export: A-B or one number.")
        var layers: LayerRange?

        func run() throws {
            let summary = try Exporter.run(ExportRequest(store: fileURL(store), out: fileURL(out), model: model,
                                                         layers: layers?.range))
            print("exported \(summary.tokens) tokens and layers \(summary.layers.map(String.init).joined(separator: ", ")) of \(summary.model) to \(out)")
            if !summary.missing.isEmpty {
                FileHandle.standardError.write(Data("layerscope: not in the store, so not exported: layers \(summary.missing.map(String.init).joined(separator: ", "))\n".utf8))
            }
        }
    }
}
