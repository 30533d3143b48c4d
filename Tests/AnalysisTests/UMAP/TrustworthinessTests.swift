import Analysis
import Numerics
import Testing

@Suite("trustworthiness and Procrustes")
struct TrustworthinessTests {
    @Test("trustworthiness equals scikit-learn's for umap-learn's layout", arguments: [5, 15])
    func matchesScikitLearn(k: Int) throws {
        let data = try UMAPFixtures.matrix("clusters.npy")
        let layout = try UMAPFixtures.matrix("umap_learn_embedding.npy")
        let expected = k == 15 ? UMAPFixtures.shared.umap_learn_embedding_trustworthiness
            : UMAPFixtures.shared.umap_learn_embedding_trustworthiness_5
        #expect(abs(trustworthiness(original: data, embedded: layout, nNeighbors: k) - expected) < 1e-5)
    }

    @Test("a layout that keeps every neighbourhood scores 1")
    func perfect() {
        let points = Matrix<Float>(rows: 30, cols: 2, storage: (0..<60).map { Float($0 % 2 == 0 ? $0 * $0 : 1) })
        #expect(trustworthiness(original: points, embedded: points, nNeighbors: 5) == 1)
    }

    @Test("Procrustes recovers a rotation, scale and shift; displacement is then zero")
    func procrustes() {
        var random = SeededRandom(seed: 3)
        let reference = Matrix<Float>(rows: 50, cols: 2, storage: (0..<100).map { _ in Float(random.normal()) })
        let angle = 0.7
        let moved = Matrix<Float>(rows: 50, cols: 2, storage: (0..<50).flatMap { r -> [Float] in
            let x = Double(reference[r, 0]), y = Double(reference[r, 1])
            return [Float(3 * (cos(angle) * x - sin(angle) * y) + 5), Float(3 * (sin(angle) * x + cos(angle) * y) - 2)]
        })
        let transform = Procrustes.fit(moved, onto: reference)
        #expect(abs(transform.scale - 1.0 / 3) < 1e-5)
        let back = transform.apply(moved)
        for (a, b) in zip(back.storage, reference.storage) { #expect(abs(a - b) < 1e-4) }
        #expect(Procrustes.meanDisplacement(moved, reference) < 1e-4)
        let unrelated = Matrix<Float>(rows: 50, cols: 2, storage: (0..<100).map { _ in Float(random.normal()) })
        #expect(Procrustes.meanDisplacement(unrelated, reference) > 0.5)
    }
}

import Foundation
