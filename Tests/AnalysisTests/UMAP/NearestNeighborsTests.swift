import Analysis
import Numerics
import Testing

@Suite("UMAP nearest neighbours")
struct NearestNeighborsTests {
    @Test("exact search matches scikit-learn's 15-NN graph")
    func exactMatchesScikitLearn() throws {
        let data = try UMAPFixtures.matrix("clusters.npy")
        let reference = try UMAPFixtures.referenceNeighbors().graph
        let graph = exactNearestNeighbors(data, k: 15)
        #expect(graph.recall(against: reference) > 0.999)
        for i in 0..<graph.count {
            #expect(graph.indices[i * 15] == Int32(i))
            for j in 0..<15 {
                #expect(abs(graph.distances[i * 15 + j] - reference.distances[i * 15 + j]) < 1e-4)
            }
        }
    }

    @Test("NN-descent finds at least 95% of the exact 15 neighbours, the same for a seed")
    func nnDescentRecall() throws {
        let data = try UMAPFixtures.matrix("clusters.npy")
        let reference = try UMAPFixtures.referenceNeighbors().graph
        // Small leaves and two trees, so that the descent rounds, not the forest, do the work.
        var descent = NNDescent(data: data, k: 15, seed: 3)
        descent.treeCount = 2
        descent.leafSize = 40
        let forestOnly: KNNGraph = {
            var once = descent
            once.iterations = 0
            return once.run()
        }()
        let graph = descent.run()
        let recall = graph.recall(against: reference)
        #expect(recall >= 0.95)
        #expect(forestOnly.recall(against: reference) < 0.7)
        #expect(descent.run() == graph)
        for i in 0..<graph.count {
            #expect(graph.indices[i * 15] == Int32(i) && graph.distances[i * 15] == 0)
            let row = Array(graph.distances[(i * 15)..<((i + 1) * 15)])
            #expect(row == row.sorted())
        }
    }
}
