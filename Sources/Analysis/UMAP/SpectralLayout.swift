import Foundation
import Numerics

/// umap-learn's `spectral_layout`: the eigenvectors of the normalized Laplacian
/// L = I − D^(−1/2)·W·D^(−1/2) of the fuzzy graph W with the 2nd to (dim+1)th smallest eigenvalues.
/// They are found as the largest eigenvectors of D^(−1/2)·W·D^(−1/2) orthogonal to the known first
/// one (√degree), by thick-restart Lanczos. A graph of several components is laid out by
/// `multiComponentLayout`; if the eigensolver does not converge the layout falls back, as
/// umap-learn's does, to uniform random coordinates in [−10, 10].
public func spectralLayout(data: Matrix<Float>?, graph: SparseMatrix, dim: Int, seed: UInt64,
                           tolerance: Double = 1e-4, maxOperatorCalls: Int? = nil) -> (layout: Matrix<Float>, fellBack: Bool) {
    let n = graph.rows
    let (components, labels) = graph.connectedComponents()
    if components > 1 {
        return multiComponentLayout(data: data, graph: graph, components: components, labels: labels, dim: dim, seed: seed)
    }
    var random = SeededRandom(seed: seed, stream: 0x5350_4543)
    func randomLayout() -> Matrix<Float> {
        Matrix(rows: n, cols: dim, storage: (0..<(n * dim)).map { _ in Float(random.unit() * 20 - 10) })
    }
    guard n > dim + 1 else { return (randomLayout(), true) }
    let sqrtDegree = graph.rowSums().map { $0.squareRoot() }
    let norm = sqrtDegree.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let first = sqrtDegree.map { $0 / norm }
    let inverse = sqrtDegree.map { $0 > 0 ? 1 / $0 : 0 }
    var scaled = [Double](repeating: 0, count: n)
    let budget = maxOperatorCalls ?? max(1_000, min(5 * n, 3_000))
    do {
        let result = try LanczosEigen.largest(count: dim, size: n, deflating: [first], basisSize: 2 * dim + 20,
                                              tolerance: tolerance, maxOperatorCalls: budget, seed: seed) { x, y in
            // y = D^(−1/2)·W·D^(−1/2)·x
            for i in 0..<n { scaled[i] = x[i] * inverse[i] }
            scaled.withUnsafeBufferPointer { graph.multiply($0.baseAddress!, into: y) }
            for i in 0..<n { y[i] *= inverse[i] }
        }
        var layout = Matrix<Float>(rows: n, cols: dim)
        for c in 0..<dim {
            for r in 0..<n { layout[r, c] = Float(result.vectors[c, r]) }
        }
        return (layout, false)
    } catch {
        return (randomLayout(), true)
    }
}

/// umap-learn's `multi_component_layout`: the components are placed by `componentLayout` (or, for
/// at most 2·dim of them, at ±unit vectors), and each is laid out spectrally within half the
/// distance to its nearest neighbouring component (randomly if it is too small for that).
public func multiComponentLayout(data: Matrix<Float>?, graph: SparseMatrix, components: Int, labels: [Int], dim: Int,
                                 seed: UInt64) -> (layout: Matrix<Float>, fellBack: Bool) {
    var random = SeededRandom(seed: seed, stream: 0x4D55_4C54)
    let meta: Matrix<Double>
    if components > 2 * dim {
        meta = componentLayout(data: data, components: components, labels: labels, dim: dim, seed: seed)
    } else {
        let k = (components + 1) / 2
        var rows: [[Double]] = []
        for sign in [1.0, -1.0] {
            for i in 0..<k { rows.append((0..<dim).map { $0 == i ? sign : 0 }) }
        }
        meta = Matrix(Array(rows.prefix(components)))
    }
    var members = [[Int]](repeating: [], count: components)
    for (v, label) in labels.enumerated() { members[label].append(v) }
    var layout = Matrix<Float>(rows: graph.rows, cols: dim)
    var anyFellBack = false
    for label in 0..<components {
        var nearest = Double.infinity
        for other in 0..<components {
            var s = 0.0
            for c in 0..<dim { s += (meta[label, c] - meta[other, c]) * (meta[label, c] - meta[other, c]) }
            if s > 0 { nearest = min(nearest, s.squareRoot()) }
        }
        let dataRange = nearest.isFinite ? nearest / 2 : 1
        let vertices = members[label]
        if vertices.count < 2 * dim || vertices.count <= dim + 1 {
            for v in vertices {
                for c in 0..<dim { layout[v, c] = Float((random.unit() * 2 - 1) * dataRange + meta[label, c]) }
            }
            continue
        }
        let sub = graph.submatrix(vertices)
        let (embedding, fellBack) = spectralLayout(data: nil, graph: sub, dim: dim, seed: seed &+ UInt64(label))
        anyFellBack = anyFellBack || fellBack
        let largest = embedding.storage.map { abs(Double($0)) }.max() ?? 1
        let expansion = largest > 0 ? dataRange / largest : 1
        for (i, v) in vertices.enumerated() {
            for c in 0..<dim { layout[v, c] = Float(Double(embedding[i, c]) * expansion + meta[label, c]) }
        }
    }
    return (layout, anyFellBack)
}

/// umap-learn's `component_layout`: a spectral embedding (scikit-learn's `SpectralEmbedding` on
/// the affinities exp(−d²) between the components' centroids), scaled so its largest value is 1.
/// Without data the components are placed at random, as umap-learn does.
public func componentLayout(data: Matrix<Float>?, components: Int, labels: [Int], dim: Int, seed: UInt64) -> Matrix<Double> {
    var random = SeededRandom(seed: seed, stream: 0x434F_4D50)
    guard let data, components > dim + 1 else {
        return Matrix(rows: components, cols: dim, storage: (0..<(components * dim)).map { _ in random.unit() * 10 })
    }
    var centroids = Matrix<Double>(rows: components, cols: data.cols)
    var sizes = [Double](repeating: 0, count: components)
    for (v, label) in labels.enumerated() {
        sizes[label] += 1
        for c in 0..<data.cols { centroids[label, c] += Double(data[v, c]) }
    }
    for label in 0..<components {
        for c in 0..<data.cols { centroids[label, c] /= max(sizes[label], 1) }
    }
    // Affinities without the diagonal (scipy's laplacian ignores it), then the normalized Laplacian.
    var affinity = Matrix<Double>(rows: components, cols: components)
    for i in 0..<components {
        for j in 0..<components where i != j {
            var s = 0.0
            for c in 0..<data.cols { s += (centroids[i, c] - centroids[j, c]) * (centroids[i, c] - centroids[j, c]) }
            affinity[i, j] = exp(-s)
        }
    }
    let degree = (0..<components).map { i in (0..<components).reduce(0.0) { $0 + affinity[i, $1] } }
    guard degree.allSatisfy({ $0 > 0 }) else {
        // exp(−d²) underflows for centroids more than ~27 apart (common for real features), and
        // the spectral embedding of such a graph is arbitrary: place the centroids by their two
        // principal directions instead, scaled the same way.
        return principalPlacement(centroids, dim: dim)
    }
    let rootDegree = degree.map { $0.squareRoot() }
    var laplacian = Matrix<Double>(rows: components, cols: components)
    for i in 0..<components {
        for j in 0..<components {
            laplacian[i, j] = (i == j ? 1 : 0) - affinity[i, j] / (rootDegree[i] * rootDegree[j])
        }
    }
    guard let (_, vectors) = try? LAPACK.symmetricEigen(laplacian) else {
        return Matrix(rows: components, cols: dim, storage: (0..<(components * dim)).map { _ in random.unit() * 10 })
    }
    // scikit-learn's spectral_embedding: eigenvectors divided by √degree, signs flipped so each
    // vector's largest-magnitude entry is positive, the first (trivial) one dropped.
    var embedding = Matrix<Double>(rows: components, cols: dim)
    for c in 0..<dim {
        var column = (0..<components).map { vectors[$0, c + 1] / rootDegree[$0] }
        if let peak = column.indices.max(by: { abs(column[$0]) < abs(column[$1]) }), column[peak] < 0 {
            column = column.map { -$0 }
        }
        for r in 0..<components { embedding[r, c] = column[r] }
    }
    let largest = embedding.storage.max() ?? 1
    if largest != 0 {
        embedding.storage = embedding.storage.map { $0 / largest }
    }
    return embedding
}

/// The centroids projected on their `dim` leading principal directions, scaled so the largest
/// coordinate is 1 (the scale `componentLayout` gives its spectral embedding).
func principalPlacement(_ centroids: Matrix<Double>, dim: Int) -> Matrix<Double> {
    let rows = centroids.rows, cols = centroids.cols
    var centred = centroids
    for c in 0..<cols {
        let mean = (0..<rows).reduce(0.0) { $0 + centroids[$1, c] } / Double(rows)
        for r in 0..<rows { centred[r, c] -= mean }
    }
    var placement = Matrix<Double>(rows: rows, cols: dim)
    if let (u, s, _) = try? LAPACK.svd(centred) {
        for r in 0..<rows {
            for c in 0..<min(dim, s.count) { placement[r, c] = u[r, c] * s[c] }
        }
    }
    let largest = placement.storage.map(abs).max() ?? 0
    if largest > 0 { placement.storage = placement.storage.map { $0 / largest } }
    return placement
}
