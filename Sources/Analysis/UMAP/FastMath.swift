/// The power function of the layout's inner loop, x^y = 2^(y·log₂x), with polynomial log₂ and 2^x
/// (absolute error in log₂ below 6e-7, relative error of 2^x below 2e-7), without divisions or
/// libm calls: libm's `powf` dominated the layout's time, and its latency sits on the loop's
/// critical path. Scalar and 8-lane versions compute the same polynomials.
enum FastMath {
    // log₂(1 + u) ≈ u·P(u) on u ∈ [√½ − 1, √2 − 1] (least squares on Chebyshev nodes).
    static let l0: Float = 1.442_696_4, l1: Float = -0.721_364_05, l2: Float = 0.480_629_06
    static let l3: Float = -0.359_350_1, l4: Float = 0.295_634_6, l5: Float = -0.269_512_4, l6: Float = 0.172_132_76
    static let ln2: Float = 0.693_147_18
    /// 1.5·2²³: adding and subtracting it rounds to the nearest integer (the baseline x86-64
    /// target has no rounding instruction, and `rounded()` would call libm's rintf).
    static let roundingMagic: Float = 12_582_912

    /// log₂(x) for a positive, finite, normal x.
    @inline(__always)
    static func log2(_ x: Float) -> Float {
        let bits = x.bitPattern
        var exponent = Int32(bitPattern: bits >> 23) - 127
        var m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000)  // in [1, 2)
        if m > 1.414_213_6 {
            m *= 0.5
            exponent += 1
        }
        let u = m - 1
        let p = l0 + u * (l1 + u * (l2 + u * (l3 + u * (l4 + u * (l5 + u * l6)))))
        return Float(exponent) + u * p
    }

    /// 2^y, y clamped to float's normal range.
    @inline(__always)
    static func exp2(_ y: Float) -> Float {
        let y = min(max(y, -126), 126)
        let i = (y + roundingMagic) - roundingMagic
        let x = (y - i) * ln2  // in [−0.347, 0.347]
        let p = 1 + x * (1 + x * (0.5 + x * (1.0 / 6 + x * (1.0 / 24 + x * (1.0 / 120 + x * (1.0 / 720))))))
        return p * Float(bitPattern: UInt32(bitPattern: Int32(i) + 127) << 23)
    }

    /// x^y for x > 0.
    @inline(__always)
    static func pow(_ x: Float, _ y: Float) -> Float {
        exp2(y * log2(x))
    }

    /// log₂ of eight positive, finite, normal values.
    @inline(__always)
    static func log2(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        var exponent = SIMD8<Int32>(truncatingIfNeeded: bits &>> 23) &- 127
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self)
        let high = m .> 1.414_213_6
        m.replace(with: m * 0.5, where: high)
        exponent.replace(with: exponent &+ 1, where: high)
        let u: SIMD8<Float> = m - 1
        var p: SIMD8<Float> = u * l6 + l5
        p = p * u + l4
        p = p * u + l3
        p = p * u + l2
        p = p * u + l1
        p = p * u + l0
        return SIMD8<Float>(exponent) + u * p
    }

    /// 2^y for eight values, clamped to float's normal range.
    @inline(__always)
    static func exp2(_ y: SIMD8<Float>) -> SIMD8<Float> {
        let y = y.clamped(lowerBound: SIMD8(repeating: -126), upperBound: SIMD8(repeating: 126))
        let i: SIMD8<Float> = (y + roundingMagic) - roundingMagic
        let x: SIMD8<Float> = (y - i) * ln2
        let c6: Float = 1.0 / 720, c5: Float = 1.0 / 120, c4: Float = 1.0 / 24, c3: Float = 1.0 / 6
        var p: SIMD8<Float> = x * c6 + c5
        p = p * x + c4
        p = p * x + c3
        p = p * x + 0.5
        p = p * x + 1
        p = p * x + 1
        let scale = unsafeBitCast((SIMD8<Int32>(i, rounding: .towardZero) &+ 127) &<< 23, to: SIMD8<Float>.self)
        return p * scale
    }

    /// x^y for eight positive x.
    @inline(__always)
    static func pow(_ x: SIMD8<Float>, _ y: Float) -> SIMD8<Float> {
        exp2(y * log2(x))
    }
}
