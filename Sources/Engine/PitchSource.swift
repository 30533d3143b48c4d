import Extraction
import Foundation
import Store

/// The F0 of utterances for the explorer's utterance view, tracked from the audio the store
/// recorded (Extraction's `PitchTracker`, on the 20 ms model frames). Remembers the last few.
public final class PitchSource: @unchecked Sendable {
    /// An utterance's F0 per frame (NaN where unvoiced), or why there is none.
    public enum Outcome: Equatable, Sendable {
        case track([Float])
        case unavailable(String)
    }

    private let store: EmbeddingStore
    private let readAudio: @Sendable (URL, Int) throws -> AudioSamples
    private let lock = NSLock()
    private var audio: [String: URL]?
    private var recent: [(name: String, frames: Int?, outcome: Outcome)] = []
    private static let remembered = 16
    private static let sampleRate = 16_000

    public init(store: EmbeddingStore, environment: ExtractionEnvironment = .standard) {
        self.store = store
        readAudio = environment.readAudio
    }

    /// The F0 of `utterance`, `frameCount` frames long (the model's frames; by default as many
    /// as the audio holds).
    public func track(utterance: String, frameCount: Int? = nil) -> Outcome {
        lock.lock()
        defer { lock.unlock() }
        if let known = recent.first(where: { $0.name == utterance && $0.frames == frameCount }) { return known.outcome }
        let outcome = compute(utterance, frameCount: frameCount)
        recent.insert((utterance, frameCount, outcome), at: 0)
        if recent.count > Self.remembered { recent.removeLast() }
        return outcome
    }

    private func compute(_ utterance: String, frameCount: Int?) -> Outcome {
        if audio == nil {
            let sources = (try? store.utteranceSources()) ?? []
            audio = Dictionary(sources.compactMap { source in source.audio.map { (source.name, StorePaths.resolve($0, store: store.url)) } },
                               uniquingKeysWith: { a, _ in a })
        }
        guard let url = audio?[utterance] else { return .unavailable("no audio recorded for \(utterance)") }
        guard FileManager.default.fileExists(atPath: url.path) else { return .unavailable("audio not found: \(url.path)") }
        do {
            let sound = try readAudio(url, Self.sampleRate)
            return .track(PitchTracker().track(sound.samples, sampleRate: Self.sampleRate, frameCount: frameCount).f0)
        } catch {
            return .unavailable("\(error)")
        }
    }
}
