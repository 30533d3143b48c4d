import Foundation
import Numerics

/// umap-learn's `compute_membership_strengths`: the weight of the directed edge i → j of the kNN
/// graph is exp(−max(0, dᵢⱼ − ρᵢ)/σᵢ); a point's edge to itself weighs 0 and is dropped.
/// Returns the local fuzzy simplicial sets as one sparse matrix (row i: the set of point i).
public func computeMembershipStrengths(_ graph: KNNGraph, sigmas: [Float], rhos: [Float]) -> SparseMatrix {
    let n = graph.count
    let k = graph.k
    var rows: [Int32] = []
    var cols: [Int32] = []
    var vals: [Float] = []
    rows.reserveCapacity(n * k)
    cols.reserveCapacity(n * k)
    vals.reserveCapacity(n * k)
    for i in 0..<n {
        for j in 0..<k {
            let neighbor = graph.indices[i * k + j]
            if neighbor < 0 || Int(neighbor) == i { continue }
            let d = graph.distances[i * k + j]
            let value: Float
            if d - rhos[i] <= 0 || sigmas[i] == 0 {
                value = 1
            } else {
                value = Float(exp(-Double(d - rhos[i]) / Double(sigmas[i])))
            }
            rows.append(Int32(i))
            cols.append(neighbor)
            vals.append(value)
        }
    }
    return SparseMatrix(rows: n, cols: n, tripletRows: rows, tripletColumns: cols, tripletValues: vals)
}

/// umap-learn's `fuzzy_simplicial_set`: the local fuzzy sets of every point combined into one
/// symmetric fuzzy graph by the fuzzy union A + Aᵀ − A∘Aᵀ (the probabilistic t-conorm), mixed with
/// the intersection A∘Aᵀ by `setOpMixRatio` (1 = pure union, umap-learn's default).
public func fuzzySimplicialSet(_ graph: KNNGraph, nNeighbors: Int, localConnectivity: Double = 1,
                               setOpMixRatio: Double = 1) -> (graph: SparseMatrix, sigmas: [Float], rhos: [Float]) {
    let (sigmas, rhos) = smoothKNNDist(graph, k: Double(nNeighbors), localConnectivity: localConnectivity)
    let local = computeMembershipStrengths(graph, sigmas: sigmas, rhos: rhos)
    return (symmetrizeFuzzyUnion(local, mixRatio: Float(setOpMixRatio)), sigmas, rhos)
}

/// mix·(A + Aᵀ − A∘Aᵀ) + (1 − mix)·(A∘Aᵀ), entries that come out zero dropped.
public func symmetrizeFuzzyUnion(_ a: SparseMatrix, mixRatio: Float = 1) -> SparseMatrix {
    let t = a.transposed()
    let n = a.rows
    var start = [Int](repeating: 0, count: n + 1)
    var columns: [Int32] = []
    var values: [Float] = []
    columns.reserveCapacity(a.nonzeroCount * 2)
    values.reserveCapacity(a.nonzeroCount * 2)
    for r in 0..<n {
        // Merge the sorted rows of A and Aᵀ.
        var p = a.rowStart[r], pe = a.rowStart[r + 1]
        var q = t.rowStart[r], qe = t.rowStart[r + 1]
        while p < pe || q < qe {
            let cp = p < pe ? a.columns[p] : Int32.max
            let cq = q < qe ? t.columns[q] : Int32.max
            let c = min(cp, cq)
            let x: Float = cp == c ? a.values[p] : 0
            let y: Float = cq == c ? t.values[q] : 0
            if cp == c { p += 1 }
            if cq == c { q += 1 }
            let product = x * y
            let value = mixRatio * (x + y - product) + (1 - mixRatio) * product
            if value != 0 {
                columns.append(c)
                values.append(value)
            }
        }
        start[r + 1] = columns.count
    }
    return SparseMatrix(rows: n, cols: n, rowStart: start, columns: columns, values: values)
}
