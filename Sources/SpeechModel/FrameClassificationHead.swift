import Foundation
import Numerics
import Store

/// A framewise classifier on top of the encoder: logits = input · Wᵀ + b for every frame. Either
/// transformers' `Wav2Vec2ForAudioFrameClassification.classifier` (task "classifier", labels from
/// config.json's id2label) or one of layerscope's multi-task heads `heads.<task>` (tasks and labels
/// from config.json's `layerscope` key; see docs/SPEECHMODEL.md).
public struct FrameClassificationHead: Sendable {
    /// What a head reads: the encoder's `last_hidden_state`, or (transformers' `use_weighted_layer_sum`)
    /// the softmax-weighted sum of hidden states 0 … L.
    enum Input: Sendable {
        case lastHiddenState
        case weightedLayerSum([Float])
    }

    public let task: FrameTask
    let linear: Linear
    let input: Input

    /// The task name of a `Wav2Vec2ForAudioFrameClassification` checkpoint's classifier.
    public static let classifierTask = "classifier"

    /// The heads a checkpoint holds: its classifier (when saved from `Wav2Vec2ForAudioFrameClassification`
    /// or holding `classifier.weight`) and the tasks of its `layerscope` key.
    static func load(config: Wav2Vec2Config, weights: CheckpointWeights) throws -> [FrameClassificationHead] {
        var heads: [FrameClassificationHead] = []
        let h = config.hiddenSize
        if config.architecture == "Wav2Vec2ForAudioFrameClassification" || weights.contains("classifier.weight") {
            let task = FrameTask(name: classifierTask, labels: config.classifierLabels)
            let linear = try Linear("classifier", in: h, out: task.labels.count, load: weights.tensor)
            var input = Input.lastHiddenState
            if config.useWeightedLayerSum {
                let raw = try weights.tensor("layer_weights", [config.layerCount + 1]).values
                let top = raw.max() ?? 0
                let exps = raw.map { Foundation.exp(Double($0 - top)) }
                let total = exps.reduce(0, +)
                input = .weightedLayerSum(exps.map { Float($0 / total) })
            }
            heads.append(FrameClassificationHead(task: task, linear: linear, input: input))
        }
        for task in config.tasks {
            if task.name == classifierTask, !heads.isEmpty {
                throw StoreError(weights.directory.appendingPathComponent("config.json"), "key 'layerscope': task \"classifier\" clashes with the checkpoint's classifier")
            }
            let linear = try Linear("heads.\(task.name)", in: h, out: task.labels.count, load: weights.tensor)
            heads.append(FrameClassificationHead(task: task, linear: linear, input: .lastHiddenState))
        }
        return heads
    }

    /// Framewise logits (frames × classes) for `frames` rows of input (frames × hidden).
    func logits(_ x: UnsafePointer<Float>, frames: Int) -> Matrix<Float> {
        var result = Matrix<Float>(rows: frames, cols: linear.outFeatures)
        result.storage.withUnsafeMutableBufferPointer { buffer in
            guard let target = buffer.baseAddress else { return }
            linear.apply(x, stride: linear.inFeatures, rows: frames, into: target, stride: linear.outFeatures)
        }
        return result
    }
}
