import Foundation
import Numerics

/// Picks the rows of a hidden state (frames × dim) at the token frames and encodes them in the
/// store's element type, checking that every value fits it.
enum TokenRows {
    /// Why a hidden state cannot be stored.
    struct Unstorable: Error {
        let message: String
    }

    /// Rows `frames` of `state`, as little-endian float16 or float32 bytes.
    static func gather(_ state: Matrix<Float>, frames: [Int], dtype: ScalarType) throws(Unstorable) -> Data {
        let dim = state.cols
        var picked = [Float](repeating: 0, count: frames.count * dim)
        state.storage.withUnsafeBufferPointer { source in
            picked.withUnsafeMutableBufferPointer { target in
                for (row, frame) in frames.enumerated() {
                    let from = source.baseAddress! + frame * dim
                    (target.baseAddress! + row * dim).update(from: from, count: dim)
                }
            }
        }
        let nonfinite = picked.withUnsafeBufferPointer { FiniteCheck.nonfiniteRows($0.baseAddress!, rows: frames.count, cols: dim) }
        guard frames.isEmpty || nonfinite == 0 else {
            throw Unstorable(message: "the model's output holds NaN or infinity at \(nonfinite) token\(nonfinite == 1 ? "" : "s")")
        }
        switch dtype {
        case .float32:
            return picked.withUnsafeBytes { Data($0) }
        case .float16:
            guard !picked.isEmpty else { return Data() }
            var half = [UInt16](repeating: 0, count: picked.count)
            picked.withUnsafeBufferPointer { source in
                half.withUnsafeMutableBufferPointer { HalfPrecision.narrow(source.baseAddress!, into: $0.baseAddress!, count: picked.count) }
            }
            let overflow = half.withUnsafeBufferPointer { FiniteCheck.nonfiniteRows(half: $0.baseAddress!, rows: frames.count, cols: dim) }
            guard overflow == 0 else {
                throw Unstorable(message: "the model's output exceeds float16's range (±65504) at \(overflow) token\(overflow == 1 ? "" : "s"); extract with --dtype float32")
            }
            return half.withUnsafeBytes { Data($0) }
        }
    }

    /// A whole matrix as little-endian float32 bytes (framewise logits).
    static func float32Bytes(_ matrix: Matrix<Float>) -> Data {
        matrix.storage.withUnsafeBytes { Data($0) }
    }
}
