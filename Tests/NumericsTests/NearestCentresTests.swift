import Foundation
import Numerics
import Testing

/// The k-means row kernels against distances computed one by one in double precision.
@Suite struct NearestCentresTests {
    static func random(_ rows: Int, _ cols: Int, seed: UInt64, scale: Double = 1) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<(rows * cols)).map { _ in Float(generator.nextGaussian() * scale) }
    }

    static func distance(_ x: [Float], _ i: Int, _ c: [Float], _ j: Int, cols: Int) -> Double {
        (0..<cols).reduce(0.0) { $0 + pow(Double(x[i * cols + $1]) - Double(c[j * cols + $1]), 2) }.squareRoot()
    }

    /// GEMM scores + nearestTwo give each row's nearest centre and the distances to the nearest and the
    /// next nearest. (Two equal centres may score a rounding apart in the GEMM, so either may win there.)
    @Test func nearestTwoMatchesBruteForce() {
        let n = 300, d = 13, k = 9
        let x = Self.random(n, d, seed: 1)
        var c = Self.random(k, d, seed: 2)
        for j in 0..<d { c[8 * d + j] = c[3 * d + j] }  // centre 8 duplicates centre 3
        var norms = [Float](repeating: 0, count: n), centreNorms = [Float](repeating: 0, count: k)
        var scores = [Float](repeating: 0, count: k * n)
        var labels = [Int32](repeating: 0, count: n), nearest = [Float](repeating: 0, count: n), second = [Float](repeating: 0, count: n)
        NearestCentres.rowSquaredNorms(x, count: n, cols: d, into: &norms)
        NearestCentres.rowSquaredNorms(c, count: k, cols: d, into: &centreNorms)
        NearestCentres.scores(rows: x, count: n, cols: d, centres: c, centreCount: k, into: &scores)
        NearestCentres.nearestTwo(scores: scores, stride: n, count: n, centreCount: k, centreNorms: centreNorms, rowNorms: norms,
                                  labels: &labels, nearest: &nearest, second: &second)
        for i in 0..<n {
            let distances = (0..<k).map { Self.distance(x, i, c, $0, cols: d) }
            let order = distances.indices.sorted { distances[$0] < distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }
            #expect(Int(labels[i]) == order[0] || abs(distances[Int(labels[i])] - distances[order[0]]) < 1e-5, "row \(i)")
            #expect(abs(Double(nearest[i]) - distances[order[0]]) < 1e-4)
            #expect(abs(Double(second[i]) - distances[order[1]]) < 1e-4)
        }
    }

    /// Equal scores go to the first centre, as scikit-learn's strict `<` scan.
    @Test func tiesGoToTheFirstCentre() {
        let scores: [Float] = [5, 1, 3,   2, 1, 3,   2, 0, 3]  // 3 centres (lines) × 3 rows
        var labels = [Int32](repeating: -1, count: 3), nearest = [Float](repeating: 0, count: 3), second = [Float](repeating: 0, count: 3)
        NearestCentres.nearestTwo(scores: scores, stride: 3, count: 3, centreCount: 3, centreNorms: [0, 0, 0], rowNorms: [10, 10, 10],
                                  labels: &labels, nearest: &nearest, second: &second)
        #expect(labels == [1, 2, 0])
        #expect(nearest == [Float(12).squareRoot(), Float(10).squareRoot(), Float(13).squareRoot()])
        #expect(second == [Float(12).squareRoot(), Float(11).squareRoot(), Float(13).squareRoot()])
    }

    /// Hamerly's screen never lets a row through whose nearest centre changed after the centres moved;
    /// and with centres that did not move and tight bounds, it lets every row through.
    @Test func screenKeepsEveryRowThatMayMove() {
        let n = 400, d = 6, k = 5
        let x = Self.random(n, d, seed: 3)
        let c = Self.random(k, d, seed: 4)
        var moved = c
        var generator = SplitMix64(seed: 5)
        for e in moved.indices { moved[e] += Float(generator.nextGaussian() * 0.2) }
        func nearestTwo(_ centres: [Float], _ i: Int) -> (Int, Double, Double) {
            let distances = (0..<k).map { Self.distance(x, i, centres, $0, cols: d) }
            let order = distances.indices.sorted { distances[$0] < distances[$1] }
            return (order[0], distances[order[0]], distances[order[1]])
        }
        var labels = [Int32](repeating: 0, count: n), upper = [Float](repeating: 0, count: n), lower = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let (label, first, second) = nearestTwo(c, i)
            labels[i] = Int32(label); upper[i] = Float(first); lower[i] = Float(second)
        }
        let shift = (0..<k).map { Float(Self.distance(c, $0, moved, $0, cols: d)) }
        let farthest = shift.indices.max { shift[$0] < shift[$1] }!
        let secondShift = shift.indices.filter { $0 != farthest }.map { shift[$0] }.max()!
        let gaps = (0..<k).map { a in Float((0..<k).filter { $0 != a }.map { Self.distance(moved, a, moved, $0, cols: d) }.min()! / 2) }
        var norms = [Float](repeating: 0, count: n), centreNorms = [Float](repeating: 0, count: k)
        NearestCentres.rowSquaredNorms(x, count: n, cols: d, into: &norms)
        NearestCentres.rowSquaredNorms(moved, count: k, cols: d, into: &centreNorms)
        var needed = [Int32](repeating: 0, count: n)
        let count = NearestCentres.screen(rows: x, count: n, cols: d, rowNorms: norms, labels: labels, upper: &upper, lower: &lower,
                                          centres: moved, centreNorms: centreNorms, shift: shift, halfGap: gaps, farthest: farthest,
                                          largestShift: shift[farthest], secondShift: secondShift, needed: &needed)
        let flagged = Set(needed[0..<count].map(Int.init))
        var changedRows = 0
        for i in 0..<n where nearestTwo(moved, i).0 != Int(labels[i]) {
            changedRows += 1
            #expect(flagged.contains(i), "row \(i) changed centre but was skipped")
        }
        #expect(changedRows > 0 && count < n, "the case should move some rows and skip others (\(changedRows), \(count))")
    }

    /// Rows that change cluster leave the old cluster's sums and counts and join the new one's.
    @Test func moveRowsUpdatesSums() {
        let x: [Float] = [1, 2, 3, 4, 5, 6]
        var sums: [Double] = [10, 10, 0, 0, 0, 0], counts: [Int64] = [2, 0, 0]
        NearestCentres.moveRows(x, count: 3, cols: 2, from: [0, -1, 1], to: [2, 1, 1], sums: &sums, counts: &counts)
        #expect(sums == [9, 8, 3, 4, 1, 2] && counts == [1, 1, 1])
        #expect(NearestCentres.squaredDistancesToAssigned(rows: x, count: 3, cols: 2, centres: [1, 2, 0, 0], labels: [0, 1, 0]) == 0 + 25 + 32)
    }
}
