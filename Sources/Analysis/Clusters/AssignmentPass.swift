import Numerics

/// Lloyd's E-step for several restarts at once, with Hamerly's bounds ("Making k-means even faster",
/// SDM 2010). Per tile of rows and restart: the bounds pick the rows that may have a nearer centre than
/// their own (every row before the first bounds exist), one GEMM scores them against the restart's
/// centres, each takes its nearest centre, and the rows that changed cluster move between the clusters'
/// sums, so the M-step needs no pass of its own.
struct AssignmentPass {
    let data: CentredRows
    let clusters: Int

    /// Rows per tile: the unit of work and of scratch memory.
    static let tileRows = 1024

    /// What the pass gives each restart: labels changed, and the moved rows' effect on the clusters'
    /// sums (k × cols) and counts.
    struct Moves {
        var changed: [Int]
        var sums: [[Double]]
        var counts: [[Int64]]
    }

    /// Assigns the rows for `runs` (restarts `restarts` of `labels` and `bounds`, restarts × rows each).
    func run(_ runs: [LloydIterations.Run], restarts: [Int], labels: UnsafeMutablePointer<Int32>, bounds: HamerlyBounds) -> Moves {
        let n = data.rows, d = data.cols, k = clusters, count = runs.count, slots = RowTiles.slots, height = Self.tileRows
        let centres = ScratchArray(runs.flatMap(\.centres))
        let centreNorms = ScratchArray<Float>(count: count * k)
        NearestCentres.rowSquaredNorms(centres.pointer, count: count * k, cols: d, into: centreNorms.pointer)
        let shifts = ScratchArray(runs.flatMap(\.shift)), gaps = ScratchArray(runs.flatMap(\.halfGap))
        // For the lower bounds: each restart's centre that moved most, and the largest move of the others.
        let farthest = runs.map { run in run.shift.indices.max { run.shift[$0] < run.shift[$1] } ?? 0 }
        let secondShift = runs.indices.map { a in runs[a].shift.indices.filter { $0 != farthest[a] }.map { runs[a].shift[$0] }.max() ?? 0 }
        // Per slot and restart: labels changed, the moved rows' sums and counts.
        let changed = ScratchArray<Int>(count: slots * count)
        let sums = ScratchArray<Double>(count: slots * count * k * d), counts = ScratchArray<Int64>(count: slots * count * k)
        let gathered = SlotBuffers<Float>(capacity: height * d), scores = SlotBuffers<Float>(capacity: height * k)
        let rowNorms = SlotBuffers<Float>(capacity: height), needed = SlotBuffers<Int32>(capacity: height)
        let from = SlotBuffers<Int32>(capacity: height), to = SlotBuffers<Int32>(capacity: height)
        let nearest = SlotBuffers<Float>(capacity: height), second = SlotBuffers<Float>(capacity: height)

        RowTiles(rows: n, tileRows: height).forEach { slot, rows in
            for a in 0..<count {
                let cell = slot * count + a, offset = restarts[a] * n + rows.lowerBound
                let rowLabels = labels + offset, upper = bounds.upper + offset, lower = bounds.lower + offset
                let own = centres.pointer + a * k * d, ownNorms = centreNorms.pointer + a * k
                let picked: Int
                if runs[a].bounded {
                    picked = NearestCentres.screen(
                        rows: data.row(rows.lowerBound), count: rows.count, cols: d, rowNorms: data.norms + rows.lowerBound,
                        labels: rowLabels, upper: upper, lower: lower, centres: own, centreNorms: ownNorms,
                        shift: shifts.pointer + a * k, halfGap: gaps.pointer + a * k, farthest: farthest[a],
                        largestShift: runs[a].shift[farthest[a]], secondShift: secondShift[a], needed: needed[slot])
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
                NearestCentres.scores(rows: gathered[slot], count: picked, cols: d, centres: own, centreCount: k, into: scores[slot])
                NearestCentres.nearestTwo(scores: scores[slot], stride: picked, count: picked, centreCount: k, centreNorms: ownNorms,
                                          rowNorms: rowNorms[slot], labels: to[slot], nearest: nearest[slot], second: second[slot])
                for q in 0..<picked {
                    let i = Int(needed[slot][q])
                    if rowLabels[i] != to[slot][q] { changed[cell] += 1 }
                    rowLabels[i] = to[slot][q]
                    upper[i] = nearest[slot][q]
                    lower[i] = second[slot][q]
                }
                NearestCentres.moveRows(gathered[slot], count: picked, cols: d, from: from[slot], to: to[slot],
                                        sums: sums.pointer + cell * k * d, counts: counts.pointer + cell * k)
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
}

/// Hamerly's per-row bounds for every restart (restarts × rows): an upper bound on the distance to the
/// row's own centre and a lower bound on the distance to any other.
struct HamerlyBounds {
    private let upperValues: ScratchArray<Float>
    private let lowerValues: ScratchArray<Float>

    var upper: UnsafeMutablePointer<Float> { upperValues.pointer }
    var lower: UnsafeMutablePointer<Float> { lowerValues.pointer }

    init(restarts: Int, rows: Int) {
        upperValues = ScratchArray(count: restarts * rows)
        lowerValues = ScratchArray(count: restarts * rows)
    }
}
