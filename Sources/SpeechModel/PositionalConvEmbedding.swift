import Foundation
import Numerics

/// The convolutional relative position embedding (transformers' `Wav2Vec2PositionalConvEmbedding`):
/// a grouped Conv1d over time with weight normalisation, "same" padding (one output dropped for an
/// even kernel, `Wav2Vec2SamePadLayer`), then GELU. Its output is added to the hidden states.
struct Wav2Vec2PositionalConvEmbedding: Sendable {
    let channels: Int
    let kernel: Int
    let groups: Int
    /// groups × (out per group) × (kernel · in per group), column j·in + i: the weight-normalised
    /// torch weight (out × in/groups × kernel) reordered to meet im2col rows.
    let weight: FloatTensor
    let bias: FloatTensor
    /// Output rows per im2col block, so the im2col matrix stays a few MB on long audio.
    static let blockRows = 256

    init(config: Wav2Vec2Config, weights: CheckpointWeights) throws {
        channels = config.hiddenSize
        kernel = config.positionalConvKernel
        groups = config.positionalConvGroups
        let perGroup = channels / groups
        let name = "encoder.pos_conv_embed.conv"
        let vShape = [channels, perGroup, kernel]
        let gShape = [1, 1, kernel]
        // weight_norm(dim=2): w[:, :, j] = g[j] · v[:, :, j] / ‖v[:, :, j]‖. transformers 4.x saved g and v
        // as weight_g / weight_v; torch's parametrizations API saves them as original0 / original1.
        let direction: FloatTensor
        let magnitude: FloatTensor?
        if weights.hasBase("\(name).parametrizations.weight.original1") {
            magnitude = try weights.base("\(name).parametrizations.weight.original0", gShape)
            direction = try weights.base("\(name).parametrizations.weight.original1", vShape)
        } else if weights.hasBase("\(name).weight_v") {
            magnitude = try weights.base("\(name).weight_g", gShape)
            direction = try weights.base("\(name).weight_v", vShape)
        } else {
            magnitude = nil  // weight normalisation already folded in
            direction = try weights.base("\(name).weight", vShape)
        }
        var scale = [Double](repeating: 1, count: kernel)
        if let magnitude {
            for j in 0..<kernel {
                var norm = 0.0
                for index in Swift.stride(from: j, to: direction.count, by: kernel) {
                    norm += Double(direction.pointer[index]) * Double(direction.pointer[index])
                }
                scale[j] = Double(magnitude.pointer[j]) / norm.squareRoot()
            }
        }
        let (channels, kernel) = (channels, kernel)
        weight = FloatTensor(shape: [groups, perGroup, kernel * perGroup]) { target in
            for o in 0..<channels {
                let (g, oLocal) = (o / perGroup, o % perGroup)
                for i in 0..<perGroup {
                    for j in 0..<kernel {
                        let value = Double(direction.pointer[(o * perGroup + i) * kernel + j]) * scale[j]
                        target[(g * perGroup + oLocal) * kernel * perGroup + j * perGroup + i] = Float(value)
                    }
                }
            }
        }
        bias = try weights.base("\(name).bias", [channels])
    }

    /// hidden (frames × channels) ← hidden + GELU(conv(hidden)).
    func addEmbedding(to hidden: UnsafeMutablePointer<Float>, frames: Int) {
        let perGroup = channels / groups
        let pad = kernel / 2
        let width = kernel * perGroup
        // One group's channels, time-major and zero-padded: output t reads padded rows t ..< t + kernel.
        let padded = ScratchBuffer(count: (frames + kernel) * perGroup)
        let rowsPerBlock = min(frames, Self.blockRows)
        let im2col = ScratchBuffer(count: rowsPerBlock * width)
        let embedding = ScratchBuffer(count: frames * channels)
        for t in 0..<frames { (embedding.pointer + t * channels).update(from: bias.pointer, count: channels) }
        for g in 0..<groups {
            padded.pointer.update(repeating: 0, count: (frames + kernel) * perGroup)
            for t in 0..<frames {
                (padded.pointer + (t + pad) * perGroup).update(from: hidden + t * channels + g * perGroup, count: perGroup)
            }
            var start = 0
            while start < frames {
                let rows = min(rowsPerBlock, frames - start)
                let (source, target) = (padded.pointer, im2col.pointer)
                ComputeThreads.parallelChunks(rows, minimumChunk: 64) { range in
                    for r in range { (target + r * width).update(from: source + (start + r) * perGroup, count: width) }
                }
                Float.gemm(transposeA: false, transposeB: true, m: rows, n: perGroup, k: width,
                           alpha: 1, a: im2col.pointer, lda: width, b: weight.pointer + g * perGroup * width, ldb: width,
                           beta: 1, c: embedding.pointer + start * channels + g * perGroup, ldc: channels)
                start += rows
            }
        }
        NeuralKernels.gelu(embedding.pointer, count: frames * channels)
        NeuralKernels.add(embedding.pointer, to: hidden, count: frames * channels)
    }
}
