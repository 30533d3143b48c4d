import Foundation
import Numerics

/// k-means settings, named after scikit-learn's `KMeans` arguments they mirror.
public struct KMeansOptions: Sendable, Equatable {
    /// k (`n_clusters`).
    public var clusters: Int
    /// Runs from different k-means++ seedings; the one with the lowest inertia wins (`n_init`).
    public var restarts: Int
    /// Lloyd iterations per run at most (`max_iter`).
    public var maxIterations: Int
    /// Convergence when the centres move less than this, relative to the mean column variance (`tol`).
    public var tolerance: Double
    /// Seeds every random draw: the same seed gives the same clustering.
    public var seed: UInt64

    public static let defaultRestarts = 10
    public static let defaultMaxIterations = 300
    public static let defaultTolerance = 1e-4

    public init(clusters: Int, restarts: Int = defaultRestarts, maxIterations: Int = defaultMaxIterations,
                tolerance: Double = defaultTolerance, seed: UInt64 = 0) {
        self.clusters = clusters
        self.restarts = restarts
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
    }
}

/// A fitted k-means clustering: scikit-learn's `labels_`, `cluster_centers_`, `inertia_` and `n_iter_`.
public struct KMeansResult: Sendable, Equatable {
    /// Per row: its cluster, 0..<k.
    public let assignments: [Int32]
    /// k × cols, in the coordinates of the input.
    public let centres: Matrix<Float>
    /// Σ squared distance of every row to its centre (computed from the differences, in double precision).
    public let inertia: Double
    /// Lloyd iterations of the winning run.
    public let iterations: Int
    /// Whether the winning run converged (labels stable, or centres within the tolerance) before `maxIterations`.
    public let converged: Bool
    /// Each run's inertia, in run order.
    public let restartInertias: [Double]
}

/// k-means (Lloyd) with greedy k-means++ seeding and restarts, as scikit-learn's `KMeans(init="k-means++",
/// algorithm="lloyd")` does it, on float32 rows with BLAS for the distances. All restarts run side by
/// side, sharing each pass over the rows. Deterministic for a seed: the restarts' random streams come
/// from it, and every sum is taken in a fixed order whatever the thread count.
public enum KMeans {
    /// Clusters the rows of `features`. `isCancelled` is asked between passes over the rows.
    public static func fit(_ features: Matrix<Float>, options: KMeansOptions,
                           isCancelled: () -> Bool = { false }) throws -> KMeansResult {
        let k = options.clusters
        guard k >= 1 else { throw AnalysisError("k-means needs at least one cluster, got \(k)") }
        guard features.rows >= k else {
            throw AnalysisError("k-means with \(k) clusters needs at least \(k) tokens, found \(features.rows)")
        }
        guard options.restarts >= 1 else { throw AnalysisError("k-means needs at least one restart, got \(options.restarts)") }
        guard options.maxIterations >= 1 else { throw AnalysisError("k-means needs at least one iteration, got \(options.maxIterations)") }
        guard features.storage.allSatisfy(\.isFinite) else { throw AnalysisError("the features hold NaN or infinity") }

        let data = CentredRows(features)
        var generators = restartGenerators(seed: options.seed, count: options.restarts)
        let seeds = try KMeansPlusPlus.initialCentres(data, clusters: k, generators: &generators, isCancelled: isCancelled)
        let lloyd = LloydIterations(data: data, clusters: k, maxIterations: options.maxIterations,
                                    tolerance: options.tolerance * data.meanVariance)
        var labels: [Int32] = []
        let runs = try lloyd.run(initialCentres: seeds, labels: &labels, isCancelled: isCancelled)

        // The lowest inertia wins; a later run replaces the best only if it is a different clustering
        // (equal up to renaming is the same one whatever rounding says), as scikit-learn decides.
        let n = data.rows
        var best = 0
        for r in 1..<runs.count where runs[r].inertia < runs[best].inertia
            && !sameClustering(labels, r * n, labels, best * n, count: n, clusters: k) {
            best = r
        }
        let assignments = Array(labels[(best * n)..<((best + 1) * n)])
        let inertia = runs[best].inertia
        var centres = Matrix<Float>(rows: k, cols: data.cols, storage: runs[best].centres)
        for c in 0..<k { for j in 0..<data.cols { centres[c, j] = Float(Double(centres[c, j]) + data.mean[j]) } }
        return KMeansResult(assignments: assignments, centres: centres, inertia: inertia, iterations: runs[best].iterations,
                            converged: runs[best].converged, restartInertias: runs.map(\.inertia))
    }

    /// One independent random stream per restart, all drawn from the seed.
    static func restartGenerators(seed: UInt64, count: Int) -> [SplitMix64] {
        var master = SplitMix64(seed: seed)
        return (0..<count).map { _ in SplitMix64(seed: master.next()) }
    }

    /// Whether two labellings are the same partition up to renaming the clusters (scikit-learn's
    /// `_is_same_clustering`).
    static func sameClustering(_ a: [Int32], _ aStart: Int, _ b: [Int32], _ bStart: Int, count: Int, clusters: Int) -> Bool {
        var mapping = [Int32](repeating: -1, count: clusters)
        for i in 0..<count {
            let from = Int(a[aStart + i]), to = b[bStart + i]
            if mapping[from] == -1 {
                mapping[from] = to
            } else if mapping[from] != to {
                return false
            }
        }
        return true
    }

    /// Σ ‖xᵢ − c(i)‖² from the differences, in parallel over fixed pieces summed in order.
    static func exactInertia(_ data: CentredRows, centres: [Float], labels: UnsafePointer<Int32>) -> Double {
        let pieces = 16, n = data.rows, d = data.cols
        let size = (n + pieces - 1) / pieces
        var partial = [Double](repeating: 0, count: pieces)
        centres.withUnsafeBufferPointer { centres in
            partial.withUnsafeMutableBufferPointer { partial in
                ComputeThreads.parallelFor(pieces) { piece in
                    let low = min(n, piece * size), high = min(n, low + size)
                    guard low < high else { return }
                    partial[piece] = NearestCentres.squaredDistancesToAssigned(
                        rows: data.row(low), count: high - low, cols: d, centres: centres.baseAddress!, labels: labels + low)
                }
            }
        }
        return partial.reduce(0, +)
    }
}
