import Extraction
import Foundation
import Store

/// Computes a layer the store lacks (`.extract` jobs) from the sources extraction recorded — the
/// model's checkpoint and each utterance's audio — through Extraction's `LayerFiller`. The model
/// runs only up to the layer; every missing layer below it is kept on the way, as they cost no
/// further model time. When the sources are gone, the job is unavailable and says what is missing.
public struct ExtractLayerRunner: JobRunner {
    public let kinds: Set<JobKind> = [.extract]
    let environment: ExtractionEnvironment

    public init(environment: ExtractionEnvironment = .standard) {
        self.environment = environment
    }

    public func isStored(_ key: JobKey, in store: EmbeddingStore) throws -> Bool {
        try store.presentLayers(model: key.model).contains(key.layer)
    }

    public func run(_ key: JobKey, in store: EmbeddingStore, context: JobContext) throws {
        if case .missing(let what) = LayerFiller.availability(store: store, model: key.model) {
            throw JobUnavailable("layer \(key.layer) of \(key.model) is not in the store and cannot be computed: \(what)")
        }
        let present = Set(try store.presentLayers(model: key.model))
        let layers = (0...key.layer).filter { !present.contains($0) }
        try LayerFiller.fill(store: store, model: key.model, layers: layers, environment: environment,
                             progress: { fraction, utterance in context.report(fraction, utterance) },
                             checkCancelled: { try context.checkCancelled() })
    }
}
