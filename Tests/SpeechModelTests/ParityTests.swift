import Foundation
import Numerics
import Testing
@testable import SpeechModel

/// Every hidden state and every head's logits agree with transformers 5.23 on the committed tiny
/// checkpoints, to max |Δ| ≤ 1e-4 · max |reference|, from the audio file onwards.
@Suite struct ParityTests {
    static let tolerance: Float = 1e-4

    static let cases: [(checkpoint: String, clip: String, audio: String)] = [
        ("group-postln", "clip16k", "clip16k.wav"),
        ("group-postln", "clip22k", "clip22k-stereo.flac"),
        ("layer-stable", "clip16k", "clip16k.wav"),
        ("frame-classifier", "clip16k", "clip16k.wav"),
        ("frame-classifier", "clip22k", "clip22k-stereo.flac"),
        ("weighted-classifier", "clip16k", "clip16k.wav"),
        ("multitask", "clip16k", "clip16k.wav"),
    ]

    @Test(arguments: 0..<cases.count)
    func hiddenStatesAndLogitsMatchTransformers(_ index: Int) throws {
        let (name, clip, audioName) = Self.cases[index]
        let model = try Wav2Vec2Model.load(directory: try Fixture.checkpoint(name))
        let audio = try AudioFile.readMono(try Fixture.audio(audioName), sampleRate: model.preprocessing.samplingRate)
        let expected = try Fixture.expected("\(name)-\(clip)-hidden")
        #expect(expected.shape == [model.layerCount + 1, model.frameCount(samples: audio.count), model.hiddenSize])

        let output = try model.forward(audio, layers: Set(0...model.layerCount), heads: true)
        for layer in 0...model.layerCount {
            let state = try #require(output.hiddenStates[layer])
            let reference = expected.matrix(layer)
            #expect(state.rows == reference.rows && state.cols == reference.cols)
            let error = relativeError(state.storage, reference.storage)
            #expect(error <= Self.tolerance, "\(name) \(clip) hidden state \(layer): relative error \(error)")
        }
        let tasks = model.tasks.map(\.name)
        #expect(Set(output.logits.keys) == Set(tasks))
        for task in tasks {
            let reference = try Fixture.expected("\(name)-\(clip)-logits-\(task)").matrix
            let logits = try #require(output.logits[task])
            #expect(logits.rows == reference.rows && logits.cols == reference.cols)
            let error = relativeError(logits.storage, reference.storage)
            #expect(error <= Self.tolerance, "\(name) \(clip) logits \(task): relative error \(error)")
        }
    }

    /// Stopping early gives the same states as the full pass, and only those asked for.
    @Test func truncatedPassMatchesTheFullOne() throws {
        let model = try Wav2Vec2Model.load(directory: try Fixture.checkpoint("group-postln"))
        let audio = try AudioFile.readMono(try Fixture.audio("clip16k.wav"))
        let expected = try Fixture.expected("group-postln-clip16k-hidden")
        let states = try model.hiddenStates(audio, upTo: 1)
        #expect(states.count == 2)
        for (layer, state) in states.enumerated() {
            #expect(relativeError(state.storage, expected.matrix(layer).storage) <= Self.tolerance)
        }
        let only = try model.forward(audio, layers: [2])
        #expect(Array(only.hiddenStates.keys) == [2])
        #expect(only.logits.isEmpty)
        let three = try #require(only.hiddenStates[2])
        #expect(relativeError(three.storage, expected.matrix(2).storage) <= Self.tolerance)
    }

    /// The streaming form hands each state over once, in order, and keeps none.
    @Test func streamingHandsOverEachStateInOrder() throws {
        let model = try Wav2Vec2Model.load(directory: try Fixture.checkpoint("layer-stable"))
        let audio = try AudioFile.readMono(try Fixture.audio("clip16k.wav"))
        var seen: [Int] = []
        let output = try model.forward(audio, layers: [0, 2]) { layer, state in
            seen.append(layer)
            #expect(state.cols == model.hiddenSize)
        }
        #expect(seen == [0, 2])
        #expect(output.hiddenStates.isEmpty)
    }

    /// Long input runs the feature encoder in several chunks; the seams must not show.
    @Test func chunkedFeatureEncoderMatchesOneChunk() throws {
        for name in ["group-postln", "layer-stable"] {
            let model = try Wav2Vec2Model.load(directory: try Fixture.checkpoint(name))
            let clip = try AudioFile.readMono(try Fixture.audio("clip16k.wav"))
            // Long enough for several chunks of `framesPerChunk` frames.
            var audio: [Float] = []
            while model.frameCount(samples: audio.count) < 3 * Wav2Vec2Model.framesPerChunk + 17 { audio += clip }
            let chunked = try model.forward(audio, layers: [0]).hiddenStates[0]
            let samples = audio.count
            let frames = model.frameCount(samples: samples)
            let whole = try model.forward(audio, layers: [0], framesPerChunk: frames).hiddenStates[0]
            let a = try #require(chunked), b = try #require(whole)
            #expect(a.rows == frames)
            #expect(relativeError(a.storage, b.storage) <= 1e-6, "\(name)")
        }
    }
}
