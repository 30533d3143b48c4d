import Numerics
import Store

extension LayerComputation {
    /// The `clusters` cells: one k-means per distinct k (each label's class count, or the fixed k),
    /// reused by every label with that k and compared with each. A label that cannot be compared (fewer
    /// than two classes) or a k the layer cannot support (more clusters than tokens) fails in its cell.
    func computeClusters(_ request: ClusterRequest, features: Matrix<Float>, into output: inout Output,
                         isCancelled: () -> Bool) throws {
        var fits: [Int: Result<KMeansResult, AnalysisError>] = [:]
        for label in clusterLabels {
            let k = request.clusters(for: label)
            if fits[k] == nil, (try? checkClasses(label)) != nil {
                if isCancelled() { throw CancellationError() }
                do {
                    fits[k] = .success(try KMeans.fit(features, options: request.options(clusters: k), isCancelled: isCancelled))
                } catch let error as AnalysisError {
                    fits[k] = .failure(error)
                }
            }
            output.clusters[label.name] = cell(label) {
                try checkClasses(label)
                guard let fit = try fits[k]?.get() else { throw AnalysisError("no clustering with \(k) clusters") }
                let agreement = ClusterAgreement.compare(clusters: fit.assignments, clusterCount: k, codes: label.codes,
                                                         classCount: label.classes.count)
                return ClusterResult(k: k, agreement: agreement, classes: label.classes, fit: fit, restarts: request.restarts)
            }
        }
        for (k, fit) in fits {
            if case .success(let result) = fit { output.clusterAssignments[k] = result.assignments }
        }
    }
}
