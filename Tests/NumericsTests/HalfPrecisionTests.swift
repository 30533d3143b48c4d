import Testing
@testable import Numerics

@Suite struct HalfPrecisionTests {
    /// Every one of the 65,536 half bit patterns widens to what Swift's own Float16 says.
    @Test func widenMatchesSwiftForEveryBitPattern() {
        let bits = (0...UInt16.max).map { $0 }
        let widened = HalfPrecision.widen(bits)
        for (i, pattern) in bits.enumerated() {
            let expected = Float(Float16(bitPattern: pattern))
            if expected.isNaN {
                #expect(widened[i].isNaN)
            } else {
                #expect(widened[i].bitPattern == expected.bitPattern, "pattern \(pattern)")
            }
        }
    }

    /// Narrowing rounds to nearest even, overflows to infinity, and keeps subnormals, as IEEE 754 says.
    @Test func narrowRoundsLikeSwift() {
        var values: [Float] = [0, -0, 1, -1, 65504, 65519.99, 65520, 1e6, -1e6, 5.96e-8, 2.98e-8, 2.99e-8,
                               6.1e-5, 1.0009765625, 1.00048828125, 1.000732421875, .infinity, -.infinity]
        var generator = SplitMix(seed: 7)
        for _ in 0..<20_000 {
            let exponent = Float(Int(generator.next() % 40) - 28)
            values.append(Float(Double(generator.next() % 1_000_000) / 1e6 + 0.5) * Float.pow2(exponent) * (generator.next() % 2 == 0 ? 1 : -1))
        }
        let narrowed = HalfPrecision.narrow(values)
        for (value, bits) in zip(values, narrowed) {
            #expect(bits == Float16(value).bitPattern, "value \(value)")
        }
        #expect(HalfPrecision.narrow([.nan]).allSatisfy { Float16(bitPattern: $0).isNaN })
    }

    @Test func countsRowsWithNonfiniteValues() {
        let rows: [Float] = [1, 2, 3, .nan, 5, 6, 7, 8, 9, 1, .infinity, -.infinity]
        rows.withUnsafeBufferPointer { buffer in
            #expect(FiniteCheck.nonfiniteRows(buffer.baseAddress!, rows: 4, cols: 3) == 2)
        }
        let half = HalfPrecision.narrow(rows)
        half.withUnsafeBufferPointer { buffer in
            #expect(FiniteCheck.nonfiniteRows(half: buffer.baseAddress!, rows: 4, cols: 3) == 2)
        }
    }
}

/// A small deterministic generator for test data.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Float {
    static func pow2(_ e: Float) -> Float { Float(sign: .plus, exponent: Int(e), significand: 1) }
}
