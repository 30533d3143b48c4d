import Foundation
import Numerics

/// Greedy k-means++ seeding (Arthur & Vassilvitskii; scikit-learn's `_kmeans_plusplus`), for several
/// restarts at once: the first centre is a uniformly drawn row; each further centre is the best of
/// 2 + ⌊ln k⌋ candidates drawn with probability proportional to their squared distance to the nearest
/// centre so far, "best" being the candidate that leaves the smallest potential (the sum of those
/// squared distances). The restarts share every pass over the rows: one GEMM scores a tile of rows
/// against the candidates of all of them.
enum KMeansPlusPlus {
    /// scikit-learn's `n_local_trials`.
    static func localTrials(clusters k: Int) -> Int { 2 + Int(log(Double(k))) }

    /// k centres per restart (each k × cols, row-major), one restart per generator.
    static func initialCentres(_ data: CentredRows, clusters k: Int, generators: inout [SplitMix64],
                               isCancelled: () -> Bool) throws -> [[Float]] {
        let n = data.rows, d = data.cols, restarts = generators.count
        let trials = localTrials(clusters: k)
        var centres = [[Float]](repeating: [Float](repeating: 0, count: k * d), count: restarts)
        // closest[r·n + i]: squared distance of row i to restart r's nearest centre so far.
        let closest = ScratchArray<Float>(count: restarts * n)
        closest.pointer.update(repeating: .infinity, count: restarts * n)
        var potential = [Double](repeating: 0, count: restarts)

        // The first centre of each restart: a uniformly drawn row.
        var chosen = (0..<restarts).map { Int.random(in: 0..<n, using: &generators[$0]) }
        for r in 0..<restarts { copyRow(data, chosen[r], into: &centres[r], at: 0) }
        let first = candidateStep(data, candidates: chosen.map { [$0] }, closest: closest)
        closest.pointer.update(from: first.nearer.pointer, count: restarts * n)
        potential = first.potentials

        for c in 1..<max(k, 1) {
            if isCancelled() { throw CancellationError() }
            let targets = (0..<restarts).map { r in
                (0..<trials).map { _ in Double(generators[r].next() >> 11) * 0x1p-53 * potential[r] }
            }
            // Candidates are drawn from each restart's distance distribution (its inverse CDF), restarts in parallel.
            var candidates = [[Int]](repeating: [], count: restarts)
            candidates.withUnsafeMutableBufferPointer { out in
                ComputeThreads.parallelFor(restarts) { r in
                    out[r] = searchSorted(closest.pointer + r * n, count: n, targets: targets[r])
                }
            }
            let step = candidateStep(data, candidates: candidates, closest: closest)
            for r in 0..<restarts {
                // The candidate that leaves the smallest potential (the first on ties, as numpy's argmin).
                var best = 0
                for j in 1..<trials where step.potentials[r * trials + j] < step.potentials[r * trials + best] { best = j }
                potential[r] = step.potentials[r * trials + best]
                (closest.pointer + r * n).update(from: step.nearer.pointer + (r * trials + best) * n, count: n)
                chosen[r] = candidates[r][best]
                copyRow(data, chosen[r], into: &centres[r], at: c)
            }
        }
        return centres
    }

    /// For every restart's candidates (the same number each): each row's distance to its nearest centre were
    /// that candidate added (candidates × rows, restart-major), and the sums of those (the potentials).
    static func candidateStep(_ data: CentredRows, candidates: [[Int]], closest: ScratchArray<Float>)
        -> (nearer: ScratchArray<Float>, potentials: [Double]) {
        let n = data.rows, d = data.cols, slots = RowTiles.slots
        let perRestart = candidates.first?.count ?? 0
        let all = candidates.flatMap { $0 }
        let points = ScratchArray<Float>(count: all.count * d), norms = ScratchArray(all.map { data.norms[$0] })
        for (q, row) in all.enumerated() { (points.pointer + q * d).update(from: data.row(row), count: d) }
        let nearer = ScratchArray<Float>(count: all.count * n)
        let partial = ScratchArray<Double>(count: slots * all.count)
        // Tiles whose scores (candidates × rows) stay near 256 kB, in a core's L2 cache with the rows.
        let tiles = RowTiles(rows: n, tileRows: max(32, (1 << 16) / max(1, all.count)))
        let scores = SlotBuffers<Float>(capacity: tiles.tileRows * all.count)
        tiles.forEach { slot, rows in
            NearestCentres.scores(rows: data.row(rows.lowerBound), count: rows.count, cols: d, centres: points.pointer,
                                  centreCount: all.count, into: scores[slot])
            for r in candidates.indices {
                let columns = (r * perRestart)..<((r + 1) * perRestart)
                NearestCentres.nearerWithCandidates(
                    scores: scores[slot], stride: rows.count, count: rows.count, columns: columns, candidateNorms: norms.pointer,
                    rowNorms: data.norms + rows.lowerBound, closest: closest.pointer + r * n + rows.lowerBound,
                    nearer: nearer.pointer + columns.lowerBound * n + rows.lowerBound, nearerStride: n,
                    potentials: partial.pointer + slot * all.count + columns.lowerBound)
            }
        }
        // Slots are summed in a fixed order, so the potentials do not depend on the thread count.
        var potentials = [Double](repeating: 0, count: all.count)
        for slot in 0..<slots { for q in 0..<all.count { potentials[q] += partial[slot * all.count + q] } }
        return (nearer, potentials)
    }

    /// numpy's `searchsorted(cumsum(weights), targets)` (side "left"), clipped to the last row: for each
    /// target, the first row whose running sum reaches it. One pass over the weights for all targets.
    static func searchSorted(_ weights: UnsafePointer<Float>, count: Int, targets: [Double]) -> [Int] {
        let order = targets.indices.sorted { targets[$0] < targets[$1] }
        var result = [Int](repeating: count - 1, count: targets.count)
        var next = 0
        var sum: Double = 0
        var i = 0
        while next < order.count, i < count {
            sum += Double(weights[i])
            while next < order.count, targets[order[next]] <= sum {
                result[order[next]] = i
                next += 1
            }
            i += 1
        }
        return result
    }

    private static func copyRow(_ data: CentredRows, _ row: Int, into centres: inout [Float], at index: Int) {
        let d = data.cols
        for j in 0..<d { centres[index * d + j] = data.row(row)[j] }
    }
}
