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
            let ended = Result { try Explorer.run(options, runners: StandardRunners.all) }
            // Once the engine has used BLAS from its own thread, OpenBLAS's exit-time destructor can
            // deadlock joining its worker threads (Debian's 0.3.21), and the shell would never get its
            // prompt back. By now the terminal is restored and every store write is committed or was
            // never visible (atomic), so end the process without running exit handlers.
            if case .failure(let error) = ended {
                FileHandle.standardError.write(Data("layerscope: \(error)\n".utf8))
                fflush(nil)
                _exit(1)
            }
            fflush(nil)
            _exit(0)
        }
    }
}
