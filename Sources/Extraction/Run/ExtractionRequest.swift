import Foundation
import Numerics
import Store

/// What `layerscope extract` was asked to do.
public struct ExtractionRequest: Sendable {
    public var checkpoint: URL
    public var audio: URL
    public var alignments: URL
    public var speakers: URL
    public var out: URL
    /// The model's name in the store; by default the checkpoint folder's name.
    public var model: String?
    /// Hidden states to keep; all of them by default.
    public var layers: ClosedRange<Int>?
    public var tier: String?
    /// `pinyin`, `plain`, or a TSV mapping file.
    public var scheme = "pinyin"
    public var includeInitials = false
    /// `--speaker-from REGEX`.
    public var speakerFrom: String?
    /// `--utterances FILE` and the column in it that names the speaker.
    public var utterances: URL?
    public var speakerColumn = "speaker"
    public var shard = Shard.whole
    /// Stop at the first bad utterance instead of skipping it.
    public var strict = false
    public var dtype: ScalarType = .float16
    /// Write every head's framewise logits (the whole model then runs, whatever `layers` says).
    public var logits = true
    /// Discard staged work made with other settings instead of refusing to continue.
    public var fresh = false

    public init(checkpoint: URL, audio: URL, alignments: URL, speakers: URL, out: URL) {
        self.checkpoint = checkpoint
        self.audio = audio
        self.alignments = alignments
        self.speakers = speakers
        self.out = out
    }
}

/// `--shard I/N`: utterance k (in name order) belongs to shard k mod N; I counts from 0, as Slurm's
/// `SLURM_ARRAY_TASK_ID` does for `--array=0-(N-1)`.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `I/N` with 0 ≤ I < N.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the utterance at `position` (0-based, in name order) is this shard's.
    public func contains(position: Int) -> Bool { position % count == index }
}

/// How a run was made, recorded as JSON in the model's `settings` (sorted keys, so equal settings
/// are equal strings): merge and resumption compare it, and the engine reads it to compute layers
/// the store lacks. Paths are recorded as `StorePaths` records them.
public struct ExtractionSettings: Codable, Sendable, Equatable {
    public var audio: String
    public var alignments: String
    public var speakers: String
    /// `folder`, `regex:PATTERN` or `utterances:FILE`.
    public var speakerSource: String
    public var tier: String?
    public var scheme: String
    public var includeInitials: Bool
    public var layers: [Int]
    public var dtype: String
    public var logits: Bool
    public var samplingRate: Int
    /// A digest of the checkpoint's config and weights, so a changed checkpoint is noticed.
    public var checkpointDigest: String
    /// `I/N` for a shard, nil for a whole corpus (and for merged shards).
    public var shard: String?
    /// How a token's frame is chosen.
    public var frameRule = "central 20 ms frame, clamped to the last model frame"

    enum CodingKeys: String, CodingKey {
        case audio, alignments, speakers, speakerSource = "speaker_source", tier, scheme
        case includeInitials = "include_initials", layers, dtype, logits, samplingRate = "sampling_rate"
        case checkpointDigest = "checkpoint_digest", shard, frameRule = "frame_rule"
    }

    /// The JSON the store records.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    public static func decode(_ json: String) -> ExtractionSettings? {
        try? JSONDecoder().decode(ExtractionSettings.self, from: Data(json.utf8))
    }
}

/// Source paths as a store records them: relative to the store folder when they lie inside the
/// store's parent folder (so a project folder holding the store and its corpus can move as one),
/// absolute otherwise.
public enum StorePaths {
    public static func record(_ url: URL, store: URL) -> String {
        let target = url.standardizedFileURL.path
        let storePath = store.standardizedFileURL.path
        let parent = store.standardizedFileURL.deletingLastPathComponent().path
        let parentPrefix = parent.hasSuffix("/") ? parent : parent + "/"
        guard target.hasPrefix(parentPrefix) || target == storePath else { return target }
        if target == storePath { return "." }
        if target.hasPrefix(storePath + "/") { return String(target.dropFirst(storePath.count + 1)) }
        return "../" + target.dropFirst(parentPrefix.count)
    }

    /// The file a recorded path names, for the store at `store`.
    public static func resolve(_ recorded: String, store: URL) -> URL {
        if recorded.hasPrefix("/") { return URL(fileURLWithPath: recorded).standardizedFileURL }
        return store.standardizedFileURL.appendingPathComponent(recorded).standardizedFileURL
    }
}
