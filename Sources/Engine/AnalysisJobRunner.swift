import Analysis
import Foundation
import Store

/// SVCCA, probe and clusters jobs through the Analysis module's `AnalysisRunner`, one layer per job (the
/// request's default parameters: PCA 100, standard SVCCA; k-means with k = each label's classes). The runner saves each finished layer in
/// the store and reuses what is there, so a job whose results are fresh finishes at once.
public struct AnalysisJobRunner: JobRunner {
    public let kinds: Set<JobKind> = [.svcca, .probe, .clusters]

    public init() {}

    func request(_ key: JobKey) -> AnalysisRequest {
        AnalysisRequest(model: key.model, layers: key.layer...key.layer, probe: key.kind == .probe,
                        clusters: key.kind == .clusters ? ClusterRequest() : nil)
    }

    public func isStored(_ key: JobKey, in store: EmbeddingStore) throws -> Bool {
        try AnalysisRunner(store: store).pendingLayers(request(key)).isEmpty
    }

    public func run(_ key: JobKey, in store: EmbeddingStore, context: JobContext) throws {
        _ = try AnalysisRunner(store: store).run(request(key), progress: { progress in
            context.report(Self.fraction(progress.stage), progress.stage.rawValue)
        }, isCancelled: { context.isCancelled })
    }

    /// How far a layer is at each step (reading the rows is most of the work).
    static func fraction(_ stage: AnalysisProgress.Stage) -> Double {
        switch stage {
        case .reading: 0.05
        case .projecting: 0.6
        case .svcca: 0.7
        case .probe: 0.8
        case .clusters: 0.8
        case .done: 1
        }
    }
}
