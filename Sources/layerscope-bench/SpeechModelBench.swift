import ArgumentParser
import Foundation
import Numerics
import SpeechModel

/// wav2vec2 forward pass on one audio file: median seconds for all hidden states, for hidden states
/// up to layer `--layer` only, and for the feature encoder + positional embedding (state 0), plus peak RSS.
struct SpeechModelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speechmodel", abstract: "wav2vec2 forward-pass time and peak memory.")

    @Option(help: "A HuggingFace wav2vec2 checkpoint folder.")
    var checkpoint: String

    @Option(help: "An audio file (resampled to the model's rate if needed).")
    var audio: String

    @Option(help: "Repetitions; medians are reported.")
    var repeats = 5

    @Option(help: "The truncated pass stops after this layer.")
    var layer = 6

    @Flag(help: "Run one full pass only (for peak memory).")
    var once = false

    func run() throws {
        let core = BLASKernels.preferAVX512()
        ComputeThreads.configureBLAS()
        var load = 0.0
        var loaded: Wav2Vec2Model?
        load = try BenchClock.seconds { loaded = try Wav2Vec2Model.load(directory: URL(fileURLWithPath: checkpoint)) }
        guard let model = loaded else { return }
        let samples = try AudioFile.readMono(URL(fileURLWithPath: audio), sampleRate: model.preprocessing.samplingRate)
        let all = Set(0...model.layerCount)
        var full: [Double] = [], truncated: [Double] = [], front: [Double] = []
        for _ in 0..<(once ? 1 : repeats) {
            full.append(try BenchClock.seconds { _ = try model.forward(samples, layers: all) })
            if once { break }
            truncated.append(try BenchClock.seconds { _ = try model.forward(samples, layers: Set(0...min(layer, model.layerCount))) })
            front.append(try BenchClock.seconds { _ = try model.forward(samples, layers: [0]) })
        }
        BenchClock.report([
            "load_s": load,
            "threads": Double(ComputeThreads.count),
            "seconds_of_audio": Double(samples.count) / Double(model.preprocessing.samplingRate),
            "frames": Double(model.frameCount(samples: samples.count)),
            "full_median_s": BenchClock.median(full),
            "to_layer_median_s": BenchClock.median(truncated),
            "to_layer": Double(layer),
            "state0_median_s": BenchClock.median(front),
            "peak_rss_bytes": BenchClock.peakResidentBytes(),
            "blas_avx512_kernels": BLASKernels.avx512Cores.contains(core.lowercased()) ? 1 : 0,
        ])
    }
}
