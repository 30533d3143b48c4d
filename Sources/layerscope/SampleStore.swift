import Foundation
import Store

/// Finds the sample store that ships in sample-data/.
enum SampleStore {
    static let relativePath = "sample-data/sample.layerstore"

    static func locate() throws -> URL {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["LAYERSCOPE_SAMPLE"] {
            candidates.append(URL(fileURLWithPath: override))
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relativePath))
        // From .build/<configuration>/layerscope back up to the checkout.
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent(relativePath))
            folder = folder.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: EmbeddingStore.isStore) else {
            throw StoreError(relativePath, "the bundled sample store was not found; run layerscope from the checkout, or give a store")
        }
        return found
    }
}
