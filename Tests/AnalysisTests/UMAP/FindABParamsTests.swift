import Analysis
import Testing

@Suite("UMAP find_ab_params and the edge schedule")
struct FindABParamsTests {
    @Test("a and b match umap-learn's curve_fit", arguments: UMAPFixtures.shared.ab_params.indices)
    func abParams(index: Int) {
        let reference = UMAPFixtures.shared.ab_params[index]
        let (a, b) = findABParams(spread: reference.spread, minDist: reference.min_dist)
        #expect(abs(a - reference.a) <= 1e-4 * reference.a)
        #expect(abs(b - reference.b) <= 1e-4 * reference.b)
    }

    @Test("epochs per sample match umap-learn's make_epochs_per_sample")
    func epochsPerSample() {
        let reference = UMAPFixtures.shared.epochs_per_sample
        let ours = makeEpochsPerSample(reference.weights, nEpochs: reference.n_epochs)
        for (value, expected) in zip(ours, reference.result) {
            #expect(abs(Double(value) - expected) <= 1e-5 * abs(expected))
        }
    }

    @Test("pruning drops the edges sampled less than once in the run")
    func pruning() {
        let graph = SparseMatrix(rows: 2, cols: 2, rowStart: [0, 2, 3], columns: [0, 1, 0], values: [1, 0.004, 0.006])
        let pruned = pruneForEpochs(graph, nEpochs: 200)
        #expect(pruned.columns == [0, 0] && pruned.values == [1, 0.006])
    }
}

import Numerics
