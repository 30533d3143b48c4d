import Foundation
import Testing
@testable import Numerics

/// The C kernels against the same formulas evaluated in float64 with libm (erf, exp).
@Suite struct NeuralKernelsTests {
    /// Values spread over the range activations take, including the ends of GELU's curve.
    static func samples(_ count: Int, scale: Double, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float((Double(state >> 11) / Double(1 << 53) * 2 - 1) * scale)
        }
    }

    @Test func geluMatchesTheErfForm() {
        var x = Self.samples(100_003, scale: 12, seed: 1) + [0, -0, 1e-30, -1e-30, 30, -30, 100, -100]
        let expected = x.map { v -> Double in let d = Double(v); return 0.5 * d * (1 + erf(d / 2.squareRoot())) }
        x.withUnsafeMutableBufferPointer { NeuralKernels.gelu($0.baseAddress!, count: $0.count) }
        for (value, reference) in zip(x, expected) {
            #expect(abs(Double(value) - reference) <= 3e-7 * max(1, abs(reference)), "\(reference)")
        }
    }

    @Test(arguments: [1, 15, 16, 17, 499, 1500])
    func softmaxRowsMatchFloat64(_ cols: Int) {
        let rows = 7, stride = cols + 3, scale: Float = 0.125
        var x = Self.samples(rows * stride, scale: 40, seed: UInt64(cols))
        let original = x
        x.withUnsafeMutableBufferPointer { NeuralKernels.softmaxRows($0.baseAddress!, rows: rows, cols: cols, stride: stride, scale: scale) }
        for r in 0..<rows {
            let row = original[(r * stride)..<(r * stride + cols)].map { Double($0) * Double(scale) }
            let top = row.max()!
            let total = row.map { exp($0 - top) }.reduce(0, +)
            for c in 0..<cols {
                let reference = exp(row[c] - top) / total
                #expect(abs(Double(x[r * stride + c]) - reference) <= 1e-6 * max(reference, 1e-3))
            }
            // Padding between rows is left alone.
            for c in cols..<stride { #expect(x[r * stride + c] == original[r * stride + c]) }
        }
    }

    @Test(arguments: [3, 16, 33, 768])
    func layerNormMatchesFloat64(_ cols: Int) {
        let rows = 5
        // An offset far larger than the spread: the two-pass variance must not lose it.
        let x = Self.samples(rows * cols, scale: 1, seed: 9).map { $0 + 300 }
        let gamma = Self.samples(cols, scale: 2, seed: 3), beta = Self.samples(cols, scale: 1, seed: 4)
        var y = [Float](repeating: 0, count: rows * cols)
        NeuralKernels.layerNormRows(x, stride: cols, into: &y, stride: cols, rows: rows, cols: cols,
                                    gamma: gamma, beta: beta, epsilon: 1e-5)
        for r in 0..<rows {
            let row = x[(r * cols)..<((r + 1) * cols)].map(Double.init)
            let mean = row.reduce(0, +) / Double(cols)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(cols)
            for c in 0..<cols {
                let reference = (row[c] - mean) / (variance + 1e-5).squareRoot() * Double(gamma[c]) + Double(beta[c])
                #expect(abs(Double(y[r * cols + c]) - reference) <= 2e-3 * max(1, abs(reference)), "row \(r) col \(c)")
            }
        }
    }

    @Test func columnMomentsAndScaleShift() {
        let rows = 1000, cols = 5
        var x = Self.samples(rows * cols, scale: 3, seed: 5)
        var sums = [Double](repeating: 0, count: cols), squares = [Double](repeating: 0, count: cols)
        NeuralKernels.accumulateColumnMoments(x, rows: rows, cols: cols, stride: cols, sums: &sums, squares: &squares)
        for c in 0..<cols {
            let column = (0..<rows).map { Double(x[$0 * cols + c]) }
            #expect(abs(sums[c] - column.reduce(0, +)) < 1e-9)
            #expect(abs(squares[c] - column.map { $0 * $0 }.reduce(0, +)) < 1e-9)
        }
        let scale: [Float] = [1, 2, 3, 4, 5], shift: [Float] = [0, -1, 1, 0.5, 2]
        let before = x
        x.withUnsafeMutableBufferPointer {
            NeuralKernels.scaleShiftColumns($0.baseAddress!, rows: rows, cols: cols, stride: cols, scale: scale, shift: shift)
        }
        for i in x.indices {
            // One rounding with FMA (AVX2 and AVX-512 builds), two without: compare with the exact value.
            let product = Double(before[i]) * Double(scale[i % cols])
            let reference = product + Double(shift[i % cols])
            #expect(abs(Double(x[i]) - reference) <= 1.2e-7 * (abs(product) + abs(Double(shift[i % cols]))))
        }
        var total = before
        total.withUnsafeMutableBufferPointer { NeuralKernels.add(before, to: $0.baseAddress!, count: $0.count) }
        #expect(total == before.map { $0 + $0 })
    }
}
