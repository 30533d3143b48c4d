import Numerics

/// Lloyd's algorithm as scikit-learn's `_kmeans_single_lloyd` runs it, for several restarts side by side,
/// with Hamerly's bounds ("Making k-means even faster", 2010) to skip the rows that cannot have changed
/// cluster. Each pass assigns every row to its nearest centre (the E-step) and moves each centre to the
/// mean of its rows (the M-step), relocating empty clusters to the rows farthest from their centres. A
/// restart stops when no label changed (strict convergence) or when the centres moved less than the
/// tolerance in total squared distance; then (or after `maxIterations`) one more E-step makes the labels
/// match the final centres. The bounds give the same labels as computing every distance: a row is only
/// skipped when its own centre is provably still the nearest.
struct LloydIterations {
    /// One restart's state.
    struct Run {
        enum State { case running, finalAssignment, done }
        /// k × cols, row-major.
        var centres: [Float]
        var state = State.running
        var iterations = 0
        var converged = false
        /// Σ squared distances of the rows to their final centres (set when the run is done).
        var inertia = 0.0
        /// Per-cluster sums (k × cols) and counts of the current labels, kept up to date by the rows that move.
        var sums: [Double]
        var counts: [Int64]
        /// How far (Euclidean) each centre moved in the last M-step, and half the distance from each centre
        /// to its nearest other centre: what Hamerly's test needs.
        var shift: [Float]
        var halfGap: [Float]
        /// Before the first pass there are no bounds: every distance is computed.
        var bounded = false

        init(centres: [Float], clusters k: Int, cols: Int) {
            self.centres = centres
            sums = [Double](repeating: 0, count: k * cols)
            counts = [Int64](repeating: 0, count: k)
            shift = [Float](repeating: 0, count: k)
            halfGap = LloydIterations.halfGaps(centres, clusters: k, cols: cols)
        }
    }

    let data: CentredRows
    let clusters: Int
    let maxIterations: Int
    /// Absolute: `tol` times the mean column variance.
    let tolerance: Double

    /// Rows per tile: the E-step's unit of work and of scratch memory.
    static let tileRows = 1024

    /// Runs every restart to convergence from its initial centres; `labels` (restarts × rows) receive the
    /// final assignments.
    func run(initialCentres: [[Float]], labels: inout [Int32], isCancelled: () -> Bool) throws -> [Run] {
        let n = data.rows, d = data.cols, k = clusters
        var runs = initialCentres.map { Run(centres: $0, clusters: k, cols: d) }
        labels = [Int32](repeating: -1, count: runs.count * n)
        var bounds = HamerlyBounds(restarts: runs.count, rows: n)
        while runs.contains(where: { $0.state != .done }) {
            if isCancelled() { throw CancellationError() }
            let active = runs.indices.filter { runs[$0].state != .done }
            let moves = assign(active.map { runs[$0] }, restarts: active, labels: &labels, bounds: &bounds)
            for (a, r) in active.enumerated() {
                runs[r].bounded = true
                for e in runs[r].sums.indices { runs[r].sums[e] += moves.sums[a][e] }
                for j in 0..<k { runs[r].counts[j] += moves.counts[a][j] }
                if runs[r].state == .finalAssignment {
                    runs[r].state = .done
                    continue
                }
                runs[r].iterations += 1
                let old = runs[r].centres
                let updated = labels.withUnsafeBufferPointer { labels in
                    newCentres(runs[r], labels: labels.baseAddress! + r * n)
                }
                runs[r].centres = updated
                runs[r].shift = (0..<k).map { Float(Self.squaredShift(old, updated, range: ($0 * d)..<(($0 + 1) * d)).squareRoot()) }
                runs[r].halfGap = Self.halfGaps(updated, clusters: k, cols: d)
                if moves.changed[a] == 0 {
                    // Strict convergence: the centres are the means of unchanged labels, i.e. the old ones.
                    runs[r].converged = true
                    runs[r].state = .done
                } else if Self.squaredShift(old, updated, range: old.indices) <= tolerance {
                    runs[r].converged = true
                    runs[r].state = .finalAssignment
                } else if runs[r].iterations >= maxIterations {
                    runs[r].state = .finalAssignment
                }
            }
        }
        for r in runs.indices {
            runs[r].inertia = labels.withUnsafeBufferPointer { labels in
                KMeans.exactInertia(data, centres: runs[r].centres, labels: labels.baseAddress! + r * n)
            }
        }
        return runs
    }

    /// What one pass gives each active restart: labels changed, and the moved rows' effect on the sums.
    struct Moves {
        var changed: [Int]
        var sums: [[Double]]
        var counts: [[Int64]]
    }

    /// The E-step for the active restarts: per tile of rows and restart, Hamerly's test picks the rows
    /// that may have a nearer centre (all rows before the first bounds), one GEMM scores them against the
    /// restart's centres, and the rows that changed cluster move between the clusters' sums.
    private func assign(_ runs: [Run], restarts: [Int], labels: inout [Int32], bounds: inout HamerlyBounds) -> Moves {
        let n = data.rows, d = data.cols, k = clusters, count = runs.count
        let slots = RowTiles.slots, tileRows = Self.tileRows
        var centreNorms = [Float](repeating: 0, count: count * k)
        let centres = runs.flatMap(\.centres)
        centres.withUnsafeBufferPointer { c in
            centreNorms.withUnsafeMutableBufferPointer { NearestCentres.rowSquaredNorms(c.baseAddress!, count: count * k, cols: d, into: $0.baseAddress!) }
        }
        let largest = runs.map { run in run.shift.indices.max { run.shift[$0] < run.shift[$1] } ?? 0 }
        let secondShift = runs.indices.map { a in runs[a].shift.indices.filter { $0 != largest[a] }.map { runs[a].shift[$0] }.max() ?? 0 }
        let shifts = runs.flatMap(\.shift), gaps = runs.flatMap(\.halfGap)
        // Per slot and restart: labels changed, and the moved rows' sums and counts.
        var changed = [Int](repeating: 0, count: slots * count)
        var sums = [Double](repeating: 0, count: slots * count * k * d)
        var counts = [Int64](repeating: 0, count: slots * count * k)
        let gathered = SlotBuffers<Float>(capacity: tileRows * d), scores = SlotBuffers<Float>(capacity: tileRows * k)
        let rowNorms = SlotBuffers<Float>(capacity: tileRows), needed = SlotBuffers<Int32>(capacity: tileRows)
        let from = SlotBuffers<Int32>(capacity: tileRows), to = SlotBuffers<Int32>(capacity: tileRows)
        let nearest = SlotBuffers<Float>(capacity: tileRows), second = SlotBuffers<Float>(capacity: tileRows)
        centres.withUnsafeBufferPointer { centres in
          centreNorms.withUnsafeBufferPointer { centreNorms in
            shifts.withUnsafeBufferPointer { shifts in
              gaps.withUnsafeBufferPointer { gaps in
                labels.withUnsafeMutableBufferPointer { labels in
                  changed.withUnsafeMutableBufferPointer { changed in
                    sums.withUnsafeMutableBufferPointer { sums in
                      counts.withUnsafeMutableBufferPointer { counts in
                        RowTiles(rows: n, tileRows: tileRows).forEach { slot, rows in
                            for a in 0..<count {
                                let cell = slot * count + a, offset = restarts[a] * n + rows.lowerBound
                                let rowLabels = labels.baseAddress! + offset
                                let upper = bounds.upper + offset, lower = bounds.lower + offset
                                let own = centres.baseAddress! + a * k * d, ownNorms = centreNorms.baseAddress! + a * k
                                // Which rows need every distance, gathered with their norms.
                                let picked: Int
                                if runs[a].bounded {
                                    picked = NearestCentres.screen(
                                        rows: data.row(rows.lowerBound), count: rows.count, cols: d, rowNorms: data.norms + rows.lowerBound,
                                        labels: rowLabels, upper: upper, lower: lower, centres: own, centreNorms: ownNorms,
                                        shift: shifts.baseAddress! + a * k, halfGap: gaps.baseAddress! + a * k, farthest: largest[a],
                                        largestShift: runs[a].shift[largest[a]], secondShift: secondShift[a], needed: needed[slot])
                                } else {
                                    picked = rows.count
                                    for q in 0..<picked { needed[slot][q] = Int32(q) }
                                }
                                guard picked > 0 else { continue }
                                for q in 0..<picked {
                                    let i = Int(needed[slot][q])
                                    (gathered[slot] + q * d).update(from: data.row(rows.lowerBound + i), count: d)
                                    rowNorms[slot][q] = data.norms[rows.lowerBound + i]
                                    from[slot][q] = rowLabels[i]
                                }
                                NearestCentres.scores(rows: gathered[slot], count: picked, cols: d, centres: own, centreCount: k,
                                                      into: scores[slot])
                                NearestCentres.nearestTwo(scores: scores[slot], stride: picked, count: picked, centreCount: k,
                                                          centreNorms: ownNorms, rowNorms: rowNorms[slot], labels: to[slot],
                                                          nearest: nearest[slot], second: second[slot])
                                for q in 0..<picked {
                                    let i = Int(needed[slot][q])
                                    if rowLabels[i] != to[slot][q] { changed[cell] += 1 }
                                    rowLabels[i] = to[slot][q]
                                    upper[i] = nearest[slot][q]
                                    lower[i] = second[slot][q]
                                }
                                NearestCentres.moveRows(gathered[slot], count: picked, cols: d, from: from[slot], to: to[slot],
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
        }
        // Slots are summed in a fixed order, so the result does not depend on the thread count.
        var moves = Moves(changed: [Int](repeating: 0, count: count),
                          sums: [[Double]](repeating: [Double](repeating: 0, count: k * d), count: count),
                          counts: [[Int64]](repeating: [Int64](repeating: 0, count: k), count: count))
        for slot in 0..<slots {
            for a in 0..<count {
                let cell = slot * count + a
                moves.changed[a] += changed[cell]
                for e in 0..<(k * d) { moves.sums[a][e] += sums[cell * k * d + e] }
                for j in 0..<k { moves.counts[a][j] += counts[cell * k + j] }
            }
        }
        return moves
    }

    /// The M-step: centres at the means of their rows. An empty cluster first takes the row farthest
    /// from its own (old) centre, as scikit-learn's `_relocate_empty_clusters_dense` (labels are left as
    /// they are, and the run's own sums too); a cluster still empty sits on the largest cluster's centre
    /// (`_average_centers`).
    private func newCentres(_ run: Run, labels: UnsafePointer<Int32>) -> [Float] {
        let d = data.cols, k = clusters
        var sums = run.sums, weights = run.counts.map(Double.init)
        let empty = (0..<k).filter { run.counts[$0] == 0 }
        if !empty.isEmpty {
            let distances = run.centres.withUnsafeBufferPointer { centres in
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

    /// Σ over `range` of the squared differences (scikit-learn's `center_shift_tot` over all centres).
    static func squaredShift(_ a: [Float], _ b: [Float], range: Range<Int>) -> Double {
        var total = 0.0
        for i in range {
            let difference = Double(a[i]) - Double(b[i])
            total += difference * difference
        }
        return total
    }

    /// Half the distance from each centre to its nearest other centre (infinite with one centre): a row
    /// closer than that to its own centre has no nearer one.
    static func halfGaps(_ centres: [Float], clusters k: Int, cols d: Int) -> [Float] {
        var gaps = [Float](repeating: .infinity, count: k)
        for a in 0..<k {
            for b in (a + 1)..<max(k, a + 1) {
                let half = Float(distance(centres, a, b, cols: d) / 2)
                gaps[a] = min(gaps[a], half)
                gaps[b] = min(gaps[b], half)
            }
        }
        return gaps
    }

    private static func distance(_ centres: [Float], _ a: Int, _ b: Int, cols d: Int) -> Double {
        var total = 0.0
        for j in 0..<d {
            let difference = Double(centres[a * d + j]) - Double(centres[b * d + j])
            total += difference * difference
        }
        return total.squareRoot()
    }
}

/// Hamerly's per-row bounds for every restart (restarts × rows): an upper bound on the distance to the
/// row's own centre and a lower bound on the distance to any other.
struct HamerlyBounds {
    let upper: UnsafeMutablePointer<Float>
    let lower: UnsafeMutablePointer<Float>
    private let owner: Storage

    init(restarts: Int, rows: Int) {
        owner = Storage(count: max(1, restarts * rows))
        upper = owner.upper
        lower = owner.lower
    }

    private final class Storage {
        let upper: UnsafeMutablePointer<Float>
        let lower: UnsafeMutablePointer<Float>

        init(count: Int) {
            upper = .allocate(capacity: count)
            lower = .allocate(capacity: count)
            upper.initialize(repeating: 0, count: count)
            lower.initialize(repeating: 0, count: count)
        }

        deinit {
            upper.deallocate()
            lower.deallocate()
        }
    }
}
