import Foundation
import Store

/// Reading a store's clusterings back, as the explorer does: the result of a (layer, label) with its
/// per-cluster legend, and the cluster id of every token to colour a scatter by.
public enum StoredClusters {
    /// The stored `clusters` cell of `label` at `layer` (a result, or the reason it failed); nil if none.
    /// Staleness is not checked here: `AnalysisRunner.stored` does that.
    public static func result(in store: EmbeddingStore, model: String, layer: Int, label: String) throws -> CellOutcome<ClusterResult>? {
        guard let record = try store.analyses(model: model, kind: AnalysisKind.clusters.rawValue)
            .first(where: { $0.layer == layer && $0.label == label }) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(CellOutcome<ClusterResult>.self, from: Data(record.result.utf8))
    }

    /// The cluster id (0..<k) of every token, in token order, for the clustering of `layer` with `k`
    /// clusters; nil if the store has none. A file holding anything but ids 0..<k is an error naming it.
    public static func assignments(in store: EmbeddingStore, model: String, layer: Int, k: Int) throws -> [Int32]? {
        guard let record = try store.arrays(model: model, kind: .clusters)
            .first(where: { $0.layer == layer && $0.task == AnalysisPlan.clusterTask(k: k) }) else { return nil }
        let array = try store.open(record)
        let values = array.view.matrix(rows: 0..<array.rows).storage
        let file = store.url.appendingPathComponent(record.path)
        guard array.cols == 1 else { throw StoreError(file, "holds \(array.cols) columns, cluster ids need one") }
        return try values.enumerated().map { row, value in
            guard value.rounded() == value, value >= 0, value < Float(k) else {
                throw StoreError(file, "row \(row) holds \(value), not a cluster id in 0..<\(k)")
            }
            return Int32(value)
        }
    }
}
