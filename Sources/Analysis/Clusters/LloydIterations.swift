import Numerics

/// Lloyd's algorithm as scikit-learn's `_kmeans_single_lloyd` runs it, for several restarts side by side,
/// with Hamerly's bounds (`AssignmentPass`) to skip the rows that cannot have changed cluster. Each pass
/// assigns every row to its nearest centre (the E-step) and moves each centre to the
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

    /// Runs every restart to convergence from its initial centres; `labels` (restarts × rows) receive the
    /// final assignments.
    func run(initialCentres: [[Float]], labels: inout [Int32], isCancelled: () -> Bool) throws -> [Run] {
        let n = data.rows, d = data.cols, k = clusters
        var runs = initialCentres.map { Run(centres: $0, clusters: k, cols: d) }
        labels = [Int32](repeating: -1, count: runs.count * n)
        let bounds = HamerlyBounds(restarts: runs.count, rows: n)
        let pass = AssignmentPass(data: data, clusters: k)
        while runs.contains(where: { $0.state != .done }) {
            if isCancelled() { throw CancellationError() }
            let active = runs.indices.filter { runs[$0].state != .done }
            let moves = labels.withUnsafeMutableBufferPointer { labels in
                pass.run(active.map { runs[$0] }, restarts: active, labels: labels.baseAddress!, bounds: bounds)
            }
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
