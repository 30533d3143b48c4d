import Numerics

/// Lloyd's algorithm as scikit-learn's `_kmeans_single_lloyd` runs it, for several restarts side by side.
/// Each pass assigns every row to its nearest centre (the E-step: one GEMM per block of rows for all
/// restarts' centres) and moves each centre to the mean of its rows (the M-step), relocating empty
/// clusters to the rows farthest from their centres. A restart stops when no label changed (strict
/// convergence) or when the centres moved less than the tolerance in total squared distance; then (or
/// after `maxIterations`) one more E-step makes the labels match the final centres. Restarts that have
/// stopped leave the shared passes, so the GEMM shrinks as they finish.
struct LloydIterations {
    /// One restart's state.
    struct Run {
        enum State { case running, finalAssignment, done }
        /// k × cols, row-major.
        var centres: [Float]
        var state = State.running
        var iterations = 0
        var converged = false
        /// Σ squared distances of the rows to their centres, from the last E-step.
        var inertia = 0.0
    }

    let data: CentredRows
    let clusters: Int
    let maxIterations: Int
    /// Absolute: `tol` times the mean column variance.
    let tolerance: Double

    /// Runs every restart to convergence from its initial centres; `labels` (restarts × rows) receive the
    /// final assignments.
    func run(initialCentres: [[Float]], labels: inout [Int32], isCancelled: () -> Bool) throws -> [Run] {
        var runs = initialCentres.map { Run(centres: $0) }
        labels = [Int32](repeating: -1, count: runs.count * data.rows)
        while runs.contains(where: { $0.state != .done }) {
            if isCancelled() { throw CancellationError() }
            let active = runs.indices.filter { runs[$0].state != .done }
            let pass = assignAndSum(active.map { runs[$0] }, labels: &labels, restarts: active)
            for (a, r) in active.enumerated() {
                if runs[r].state == .finalAssignment {
                    runs[r].inertia = pass.distance[a]
                    runs[r].state = .done
                    continue
                }
                runs[r].iterations += 1
                let old = runs[r].centres
                let updated = labels.withUnsafeBufferPointer { labels in
                    newCentres(sums: pass.sums[a], counts: pass.counts[a], old: old, labels: labels.baseAddress! + r * data.rows)
                }
                runs[r].centres = updated
                if pass.changed[a] == 0 {
                    // Strict convergence: the new centres are the means of unchanged labels, i.e. the old ones.
                    runs[r].inertia = pass.distance[a]
                    runs[r].converged = true
                    runs[r].state = .done
                } else if Self.squaredShift(old, updated) <= tolerance {
                    runs[r].converged = true
                    runs[r].state = .finalAssignment
                } else if runs[r].iterations >= maxIterations {
                    runs[r].state = .finalAssignment
                }
            }
        }
        return runs
    }

    /// What one pass over the rows gives each active restart: Σ distances, labels changed, and (for
    /// restarts still iterating) per-cluster row sums and counts.
    struct Pass {
        var distance: [Double]
        var changed: [Int]
        var sums: [[Double]]
        var counts: [[Int]]
    }

    /// The E-step for the active restarts, with the M-step's sums for those still iterating.
    private func assignAndSum(_ runs: [Run], labels: inout [Int32], restarts: [Int]) -> Pass {
        let n = data.rows, d = data.cols, k = clusters, count = runs.count
        let slots = ScoredTiles.slots
        var points = [Float](); points.reserveCapacity(count * k * d)
        for run in runs { points += run.centres }
        var norms = [Float](repeating: 0, count: count * k)
        points.withUnsafeBufferPointer { p in
            norms.withUnsafeMutableBufferPointer { NearestCentres.rowSquaredNorms(p.baseAddress!, count: count * k, cols: d, into: $0.baseAddress!) }
        }
        let updating = runs.map { $0.state == .running }
        // Per slot and restart: Σ distances, labels changed, per-cluster row sums and counts.
        var distance = [Double](repeating: 0, count: slots * count)
        var changed = [Int](repeating: 0, count: slots * count)
        var sums = [Double](repeating: 0, count: slots * count * k * d)
        var counts = [Int64](repeating: 0, count: slots * count * k)
        points.withUnsafeBufferPointer { points in
            norms.withUnsafeBufferPointer { norms in
                labels.withUnsafeMutableBufferPointer { labels in
                    distance.withUnsafeMutableBufferPointer { distance in
                        changed.withUnsafeMutableBufferPointer { changed in
                            sums.withUnsafeMutableBufferPointer { sums in
                                counts.withUnsafeMutableBufferPointer { counts in
                                    ScoredTiles(data: data).forEach(points: points.baseAddress!, pointCount: count * k) { slot, rows, scores in
                                        for a in 0..<count {
                                            let cell = slot * count + a
                                            let rowLabels = labels.baseAddress! + restarts[a] * n + rows.lowerBound
                                            let result = NearestCentres.assign(
                                                scores: scores, stride: rows.count, count: rows.count, group: (a * k)..<((a + 1) * k),
                                                centreNorms: norms.baseAddress!, rowNorms: data.norms + rows.lowerBound, labels: rowLabels)
                                            distance[cell] += result.distance
                                            changed[cell] += result.changed
                                            guard updating[a] else { continue }
                                            NearestCentres.addRowsByLabel(data.row(rows.lowerBound), count: rows.count, cols: d, labels: rowLabels,
                                                                          sums: sums.baseAddress! + cell * k * d, counts: counts.baseAddress! + cell * k)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Slots are summed in a fixed order, so the result does not depend on the thread count.
        var pass = Pass(distance: [Double](repeating: 0, count: count), changed: [Int](repeating: 0, count: count),
                        sums: [[Double]](repeating: [Double](repeating: 0, count: k * d), count: count),
                        counts: [[Int]](repeating: [Int](repeating: 0, count: k), count: count))
        for slot in 0..<slots {
            for a in 0..<count {
                let cell = slot * count + a
                pass.distance[a] += distance[cell]
                pass.changed[a] += changed[cell]
                guard updating[a] else { continue }
                for e in 0..<(k * d) { pass.sums[a][e] += sums[cell * k * d + e] }
                for j in 0..<k { pass.counts[a][j] += Int(counts[cell * k + j]) }
            }
        }
        return pass
    }

    /// The M-step: centres at the means of their rows. An empty cluster first takes the row farthest
    /// from its own (old) centre, as scikit-learn's `_relocate_empty_clusters_dense` (labels are left as
    /// they are); a cluster still empty sits on the largest cluster's centre (`_average_centers`).
    private func newCentres(sums: [Double], counts: [Int], old: [Float], labels: UnsafePointer<Int32>) -> [Float] {
        let d = data.cols, k = clusters
        var sums = sums, weights = counts.map(Double.init)
        let empty = (0..<k).filter { counts[$0] == 0 }
        if !empty.isEmpty {
            let distances = old.withUnsafeBufferPointer { centres in
                (0..<data.rows).map { i in
                    NearestCentres.squaredDistancesToAssigned(rows: data.row(i), count: 1, cols: d, centres: centres.baseAddress!,
                                                               labels: labels + i)
                }
            }
            if (distances.max() ?? 0) > 0 {
                let farthest = distances.indices.sorted { distances[$0] > distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }
                for (cluster, row) in zip(empty, farthest) {
                    let from = Int(labels[row])
                    for j in 0..<d {
                        let value = Double(data.row(row)[j])
                        sums[from * d + j] -= value
                        sums[cluster * d + j] = value
                    }
                    weights[cluster] = 1
                    weights[from] -= 1
                }
            }
        }
        var centres = [Float](repeating: 0, count: k * d)
        var largest = 0
        for j in 1..<max(k, 1) where weights[j] > weights[largest] { largest = j }
        for c in 0..<k where weights[c] > 0 {
            for j in 0..<d { centres[c * d + j] = Float(sums[c * d + j] / weights[c]) }
        }
        for c in 0..<k where weights[c] <= 0 {
            for j in 0..<d { centres[c * d + j] = centres[largest * d + j] }
        }
        return centres
    }

    /// Σ over centres of the squared distance each moved (scikit-learn's `center_shift_tot`).
    static func squaredShift(_ a: [Float], _ b: [Float]) -> Double {
        var total = 0.0
        for i in a.indices {
            let difference = Double(a[i]) - Double(b[i])
            total += difference * difference
        }
        return total
    }
}
