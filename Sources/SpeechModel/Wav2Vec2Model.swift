import Foundation
import Numerics
import Store

/// A wav2vec2 checkpoint ready to run (transformers' `Wav2Vec2Model`, plus any framewise heads):
/// load it from a HuggingFace checkpoint folder, give it mono audio at `preprocessing.samplingRate`,
/// get hidden states 0 … L (frames × hidden each) and framewise logits. Immutable and thread-safe.
public final class Wav2Vec2Model: Sendable {
    public let directory: URL
    public let config: Wav2Vec2Config
    public let preprocessing: AudioPreprocessing
    /// Framewise heads, in config order: the classifier first, then the `layerscope` tasks.
    public let heads: [FrameClassificationHead]
    let featureEncoder: Wav2Vec2FeatureEncoder
    let featureProjection: Wav2Vec2FeatureProjection
    let encoder: Wav2Vec2Encoder

    /// Output frames the feature encoder computes per chunk: about 2.5 s of audio, which keeps its
    /// buffers near 50 MB for the standard conv stack however long the audio.
    public static let framesPerChunk = 128

    /// Loads config.json, preprocessor_config.json (optional) and model.safetensors (or its shards)
    /// from `directory`. float32 weights are read in place from the memory-mapped file; float16,
    /// bfloat16 and float64 weights are widened to float32 once, here.
    public static func load(directory: URL) throws -> Wav2Vec2Model {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw StoreError(directory, "is not a checkpoint folder (config.json and model.safetensors)")
        }
        let configURL = directory.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: configURL.path) else { throw StoreError(configURL, "is missing") }
        let config = try Wav2Vec2Config.load(configURL)
        let preprocessing = try AudioPreprocessing.load(directory: directory)
        let weights = try CheckpointWeights(directory: directory)
        return try Wav2Vec2Model(directory: directory, config: config, preprocessing: preprocessing, weights: weights)
    }

    private init(directory: URL, config: Wav2Vec2Config, preprocessing: AudioPreprocessing, weights: CheckpointWeights) throws {
        self.directory = directory
        self.config = config
        self.preprocessing = preprocessing
        featureEncoder = try Wav2Vec2FeatureEncoder(config: config, load: weights.base)
        featureProjection = try Wav2Vec2FeatureProjection(config: config, load: weights.base)
        encoder = try Wav2Vec2Encoder(config: config, weights: weights)
        heads = try FrameClassificationHead.load(config: config, weights: weights)
        try weights.checkAllUsed()
    }

    /// Transformer layers L; hidden states are numbered 0 … L.
    public var layerCount: Int { config.layerCount }

    /// Hidden states 0 … L: L + 1.
    public var hiddenStateCount: Int { config.layerCount + 1 }

    /// The sample rate the model reads (from preprocessor_config.json; 16 kHz by default).
    public var samplingRate: Int { preprocessing.samplingRate }

    /// The width of every hidden state.
    public var hiddenSize: Int { config.hiddenSize }

    /// The tasks of `heads`, in order.
    public var tasks: [FrameTask] { heads.map(\.task) }

    /// Frames (20 ms each for the standard conv stack) the model makes from `samples` samples.
    public func frameCount(samples: Int) -> Int { config.frameCount(samples: samples) }

    /// Runs the model on `samples` (mono, at `preprocessing.samplingRate`, not yet normalised: that
    /// happens here as the checkpoint says). Keeps the hidden states in `layers` and, with `heads`,
    /// computes every head's logits. The transformer stops after the highest layer needed, so
    /// `layers: [5]` on a 24-layer model costs the feature encoder plus 5/24 of the transformer.
    ///
    /// With `onHiddenState`, each kept state is handed over as soon as it is computed and not kept in
    /// the result, so a caller writing layers to disk holds one at a time; throwing from it stops the
    /// pass (a way to cancel).
    public func forward(
        _ samples: [Float], layers: Set<Int>, heads computeHeads: Bool = false,
        onHiddenState: ((Int, Matrix<Float>) throws -> Void)? = nil
    ) throws -> Wav2Vec2Output {
        try forward(samples, layers: layers, heads: computeHeads, framesPerChunk: Self.framesPerChunk,
                    onHiddenState: onHiddenState)
    }

    /// `forward` with the feature encoder's chunk size chosen (tests use it to check chunk seams).
    func forward(
        _ samples: [Float], layers: Set<Int>, heads computeHeads: Bool = false, framesPerChunk: Int,
        onHiddenState: ((Int, Matrix<Float>) throws -> Void)? = nil
    ) throws -> Wav2Vec2Output {
        if let bad = layers.first(where: { !(0...layerCount).contains($0) }) {
            throw SpeechModelError("layer \(bad) does not exist: the model has hidden states 0 to \(layerCount)")
        }
        let frames = frameCount(samples: samples.count)
        guard frames > 0 else {
            throw SpeechModelError("too short: \(samples.count) samples; the model needs at least \(config.minimumSamples) "
                                   + "(\(config.minimumSamples * 1000 / preprocessing.samplingRate) ms at \(preprocessing.samplingRate) Hz)")
        }
        let wantsHeads = computeHeads && !heads.isEmpty
        let upTo = wantsHeads ? layerCount : (layers.max() ?? -1)
        guard upTo >= 0 else { return Wav2Vec2Output(frameCount: frames, hiddenStates: [:], logits: [:]) }

        let h = hiddenSize
        let hidden = ScratchBuffer(count: frames * h)
        let input = preprocessing.prepare(samples)
        input.withUnsafeBufferPointer { buffer in
            featureEncoder.forEachChunk(buffer, framesPerChunk: framesPerChunk) { range, features in
                featureProjection.forward(features, rows: range.count, into: hidden.pointer + range.lowerBound * h, outputStride: h)
            }
        }

        var kept: [Int: Matrix<Float>] = [:]
        // A classifier with use_weighted_layer_sum reads Σᵢ wᵢ·stateᵢ, summed here as states appear.
        var layerSums: [String: ScratchBuffer] = [:]
        for head in wantsHeads ? heads : [] {
            guard case .weightedLayerSum = head.input else { continue }
            let sum = ScratchBuffer(count: frames * h)
            sum.pointer.initialize(repeating: 0, count: frames * h)
            layerSums[head.task.name] = sum
        }
        try encoder.forward(hidden.pointer, frames: frames, upTo: upTo, tieLast: config.tieLastHiddenState) { index, state in
            for head in heads {
                guard case .weightedLayerSum(let weights) = head.input, let sum = layerSums[head.task.name] else { continue }
                NeuralKernels.addScaled(state, by: weights[index], to: sum.pointer, count: frames * h)
            }
            guard layers.contains(index) else { return }
            let matrix = Matrix<Float>.copying(state, rows: frames, cols: h, stride: h)
            if let onHiddenState { try onHiddenState(index, matrix) } else { kept[index] = matrix }
        }

        var logits: [String: Matrix<Float>] = [:]
        if wantsHeads {
            let last = ScratchBuffer(count: frames * h)
            encoder.finalLayerNorm(hidden.pointer, frames: frames, into: last.pointer)
            for head in heads {
                let input = layerSums[head.task.name]?.pointer ?? last.pointer
                logits[head.task.name] = head.logits(input, frames: frames)
            }
        }
        return Wav2Vec2Output(frameCount: frames, hiddenStates: kept, logits: logits)
    }

    /// Hidden states 0 … `upTo` (all L + 1 when nil), element i being state i (frames × hidden).
    public func hiddenStates(_ samples: [Float], upTo: Int? = nil) throws -> [Matrix<Float>] {
        let last = upTo ?? layerCount
        let output = try forward(samples, layers: Set(0...max(0, last)))
        return (0...max(0, last)).compactMap { output.hiddenStates[$0] }
    }

    /// Every head's framewise logits (frames × classes), by task name.
    public func logits(_ samples: [Float]) throws -> [String: Matrix<Float>] {
        try forward(samples, layers: [], heads: true).logits
    }
}

/// What one forward pass returns.
public struct Wav2Vec2Output: Sendable {
    /// Frames in every hidden state and logit matrix.
    public let frameCount: Int
    /// The hidden states asked for (frames × hidden), by index 0 … L; empty when they went to a callback.
    public let hiddenStates: [Int: Matrix<Float>]
    /// Framewise logits (frames × classes) by task name, when heads were asked for.
    public let logits: [String: Matrix<Float>]
}
