import Foundation
import Numerics
import SpeechModel

/// SpeechModel's wav2vec2 as the model extraction runs.
extension Wav2Vec2Model: ExtractionModel {
    public var headTasks: [HeadTask] { tasks.map { HeadTask(name: $0.name, classes: $0.labels) } }

    public func run(_ samples: [Float], layers: Set<Int>, heads: Bool,
                    onHiddenState: (Int, Matrix<Float>) throws -> Void) throws -> [String: Matrix<Float>] {
        // forward's callback is optional, so formally escaping; it is only called during the pass.
        try withoutActuallyEscaping(onHiddenState) { callback in
            try forward(samples, layers: layers, heads: heads, onHiddenState: callback).logits
        }
    }
}

extension ExtractionEnvironment {
    /// Checkpoints through `Wav2Vec2Model.load`, audio through libsndfile (`AudioFile`), mixed to
    /// mono and resampled to the model's rate.
    public static let standard = ExtractionEnvironment(
        loadModel: { try Wav2Vec2Model.load(directory: $0) },
        readAudio: { url, rate in
            let file = try AudioFile.read(url)
            return AudioSamples(samples: file.mono(sampleRate: rate), duration: Double(file.frameCount) / Double(file.sampleRate))
        })
}
