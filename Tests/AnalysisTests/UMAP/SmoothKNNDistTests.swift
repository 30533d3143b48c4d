import Analysis
import Numerics
import Testing

@Suite("UMAP smooth_knn_dist and fuzzy_simplicial_set")
struct SmoothKNNDistTests {
    @Test("σ and ρ match umap-learn's smooth_knn_dist")
    func sigmasAndRhos() throws {
        let knn = try UMAPFixtures.referenceNeighbors().graph
        let reference = try UMAPFixtures.matrix("sigmas_rhos.npy")
        let (sigmas, rhos) = smoothKNNDist(knn, k: 15)
        for i in 0..<knn.count {
            #expect(abs(rhos[i] - reference[i, 1]) <= 1e-6 * max(1, reference[i, 1]))
            #expect(abs(sigmas[i] - reference[i, 0]) <= 1e-4 * reference[i, 0])
        }
    }

    @Test("the symmetrised fuzzy graph matches umap-learn's fuzzy_simplicial_set")
    func fuzzyGraph() throws {
        let knn = try UMAPFixtures.referenceNeighbors().graph
        let coo = try UMAPFixtures.matrix("fuzzy_graph_coo.npy")
        let reference = SparseMatrix(rows: knn.count, cols: knn.count,
                                     tripletRows: (0..<coo.cols).map { Int32(coo[0, $0]) },
                                     tripletColumns: (0..<coo.cols).map { Int32(coo[1, $0]) },
                                     tripletValues: (0..<coo.cols).map { coo[2, $0] })
        let graph = fuzzySimplicialSet(knn, nNeighbors: 15).graph
        #expect(graph.rowStart == reference.rowStart)
        #expect(graph.columns == reference.columns)
        for (ours, theirs) in zip(graph.values, reference.values) {
            #expect(abs(ours - theirs) <= 1e-5)
        }
        // Symmetric, with no self loops.
        let transposed = graph.transposed()
        #expect(transposed.columns == graph.columns && transposed.values == graph.values)
        for r in 0..<graph.rows {
            #expect(!graph.columns[graph.rowStart[r]..<graph.rowStart[r + 1]].contains(Int32(r)))
        }
    }

    @Test("a point's nearest neighbour always gets membership 1")
    func nearestNeighborWeighsOne() {
        // Three points on a line: distances 1 and 3 from the first.
        let knn = KNNGraph(count: 3, k: 3, indices: [0, 1, 2, 1, 0, 2, 2, 1, 0],
                           distances: [0, 1, 3, 0, 1, 2, 0, 2, 3])
        let (sigmas, rhos) = smoothKNNDist(knn, k: 3)
        #expect(rhos == [1, 1, 2])
        let local = computeMembershipStrengths(knn, sigmas: sigmas, rhos: rhos)
        #expect(local.values[0] == 1)  // 0 → 1 at distance ρ
        #expect(abs(Double(local.values[1]) - exp(-2 / Double(sigmas[0]))) < 1e-6)  // 0 → 2
    }
}

import Foundation
