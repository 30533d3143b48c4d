import ArgumentParser
import Foundation
import Store

extension Layerscope {
    struct Explore: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Browse a store in the terminal (the bundled sample store by default).")

        @Argument(help: "The store folder; the bundled sample store when omitted.")
        var store: String?

        @Option(help: "The model to show first.")
        var model: String?

        @Option(help: "The layer to show first.")
        var layer: Int?

        @Option(help: "The label to colour by first.")
        var colorBy: String?

        @Option(help: "A theme in themes/ (dark, light, okabe-ito).")
        var theme: String?

        func run() throws {
            let url = try store.map(fileURL) ?? SampleStore.locate()
            // The terminal explorer arrives with the TerminalUI module; until then, describe the store.
            print(try StoreInfo.read(url).text())
        }
    }
}
