import ArgumentParser
import Engine
import Foundation
import Store
import TerminalUI

extension Layerscope {
    struct Explore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Browse a store in the terminal (the bundled sample store by default).",
            discussion: """
                The sample store is explored through a writable copy in ${XDG_CACHE_HOME:-~/.cache}/layerscope/, \
                so what the engine computes is kept for the next start. Press ? in the explorer for every key.
                """)

        @Argument(help: "The store folder; the bundled sample store when omitted.")
        var store: String?

        @Option(help: "The model to show first.")
        var model: String?

        @Option(help: "The layer to show first.")
        var layer: Int?

        @Option(help: "The label to colour by first.")
        var colorBy: String?

        @Option(help: "A theme in themes/ (dark, light, okabe-ito) or a path to a theme .toml file.")
        var theme: String?

        func run() throws {
            let url: URL
            let name: String
            if let store {
                url = fileURL(store)
                name = url.lastPathComponent
            } else {
                let bundled = try SampleStore.locate()
                url = try SampleCopy.writableCopy(of: bundled)
                name = bundled.lastPathComponent
            }
            let options = ExploreOptions(store: url, displayName: name, model: model, layer: layer, colorBy: colorBy, theme: theme)
            try Explorer.run(options, runners: StandardRunners.all)
        }
    }
}
