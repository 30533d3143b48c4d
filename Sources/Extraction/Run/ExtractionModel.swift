import Foundation
import Numerics

/// What extraction needs from a speech model. `Wav2Vec2Model` (SpeechModel) is the real one;
/// tests use small stand-ins so resumability is checked in seconds.
public protocol ExtractionModel: Sendable {
    /// Hidden states are numbered 0 … hiddenStateCount − 1 (the transformer's layers + 1).
    var hiddenStateCount: Int { get }
    /// Values per frame in every hidden state.
    var hiddenSize: Int { get }
    /// The sample rate the model reads.
    var samplingRate: Int { get }
    /// The framewise heads, in order.
    var headTasks: [HeadTask] { get }
    /// Frames (20 ms each) the model makes from `samples` samples.
    func frameCount(samples: Int) -> Int
    /// Runs the model over `samples` (mono, at `samplingRate`), handing each hidden state in
    /// `layers` (frames × hiddenSize) to `onHiddenState` as soon as it is computed, stopping after
    /// the highest one unless `heads` asks for every head's logits (frames × classes, by task).
    func run(_ samples: [Float], layers: Set<Int>, heads: Bool,
             onHiddenState: (Int, Matrix<Float>) throws -> Void) throws -> [String: Matrix<Float>]
}

/// A framewise head: its task name and class names (column order of its logits).
public struct HeadTask: Sendable, Equatable, Codable {
    public var name: String
    public var classes: [String]

    public init(name: String, classes: [String]) {
        self.name = name
        self.classes = classes
    }
}

/// Audio as extraction reads it: mono samples at the model's rate, and the file's duration.
public struct AudioSamples: Sendable {
    public var samples: [Float]
    /// Seconds, from the file's own sample count and rate.
    public var duration: Double

    public init(samples: [Float], duration: Double) {
        self.samples = samples
        self.duration = duration
    }
}

/// How a run loads its model and reads audio; `.standard` uses SpeechModel.
public struct ExtractionEnvironment: Sendable {
    public var loadModel: @Sendable (URL) throws -> any ExtractionModel
    /// Reads a file as mono audio at the given sample rate.
    public var readAudio: @Sendable (URL, Int) throws -> AudioSamples

    public init(loadModel: @escaping @Sendable (URL) throws -> any ExtractionModel,
                readAudio: @escaping @Sendable (URL, Int) throws -> AudioSamples) {
        self.loadModel = loadModel
        self.readAudio = readAudio
    }
}
