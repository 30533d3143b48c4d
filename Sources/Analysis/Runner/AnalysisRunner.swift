import Foundation
import Numerics
import Store

/// Makes a store hold a model's PCA, SVCCA and probe results: computes what is missing or stale
/// (inputs or parameters changed, or `force`), saves each layer's results as soon as it is done, and
/// reuses the rest. Safe to call from any thread; cancellable between layers and steps; one instance
/// may serve several runs. The command line's `analyze` and the explorer's engine both call it.
public final class AnalysisRunner: Sendable {
    public let store: EmbeddingStore

    /// Also sets BLAS to the machine's cores (or `LAYERSCOPE_THREADS`).
    public init(store: EmbeddingStore) {
        self.store = store
        ComputeThreads.configureBLAS()
    }

    /// Runs `request`. `progress` hears every step (and each finished layer, stage `.done`);
    /// `isCancelled` is asked between layers and steps, and a cancelled run throws `CancellationError`
    /// after saving the layers it finished. Bad requests (unknown model or label, no such layers)
    /// throw `StoreError`; failures of one layer or label become failure cells instead.
    public func run(_ request: AnalysisRequest, progress: (AnalysisProgress) -> Void = { _ in },
                    isCancelled: () -> Bool = { Task.isCancelled }) throws -> ModelAnalysis {
        let plan = try AnalysisPlan(store: store, request: request)
        var layers: [LayerAnalysis] = []
        for layer in plan.layers {
            if isCancelled() { throw CancellationError() }
            let result = try analyse(layer, plan: plan, progress: { stage in
                progress(AnalysisProgress(model: request.model, layer: layer, stage: stage, finished: layers.count,
                                          total: plan.layers.count, result: nil))
            }, isCancelled: isCancelled)
            layers.append(result)
            progress(AnalysisProgress(model: request.model, layer: layer, stage: .done, finished: layers.count,
                                      total: plan.layers.count, result: result))
        }
        return plan.summary(layers)
    }

    /// What the store already holds for `request`, computing nothing: fresh cells as they are, stale or
    /// absent ones left out (a layer with nothing fresh has a `pca` failure "not computed yet").
    public func stored(_ request: AnalysisRequest) throws -> ModelAnalysis {
        let plan = try AnalysisPlan(store: store, request: request)
        return plan.summary(plan.layers.map { layer in
            plan.reusable(layer) ?? plan.partial(layer)
        })
    }

    /// The layers `run` would compute (rather than reuse) for `request`.
    public func pendingLayers(_ request: AnalysisRequest) throws -> [Int] {
        let plan = try AnalysisPlan(store: store, request: request)
        return plan.layers.filter { plan.reusable($0) == nil }
    }

    private func analyse(_ layer: Int, plan: AnalysisPlan, progress: (AnalysisProgress.Stage) -> Void,
                         isCancelled: () -> Bool) throws -> LayerAnalysis {
        if let reused = plan.reusable(layer) { return reused }
        guard let record = plan.layerRecords[layer] else {
            let message = "layer \(layer) is not in the store"
            let output = plan.failure(message)
            return LayerAnalysis(layer: layer, pca: output.pca, svcca: output.svcca, probe: output.probe, clusters: output.clusters,
                                 reused: false)
        }
        let output: LayerComputation.Output
        do {
            let array = try store.open(record)
            output = try plan.computation(layer: layer, view: array.view).run(stage: progress, isCancelled: isCancelled)
        } catch let error as StoreError {
            output = plan.failure("layer \(layer): \(error)")
        }
        let records = plan.records(layer: layer, record: record, output: output)
        try store.withWriteLock {
            // The cluster ids first: results that name an array are saved only once it is registered.
            let arrays = try output.clusterAssignments.sorted { $0.key < $1.key }.map { k, ids in
                try writeClusterArray(ids, layer: layer, k: k, record: record, plan: plan)
            }
            if !arrays.isEmpty { try store.register(model: nil, arrays: arrays) }
            try store.saveAnalyses(records)
        }
        return LayerAnalysis(layer: layer, pca: output.pca, svcca: output.svcca, probe: output.probe, clusters: output.clusters,
                             reused: false)
    }

    /// Writes one clustering's per-token ids as `clusters-L07-k5.npy` (float32, one value per token).
    private func writeClusterArray(_ ids: [Int32], layer: Int, k: Int, record: ArrayRecord, plan: AnalysisPlan) throws -> ArrayRecord {
        let target = try store.newArrayPath(model: plan.request.model, name: String(format: "clusters-L%02d-k%d.npy", layer, k))
        let header = NpyHeader(dtype: .float32, shape: [ids.count])
        let writer = try AtomicNpyWriter(destination: target.url, header: header)
        try ids.map(Float.init).withUnsafeBufferPointer { try writer.append(floats: $0) }
        try writer.commit()
        return plan.clusterArrayRecord(layer: layer, record: record, k: k, path: target.relative, rows: ids.count,
                                       bytes: header.encoded().count + header.dataByteCount)
    }
}
