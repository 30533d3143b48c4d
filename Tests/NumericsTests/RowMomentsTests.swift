import Testing
@testable import Numerics

@Suite struct RowMomentsTests {
    /// Rows with a large offset, a grouping summed by GEMM (3 classes, some rows without a value) and
    /// one summed row by row (200 classes): every moment equals the float64 definition.
    @Test func momentsMatchDefinition() {
        var generator = SplitMix64(seed: 11)
        let n = 3000, d = 9
        var x = Matrix<Float>(rows: n, cols: d)
        for i in 0..<n { for j in 0..<d { x[i, j] = Float(generator.nextGaussian()) + (j == 2 ? 5000 : 0) } }
        let small = (0..<n).map { Int32($0 % 7 == 0 ? -1 : $0 % 3) }
        let large = (0..<n).map { _ in Int32(generator.next() % 200) }
        let moments = RowMoments.accumulate(x, groupings: [RowGrouping(codes: small, classCount: 3),
                                                           RowGrouping(codes: large, classCount: 200)], blockRows: 512)
        #expect(moments.count == n)
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(x[i, j]) / Double(n) } }
        for j in 0..<d { #expect(abs(moments.mean[j] - mean[j]) < 1e-6) }  // float32 block sums, std 1
        let scatter = moments.centredScatter()
        for a in 0..<d {
            for b in 0..<d {
                let expected = (0..<n).reduce(0.0) { $0 + (Double(x[$1, a]) - mean[a]) * (Double(x[$1, b]) - mean[b]) }
                #expect(abs(scatter[a, b] - expected) < 1e-5 * Double(n))
            }
        }
        for (g, codes) in [small, large].enumerated() {
            for c in 0..<moments.classCounts[g].count {
                let rows = (0..<n).filter { codes[$0] == Int32(c) }
                #expect(moments.classCounts[g][c] == rows.count)
                for j in 0..<d {
                    let expected = rows.reduce(0.0) { $0 + Double(x[$1, j]) - Double(moments.shift[j]) }
                    #expect(abs(moments.classSums[g][c, j] - expected) < 1e-3)
                }
            }
        }
    }

    /// The subset eigensolver returns the largest pairs of the full one; QR gives an orthonormal basis
    /// of the same column space.
    @Test func subsetEigenAndQR() throws {
        var generator = SplitMix64(seed: 3)
        let a = Matrix<Double>(rows: 30, cols: 8, storage: (0..<240).map { _ in generator.nextGaussian() })
        let s = BLAS.gram(a)
        let full = try LAPACK.symmetricEigen(s)
        let top = try LAPACK.symmetricEigen(s, largest: 3)
        for i in 0..<3 {
            #expect(abs(top.values[i] - full.values[7 - i]) < 1e-10)
            let dot = (0..<8).reduce(0.0) { $0 + top.vectors[$1, i] * full.vectors[$1, 7 - i] }
            #expect(abs(abs(dot) - 1) < 1e-10)
        }
        let q = try LAPACK.orthonormalColumns(a)
        let identity = BLAS.multiply(q, q, transposeA: true)
        for i in 0..<8 { for j in 0..<8 { #expect(abs(identity[i, j] - (i == j ? 1 : 0)) < 1e-12) } }
        // A = Q·(QᵀA): the basis spans A's columns.
        let back = BLAS.multiply(q, BLAS.multiply(q, a, transposeA: true))
        for (x, y) in zip(back.storage, a.storage) { #expect(abs(x - y) < 1e-10) }
    }

    /// Widening and shifting in parallel chunks equals doing it row by row.
    @Test func shiftedCopyMatchesSerial() {
        let values = (0..<(700 * 5)).map { Float($0 % 113) * 0.5 + 300 }
        let half = HalfPrecision.narrow(values)
        half.withUnsafeBufferPointer { buffer in
            let view = MatrixView(base: UnsafeRawPointer(buffer.baseAddress!), rows: 700, cols: 5, type: .float16, owner: nil)
            let shift: [Float] = [300, 301, 302, 303, 304]
            var out = [Float](repeating: 0, count: 690 * 5)
            out.withUnsafeMutableBufferPointer { view.copyRows(10..<700, subtracting: shift, into: $0.baseAddress!) }
            let widened = HalfPrecision.widen(half)
            for r in 0..<690 { for j in 0..<5 { #expect(out[r * 5 + j] == widened[(r + 10) * 5 + j] - shift[j]) } }
        }
    }
}
