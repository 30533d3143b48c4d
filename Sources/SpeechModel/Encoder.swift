import Numerics

/// The transformer stack: transformers' `Wav2Vec2Encoder` (post-LN: positional embedding, layer norm,
/// post-LN layers) or `Wav2Vec2EncoderStableLayerNorm` (positional embedding, pre-LN layers, and a
/// final layer norm that only `last_hidden_state` gets).
struct Wav2Vec2Encoder: Sendable {
    let posConvEmbed: Wav2Vec2PositionalConvEmbedding
    let layerNorm: LayerNorm
    let layers: [Wav2Vec2EncoderLayer]
    let stableLayerNorm: Bool
    let intermediateSize: Int

    init(config: Wav2Vec2Config, weights: CheckpointWeights) throws {
        let load = weights.base
        posConvEmbed = try Wav2Vec2PositionalConvEmbedding(config: config, weights: weights)
        layerNorm = try LayerNorm("encoder.layer_norm", size: config.hiddenSize, epsilon: config.layerNormEpsilon, load: load)
        layers = try (0..<config.layerCount).map { try Wav2Vec2EncoderLayer(index: $0, config: config, load: load) }
        stableLayerNorm = config.stableLayerNorm
        intermediateSize = config.intermediateSize
    }

    var hiddenSize: Int { layerNorm.size }

    /// Runs the projected features `x` (frames × hidden, overwritten) through the stack up to layer
    /// `upTo`, calling `emit(i, state)` with hidden state i = 0 … upTo as transformers'
    /// `output_hidden_states` numbers them: 0 is the input to the first layer, i the output of layer i.
    /// Layers after `upTo` are not computed. With `tieLast`, state L of a stable-layer-norm model is
    /// the encoder's output after its final layer norm rather than the last layer's raw output.
    func forward(_ x: UnsafeMutablePointer<Float>, frames: Int, upTo: Int, tieLast: Bool,
                 emit: (Int, UnsafePointer<Float>) throws -> Void) throws {
        let h = hiddenSize
        posConvEmbed.addEmbedding(to: x, frames: frames)
        if !stableLayerNorm { layerNorm.apply(x, stride: h, rows: frames, into: x, stride: h) }
        try emit(0, x)
        guard upTo > 0 else { return }
        let scratch = EncoderScratch(frames: frames, hidden: h, intermediate: intermediateSize)
        for (index, layer) in layers.prefix(upTo).enumerated() {
            if stableLayerNorm {
                layer.forwardStableLayerNorm(x, scratch: scratch)
            } else {
                layer.forward(x, scratch: scratch)
            }
            if index + 1 == layers.count, tieLast, stableLayerNorm {
                let last = ScratchBuffer(count: frames * h)
                finalLayerNorm(x, frames: frames, into: last.pointer)
                try emit(index + 1, last.pointer)
            } else {
                try emit(index + 1, x)
            }
        }
    }

    /// `last_hidden_state` from the last layer's output: the encoder's final layer norm for
    /// stable-layer-norm models (written into `output`), the output itself otherwise.
    func finalLayerNorm(_ x: UnsafePointer<Float>, frames: Int, into output: UnsafeMutablePointer<Float>) {
        let h = hiddenSize
        if stableLayerNorm {
            layerNorm.apply(x, stride: h, rows: frames, into: output, stride: h)
        } else {
            output.update(from: x, count: frames * h)
        }
    }
}
