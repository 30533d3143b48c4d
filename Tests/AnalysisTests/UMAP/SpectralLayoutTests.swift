import Analysis
import Numerics
import Testing

@Suite("UMAP spectral_layout")
struct SpectralLayoutTests {
    /// The pruned fuzzy graph of the clusters fixture, as simplicial_set_embedding uses it.
    static func clusterGraph() throws -> SparseMatrix {
        let knn = try UMAPFixtures.referenceNeighbors().graph
        return pruneForEpochs(fuzzySimplicialSet(knn, nNeighbors: 15).graph, nEpochs: 500)
    }

    @Test("the layout is the Laplacian's 2nd and 3rd eigenvectors (scipy's eigenvalues)")
    func eigenvectors() throws {
        let graph = try Self.clusterGraph()
        let (layout, fellBack) = spectralLayout(data: nil, graph: graph, dim: 2, seed: 1)
        #expect(!fellBack)
        let degree = graph.rowSums()
        let expected = UMAPFixtures.shared.laplacian_smallest_eigenvalues
        var vectors: [[Double]] = []
        for c in 0..<2 {
            let v = (0..<graph.rows).map { Double(layout[$0, c]) }
            // Rayleigh quotient of L = I − D^(−1/2) W D^(−1/2): 1 − vᵀ(D^(−1/2) W D^(−1/2))v / vᵀv.
            let scaled = zip(v, degree).map { $0 / $1.squareRoot() }
            var image = [Double](repeating: 0, count: graph.rows)
            scaled.withUnsafeBufferPointer { x in image.withUnsafeMutableBufferPointer { graph.multiply(x.baseAddress!, into: $0.baseAddress!) } }
            let quadratic = zip(scaled, image).reduce(0) { $0 + $1.0 * $1.1 }
            let norm = v.reduce(0) { $0 + $1 * $1 }
            #expect(abs((1 - quadratic / norm) - expected[c + 1]) < 2e-5)
            // Orthogonal to the trivial eigenvector √degree.
            let trivial = zip(v, degree).reduce(0) { $0 + $1.0 * $1.1.squareRoot() }
            #expect(abs(trivial) / (norm.squareRoot() * degree.reduce(0, +).squareRoot()) < 1e-6)
            vectors.append(v)
        }
        let cross = zip(vectors[0], vectors[1]).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(cross) < 1e-6)
    }

    @Test("three components sit at ±unit vectors, as umap-learn's multi_component_layout puts them")
    func threeComponents() throws {
        try checkComponents(UMAPFixtures.shared.blobs_three, data: UMAPFixtures.matrix("blobs_three.npy"))
    }

    @Test("six components are placed by component_layout's spectral embedding of their centroids")
    func sixComponents() throws {
        try checkComponents(UMAPFixtures.shared.blobs_six, data: UMAPFixtures.matrix("blobs_six.npy"))
    }

    private func checkComponents(_ reference: UMAPFixtures.Blobs, data: Matrix<Float>) throws {
        let knn = exactNearestNeighbors(data, k: 15)
        let graph = pruneForEpochs(fuzzySimplicialSet(knn, nNeighbors: 15).graph, nEpochs: 500)
        let (count, labels) = graph.connectedComponents()
        #expect(count == reference.components)
        #expect(labels == reference.component_of_point)
        let (layout, _) = spectralLayout(data: data, graph: graph, dim: 2, seed: 5)
        for c in 0..<count {
            let members = labels.indices.filter { labels[$0] == c }
            let centroid = (0..<2).map { d in members.reduce(0.0) { $0 + Double(layout[$1, d]) } / Double(members.count) }
            // umap-learn scales a component to fit within its data range around its place, so the
            // centroid lands near that place and every point within √2 data ranges of it.
            let range = reference.data_range[c]
            for d in 0..<2 { #expect(abs(centroid[d] - reference.centroids[c][d]) < range / 2) }
            for v in members {
                let offset = (0..<2).map { Double(layout[v, $0]) - reference.centroids[c][$0] }
                #expect((offset[0] * offset[0] + offset[1] * offset[1]).squareRoot() < 1.5 * 2.0.squareRoot() * range)
            }
        }
    }
}

@Suite("UMAP component placement when centroid affinities underflow")
struct FarComponentsTests {
    @Test("components too far apart for exp(−d²) still get places of their own")
    func farComponents() {
        // Five tight blobs 100 apart: umap-learn's affinities are all exactly 0 and its placement arbitrary.
        var random = SeededRandom(seed: 11)
        let sizes = [40, 30, 35, 25, 45]
        var rows: [Float] = []
        for (b, size) in sizes.enumerated() {
            for _ in 0..<size {
                for d in 0..<6 { rows.append(Float((d == b % 6 ? 100.0 * Double(b + 1) : 0) + random.normal() * 0.1)) }
            }
        }
        let data = Matrix<Float>(rows: sizes.reduce(0, +), cols: 6, storage: rows)
        let graph = pruneForEpochs(fuzzySimplicialSet(exactNearestNeighbors(data, k: 15), nNeighbors: 15).graph, nEpochs: 500)
        let (count, labels) = graph.connectedComponents()
        #expect(count == 5)
        let (layout, _) = spectralLayout(data: data, graph: graph, dim: 2, seed: 2)
        let centroids = (0..<count).map { c -> SIMD2<Double> in
            let members = labels.indices.filter { labels[$0] == c }
            return members.reduce(SIMD2<Double>.zero) { $0 + SIMD2(Double(layout[$1, 0]), Double(layout[$1, 1])) } / Double(members.count)
        }
        // No two components share a place (umap-learn's spectral placement of an all-zero affinity
        // matrix puts several at the same point).
        for i in 0..<count {
            for j in 0..<i { #expect(((centroids[i] - centroids[j]) * (centroids[i] - centroids[j])).sum().squareRoot() > 0.02) }
        }
    }
}
