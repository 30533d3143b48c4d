import Foundation
import Numerics
import Testing
@testable import Analysis

@Suite struct KMeansTests {
    /// Inertia within 1% of scikit-learn's KMeans (k-means++, 10 restarts, Lloyd) on the same rows and k.
    @Test(arguments: ClusterFixtures.shared.kmeans.map(\.name))
    func inertiaMatchesScikitLearn(_ name: String) throws {
        let case_ = try #require(ClusterFixtures.shared.kmeans.first { $0.name == name })
        let x = try ClusterFixtures.features(case_.features)
        let result = try KMeans.fit(x, options: KMeansOptions(clusters: case_.k))
        if case_.inertia < 1e-9 {
            // Fewer distinct rows than clusters: every row sits on a centre.
            #expect(result.inertia < 1e-6, "inertia \(result.inertia)")
        } else {
            #expect(abs(result.inertia - case_.inertia) / case_.inertia < 0.01, "inertia \(result.inertia) vs sklearn \(case_.inertia)")
        }
        #expect(result.assignments.count == x.rows && result.assignments.allSatisfy { (0..<Int32(case_.k)).contains($0) })
        #expect(result.restartInertias.count == KMeansOptions.defaultRestarts)
        #expect(result.restartInertias.min().map { abs($0 - result.inertia) <= 1e-3 * max(1, result.inertia) } == true)
    }

    /// A converged clustering is a fixed point of Lloyd's algorithm: every row is nearest to its own centre,
    /// each centre is the mean of its rows, and the inertia is the sum of the rows' squared distances.
    @Test func resultIsALloydFixedPoint() throws {
        let x = try ClusterFixtures.features("kmeans_overlapping.npy")
        let k = 7
        let result = try KMeans.fit(x, options: KMeansOptions(clusters: k, seed: 3))
        #expect(result.converged)
        var sums = [Double](repeating: 0, count: k * x.cols), counts = [Int](repeating: 0, count: k)
        var inertia = 0.0
        for i in 0..<x.rows {
            let distances = (0..<k).map { c in
                (0..<x.cols).reduce(0.0) { $0 + pow(Double(x[i, $1]) - Double(result.centres[c, $1]), 2) }
            }
            let own = Int(result.assignments[i])
            #expect(distances[own] <= distances.min()! * (1 + 1e-4) + 1e-6, "row \(i)")
            inertia += distances[own]
            counts[own] += 1
            for j in 0..<x.cols { sums[own * x.cols + j] += Double(x[i, j]) }
        }
        #expect(abs(inertia - result.inertia) / inertia < 1e-6)
        for c in 0..<k where counts[c] > 0 {
            for j in 0..<x.cols {
                // The data sit around 50: a mean agrees to float32 rounding of the centre.
                #expect(abs(sums[c * x.cols + j] / Double(counts[c]) - Double(result.centres[c, j])) < 1e-3)
            }
        }
    }

    /// The same seed gives the same clustering; another seed draws other seedings.
    @Test func deterministicForASeed() throws {
        let x = try ClusterFixtures.features("kmeans_uniform_square.npy")
        let a = try KMeans.fit(x, options: KMeansOptions(clusters: 12, restarts: 4, seed: 7))
        let b = try KMeans.fit(x, options: KMeansOptions(clusters: 12, restarts: 4, seed: 7))
        let c = try KMeans.fit(x, options: KMeansOptions(clusters: 12, restarts: 4, seed: 8))
        #expect(a == b)
        #expect(a.restartInertias != c.restartInertias)
    }

    /// k-means++ draws candidates as numpy's searchsorted on the cumulative distances (side "left",
    /// clipped to the last row), zero-weight rows never chosen inside the range.
    @Test func candidateDrawsMatchSearchSorted() {
        for case_ in ClusterFixtures.shared.search_sorted {
            let found = case_.weights.withUnsafeBufferPointer {
                KMeansPlusPlus.searchSorted($0.baseAddress!, count: case_.weights.count, targets: case_.targets)
            }
            #expect(found == case_.indices)
        }
        #expect(KMeansPlusPlus.localTrials(clusters: 39) == 5 && KMeansPlusPlus.localTrials(clusters: 2) == 2)
    }

    /// Bad settings are errors worded for the user; cancelling stops between passes.
    @Test func errorsAndCancellation() throws {
        let x = try ClusterFixtures.features("kmeans_blobs.npy")
        #expect(throws: AnalysisError("k-means with 601 clusters needs at least 601 tokens, found 600")) {
            try KMeans.fit(x, options: KMeansOptions(clusters: 601))
        }
        #expect(throws: AnalysisError.self) { try KMeans.fit(x, options: KMeansOptions(clusters: 0)) }
        var nan = x
        nan[3, 1] = .nan
        #expect(throws: AnalysisError("the features hold NaN or infinity")) { try KMeans.fit(nan, options: KMeansOptions(clusters: 4)) }
        #expect(throws: CancellationError.self) { try KMeans.fit(x, options: KMeansOptions(clusters: 4), isCancelled: { true }) }
        let one = try KMeans.fit(x, options: KMeansOptions(clusters: 1))
        #expect(Set(one.assignments) == [0])
    }
}
