import Foundation
import Numerics

/// Buffers one forward pass reuses from layer to layer.
final class EncoderScratch {
    let frames: Int
    let query: ScratchBuffer
    let key: ScratchBuffer
    let value: ScratchBuffer
    let context: ScratchBuffer
    let normed: ScratchBuffer
    let scores: ScratchBuffer
    let intermediate: ScratchBuffer
    let queryBlock: Int
    let feedForwardBlock: Int

    init(frames: Int, hidden: Int, intermediate: Int) {
        self.frames = frames
        query = ScratchBuffer(count: frames * hidden)
        key = ScratchBuffer(count: frames * hidden)
        value = ScratchBuffer(count: frames * hidden)
        context = ScratchBuffer(count: frames * hidden)
        normed = ScratchBuffer(count: frames * hidden)
        // Attention scores for a block of queries at a time: at most ~2M values (8 MB) however long the audio.
        queryBlock = max(1, min(frames, max(64, (1 << 21) / max(frames, 1))))
        scores = ScratchBuffer(count: queryBlock * frames)
        feedForwardBlock = min(frames, 1024)
        self.intermediate = ScratchBuffer(count: feedForwardBlock * intermediate)
    }
}

/// Multi-head self-attention (transformers' `Wav2Vec2Attention`, eval mode, no mask).
struct Wav2Vec2Attention: Sendable {
    let qProj: Linear
    let kProj: Linear
    let vProj: Linear
    let outProj: Linear
    let heads: Int
    let headDim: Int

    init(_ name: String, config: Wav2Vec2Config, load: (String, [Int]) throws -> FloatTensor) throws {
        let h = config.hiddenSize
        qProj = try Linear("\(name).q_proj", in: h, out: h, load: load)
        kProj = try Linear("\(name).k_proj", in: h, out: h, load: load)
        vProj = try Linear("\(name).v_proj", in: h, out: h, load: load)
        outProj = try Linear("\(name).out_proj", in: h, out: h, load: load)
        heads = config.attentionHeads
        headDim = h / heads
    }

    /// residual (frames × hidden) ← residual + attention(x); x and residual may be the same memory.
    func forward(_ x: UnsafePointer<Float>, addingTo residual: UnsafeMutablePointer<Float>, scratch: EncoderScratch) {
        let t = scratch.frames
        let h = qProj.outFeatures
        qProj.apply(x, stride: h, rows: t, into: scratch.query.pointer, stride: h)
        kProj.apply(x, stride: h, rows: t, into: scratch.key.pointer, stride: h)
        vProj.apply(x, stride: h, rows: t, into: scratch.value.pointer, stride: h)
        let scaling = Float(pow(Double(headDim), -0.5))
        let scores = scratch.scores.pointer
        for head in 0..<heads {
            let column = head * headDim
            var start = 0
            while start < t {
                let rows = min(scratch.queryBlock, t - start)
                // scores = Q_h · K_hᵀ for this block of queries; softmax(scaling · scores); context_h = P · V_h.
                Float.gemm(transposeA: false, transposeB: true, m: rows, n: t, k: headDim,
                           alpha: 1, a: scratch.query.pointer + start * h + column, lda: h,
                           b: scratch.key.pointer + column, ldb: h, beta: 0, c: scores, ldc: t)
                NeuralKernels.softmaxRows(scores, rows: rows, cols: t, stride: t, scale: scaling)
                Float.gemm(transposeA: false, transposeB: false, m: rows, n: headDim, k: t,
                           alpha: 1, a: scores, lda: t, b: scratch.value.pointer + column, ldb: h,
                           beta: 0, c: scratch.context.pointer + start * h + column, ldc: h)
                start += rows
            }
        }
        outProj.apply(scratch.context.pointer, stride: h, rows: t, adding: residual, stride: h)
    }
}

/// The position-wise feed-forward block (transformers' `Wav2Vec2FeedForward`): dense → GELU → dense.
struct Wav2Vec2FeedForward: Sendable {
    let intermediateDense: Linear
    let outputDense: Linear

    init(_ name: String, config: Wav2Vec2Config, load: (String, [Int]) throws -> FloatTensor) throws {
        intermediateDense = try Linear("\(name).intermediate_dense", in: config.hiddenSize, out: config.intermediateSize, load: load)
        outputDense = try Linear("\(name).output_dense", in: config.intermediateSize, out: config.hiddenSize, load: load)
    }

    /// residual ← residual + feedForward(x), a block of rows at a time; x and residual may be the same memory.
    func forward(_ x: UnsafePointer<Float>, addingTo residual: UnsafeMutablePointer<Float>, scratch: EncoderScratch) {
        let (h, width) = (intermediateDense.inFeatures, intermediateDense.outFeatures)
        var start = 0
        while start < scratch.frames {
            let rows = min(scratch.feedForwardBlock, scratch.frames - start)
            let inner = scratch.intermediate.pointer
            intermediateDense.apply(x + start * h, stride: h, rows: rows, into: inner, stride: width)
            NeuralKernels.gelu(inner, count: rows * width)
            outputDense.apply(inner, stride: width, rows: rows, adding: residual + start * h, stride: h)
            start += rows
        }
    }
}

/// One transformer layer. `forward` is transformers' post-LN `Wav2Vec2EncoderLayer`;
/// `forwardStableLayerNorm` is the pre-LN `Wav2Vec2EncoderLayerStableLayerNorm`. Both have the same weights.
struct Wav2Vec2EncoderLayer: Sendable {
    let attention: Wav2Vec2Attention
    let layerNorm: LayerNorm
    let feedForward: Wav2Vec2FeedForward
    let finalLayerNorm: LayerNorm

    init(index: Int, config: Wav2Vec2Config, load: (String, [Int]) throws -> FloatTensor) throws {
        let name = "encoder.layers.\(index)"
        attention = try Wav2Vec2Attention("\(name).attention", config: config, load: load)
        layerNorm = try LayerNorm("\(name).layer_norm", size: config.hiddenSize, epsilon: config.layerNormEpsilon, load: load)
        feedForward = try Wav2Vec2FeedForward("\(name).feed_forward", config: config, load: load)
        finalLayerNorm = try LayerNorm("\(name).final_layer_norm", size: config.hiddenSize, epsilon: config.layerNormEpsilon, load: load)
    }

    /// x ← final_layer_norm(y + feed_forward(y)), y = layer_norm(x + attention(x)).
    func forward(_ x: UnsafeMutablePointer<Float>, scratch: EncoderScratch) {
        let (t, h) = (scratch.frames, layerNorm.size)
        attention.forward(x, addingTo: x, scratch: scratch)
        layerNorm.apply(x, stride: h, rows: t, into: x, stride: h)
        feedForward.forward(x, addingTo: x, scratch: scratch)
        finalLayerNorm.apply(x, stride: h, rows: t, into: x, stride: h)
    }

    /// x ← y + feed_forward(final_layer_norm(y)), y = x + attention(layer_norm(x)).
    func forwardStableLayerNorm(_ x: UnsafeMutablePointer<Float>, scratch: EncoderScratch) {
        let (t, h) = (scratch.frames, layerNorm.size)
        let normed = scratch.normed.pointer
        layerNorm.apply(x, stride: h, rows: t, into: normed, stride: h)
        attention.forward(normed, addingTo: x, scratch: scratch)
        finalLayerNorm.apply(x, stride: h, rows: t, into: normed, stride: h)
        feedForward.forward(normed, addingTo: x, scratch: scratch)
    }
}
