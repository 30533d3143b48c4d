import Analysis
import Foundation
import Store

/// UMAP jobs through the Analysis module's `UMAPRunner`: the layout of one layer on its PCA
/// features, started from the nearest layer whose layout is stored (so clusters stay in place while
/// the user scrubs layers), its frames published while it runs, written as `umap-Lnn.npy`.
public struct UMAPJobRunner: JobRunner {
    public let kinds: Set<JobKind> = [.umap]

    public init() {}

    /// Any stored layout of the layer counts: the explorer shows whatever layout the store has.
    public func isStored(_ key: JobKey, in store: EmbeddingStore) throws -> Bool {
        try UMAPRunner(store: store).stored(model: key.model, layer: key.layer) != nil
    }

    public func run(_ key: JobKey, in store: EmbeddingStore, context: JobContext) throws {
        let runner = UMAPRunner(store: store)
        let stored = Set(try store.arrays(model: key.model, kind: .umap).map(\.layer))
        // The nearest stored layer, the one below on a tie (layouts grow outwards from layer 0).
        let alignTo = stored.filter { $0 != key.layer }.min { (abs($0 - key.layer), $0) < (abs($1 - key.layer), $1) }
        _ = try runner.layout(model: key.model, layer: key.layer, alignTo: alignTo, progress: { frame in
            let fraction = frame.totalEpochs > 0 ? Double(frame.epoch) / Double(frame.totalEpochs) : 0
            context.report(0.1 + 0.9 * fraction, frame.stage.rawValue)
            if frame.stage != .finished { context.publish(layout: frame.coordinates.storage, fraction: fraction) }
        }, isCancelled: { context.isCancelled })
    }
}
