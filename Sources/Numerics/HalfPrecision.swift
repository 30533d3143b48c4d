import CKernels

/// Bulk conversions between float16 (as raw bits), float32 and float64.
/// The corresponding C functions use F16C instructions when the CPU has them.
public enum HalfPrecision {
    /// Widens `count` binary16 values to float32. The corresponding C function is `ls_half_to_float`.
    public static func widen(_ source: UnsafePointer<UInt16>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        ls_half_to_float(source, destination, count)
    }

    /// Narrows `count` float32 values to binary16, rounding to nearest even.
    /// The corresponding C function is `ls_float_to_half`.
    public static func narrow(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<UInt16>, count: Int) {
        ls_float_to_half(source, destination, count)
    }

    /// Narrows `count` float64 values to float32. The corresponding C function is `ls_double_to_float`.
    public static func narrow(_ source: UnsafePointer<Double>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        ls_double_to_float(source, destination, count)
    }

    /// Widens an array of binary16 bit patterns.
    public static func widen(_ bits: [UInt16]) -> [Float] {
        [Float](unsafeUninitializedCapacity: bits.count) { buffer, initialized in
            bits.withUnsafeBufferPointer { source in
                if let base = source.baseAddress, let target = buffer.baseAddress {
                    ls_half_to_float(base, target, bits.count)
                }
            }
            initialized = bits.count
        }
    }

    /// Narrows an array of float32 values to binary16 bit patterns.
    public static func narrow(_ values: [Float]) -> [UInt16] {
        [UInt16](unsafeUninitializedCapacity: values.count) { buffer, initialized in
            values.withUnsafeBufferPointer { source in
                if let base = source.baseAddress, let target = buffer.baseAddress {
                    ls_float_to_half(base, target, values.count)
                }
            }
            initialized = values.count
        }
    }

    /// Whether the conversions run in hardware on this CPU.
    public static var isHardwareAccelerated: Bool { ls_has_f16c() != 0 }
}

/// Counting rows that hold NaN or infinity, which layerscope refuses to import silently.
public enum FiniteCheck {
    /// Rows (of `cols` float32 values each) holding a NaN or an infinity.
    public static func nonfiniteRows(_ values: UnsafePointer<Float>, rows: Int, cols: Int) -> Int {
        ls_count_nonfinite_rows(values, rows, cols)
    }

    /// Rows (of `cols` binary16 values each) holding a NaN or an infinity.
    public static func nonfiniteRows(half values: UnsafePointer<UInt16>, rows: Int, cols: Int) -> Int {
        ls_count_nonfinite_rows_half(values, rows, cols)
    }
}
