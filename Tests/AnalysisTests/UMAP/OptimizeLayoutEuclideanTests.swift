import Analysis
import Foundation
import Numerics
import Testing

@Suite("UMAP optimize_layout_euclidean and the spectral fallback")
struct LayoutOptimizerTests {
    @Test("one edge, no negative samples: both ends move by umap-learn's clipped attraction")
    func attraction() {
        // Points 0 and 1, joined both ways with weight 1; one thread runs them as two streams, each
        // reading the other end from the epoch's snapshot, so each end moves twice by the same step.
        let graph = SparseMatrix(rows: 2, cols: 2, rowStart: [0, 1, 2], columns: [1, 0], values: [1, 1])
        let (a, b) = (1.577, 0.8951)
        var optimizer = LayoutOptimizer(graph: graph, nEpochs: 10, a: a, b: b, negativeSampleRate: 0, seed: 1, threads: 1)
        var layout: [Float] = [0, 0, 3, 0]
        optimizer.runEpoch(0, embedding: &layout)
        #expect(layout == [0, 0, 3, 0])  // an edge is first due at epoch max(w)/w = 1
        optimizer.runEpoch(1, embedding: &layout)
        let d2 = 9.0
        let powered: Double = pow(d2, b)
        let coefficient: Double = -2 * a * b * (powered / d2) / (1 + a * powered)
        let step = max(-4, min(4, coefficient * -3)) * 0.9  // alpha = 1 − 1/10
        #expect(abs(Double(layout[0]) - 2 * step) < 1e-4)
        #expect(abs(Double(layout[2]) - (3 - 2 * step)) < 1e-4)
        #expect(layout[1] == 0 && layout[3] == 0)
    }

    @Test("a spectral layout whose eigensolver gives up falls back to uniform [-10, 10], as umap-learn's")
    func spectralFallback() throws {
        let knn = try UMAPFixtures.referenceNeighbors().graph
        let graph = pruneForEpochs(fuzzySimplicialSet(knn, nNeighbors: 15).graph, nEpochs: 500)
        let (layout, fellBack) = spectralLayout(data: nil, graph: graph, dim: 2, seed: 1, maxOperatorCalls: 3)
        #expect(fellBack)
        #expect(layout.storage.allSatisfy { $0 >= -10 && $0 <= 10 })
        #expect(Set(layout.storage).count > layout.storage.count / 2)
    }
}
