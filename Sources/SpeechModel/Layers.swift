import Numerics

/// y = x·Wᵀ + b, as `torch.nn.Linear` (weight: out × in).
struct Linear: Sendable {
    let weight: FloatTensor
    let bias: FloatTensor?
    let inFeatures: Int
    let outFeatures: Int

    /// Reads `<name>.weight` (out × in) and `<name>.bias` (out) through `load`.
    init(_ name: String, in inFeatures: Int, out outFeatures: Int, bias: Bool = true,
         load: (String, [Int]) throws -> FloatTensor) throws {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = try load("\(name).weight", [outFeatures, inFeatures])
        self.bias = bias ? try load("\(name).bias", [outFeatures]) : nil
    }

    /// Writes `rows` rows of x·Wᵀ + b (x rows `xStride` apart) into y (rows `yStride` apart).
    func apply(_ x: UnsafePointer<Float>, stride xStride: Int, rows: Int,
               into y: UnsafeMutablePointer<Float>, stride yStride: Int) {
        guard rows > 0 else { return }
        if let bias {
            for r in 0..<rows { (y + r * yStride).update(from: bias.pointer, count: outFeatures) }
        }
        Float.gemm(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
                   alpha: 1, a: x, lda: xStride, b: weight.pointer, ldb: inFeatures,
                   beta: bias == nil ? 0 : 1, c: y, ldc: yStride)
    }
}

/// `torch.nn.LayerNorm` over the last dimension, with the epsilon of the module it mirrors.
struct LayerNorm: Sendable {
    let weight: FloatTensor
    let bias: FloatTensor
    let size: Int
    let epsilon: Float

    init(_ name: String, size: Int, epsilon: Float, load: (String, [Int]) throws -> FloatTensor) throws {
        self.size = size
        self.epsilon = epsilon
        weight = try load("\(name).weight", [size])
        bias = try load("\(name).bias", [size])
    }

    /// Normalises `rows` rows of x into y (which may be x).
    func apply(_ x: UnsafePointer<Float>, stride xStride: Int, rows: Int,
               into y: UnsafeMutablePointer<Float>, stride yStride: Int) {
        NeuralKernels.layerNormRows(x, stride: xStride, into: y, stride: yStride, rows: rows, cols: size,
                                    gamma: weight.pointer, beta: bias.pointer, epsilon: epsilon)
    }
}

/// Uninitialised float memory for intermediate activations, freed with the buffer.
final class ScratchBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    }

    deinit { pointer.deallocate() }

    /// A buffer of at least `count` values: `existing` if it is large enough, a new one otherwise.
    static func reuse(_ existing: ScratchBuffer?, count: Int) -> ScratchBuffer {
        if let existing, existing.count >= count { return existing }
        return ScratchBuffer(count: count)
    }
}

extension Matrix where Element == Float {
    /// A rows × cols matrix copied from `source` (rows `stride` apart).
    static func copying(_ source: UnsafePointer<Float>, rows: Int, cols: Int, stride: Int) -> Matrix<Float> {
        let storage = [Float](unsafeUninitializedCapacity: rows * cols) { buffer, initialized in
            if let target = buffer.baseAddress {
                if stride == cols {
                    target.initialize(from: source, count: rows * cols)
                } else {
                    for r in 0..<rows { (target + r * cols).initialize(from: source + r * stride, count: cols) }
                }
            }
            initialized = rows * cols
        }
        return Matrix(rows: rows, cols: cols, storage: storage)
    }
}

extension Linear {
    /// y ← y + x·Wᵀ + b for `rows` rows: the residual connection folded into the GEMM (β = 1).
    /// x must not overlap y.
    func apply(_ x: UnsafePointer<Float>, stride xStride: Int, rows: Int,
               adding y: UnsafeMutablePointer<Float>, stride yStride: Int) {
        guard rows > 0 else { return }
        if let bias {
            for r in 0..<rows { NeuralKernels.add(bias.pointer, to: y + r * yStride, count: outFeatures) }
        }
        Float.gemm(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
                   alpha: 1, a: x, lda: xStride, b: weight.pointer, ldb: inFeatures,
                   beta: 1, c: y, ldc: yStride)
    }
}
