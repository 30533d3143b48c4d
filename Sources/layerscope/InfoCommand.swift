import ArgumentParser
import Foundation
import Store

extension Layerscope {
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a store's models, layers, tokens, labels, analyses and size.")

        @Argument(help: "The store folder (NAME.layerstore).")
        var store: String

        @Flag(help: "Print the report as JSON (stable; see the README).")
        var json = false

        func run() throws {
            let info = try StoreInfo.read(fileURL(store))
            print(json ? try info.json() : info.text())
        }
    }
}
