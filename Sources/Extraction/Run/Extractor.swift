import Foundation
import Numerics
import Store

/// What an extraction did; its JSON form is `extract --json`.
public struct ExtractionSummary: Codable, Sendable {
    public var store: String
    public var model: String
    /// Utterances in the store from this extraction.
    public var utterances: Int
    /// Of those, run through the model now, and taken from an interrupted run's staging.
    public var computed: Int
    public var resumed: Int
    public var tokens: Int
    public var layers: [Int]
    public var tasks: [String]
    /// Seconds of audio run through the model now, and the wall-clock seconds of the whole run.
    public var audioSeconds: Double
    public var wallSeconds: Double
    /// Skipped utterances by kind of problem.
    public var skipped: [String: Int]
    /// Audio files with no TextGrid.
    public var unalignedAudio: Int
    /// The store already held this model with these settings and layers; nothing was done.
    public var alreadyComplete: Bool

    enum CodingKeys: String, CodingKey {
        case store, model, utterances, computed, resumed, tokens, layers, tasks
        case audioSeconds = "audio_seconds", wallSeconds = "wall_seconds", skipped
        case unalignedAudio = "unaligned_audio", alreadyComplete = "already_complete"
    }

    /// Audio seconds per wall second over the utterances computed now.
    public var throughput: Double { wallSeconds > 0 ? audioSeconds / wallSeconds : 0 }
}

/// Where a run stands, for a progress display.
public struct ExtractionProgress: Sendable {
    /// Utterances finished (computed, resumed or skipped) of `total`.
    public var done: Int
    public var total: Int
    /// Utterances run through the model in this run, and their audio seconds.
    public var computed: Int
    public var audioSeconds: Double
    /// Seconds since the model started on the first utterance of this run.
    public var elapsed: Double
    public var utterance: String
}

/// Runs a model over a corpus into a store (`layerscope extract`): one utterance at a time, each
/// staged as soon as it is done, then assembled into the store at the end. Killed at any point,
/// a rerun of the same command skips what is staged and writes the same store.
public enum Extractor {
    public static func run(_ request: ExtractionRequest, environment: ExtractionEnvironment,
                           progress: (ExtractionProgress) -> Void = { _ in },
                           problem: (UtteranceProblem) -> Void = { _ in }) throws -> ExtractionSummary {
        let wallStart = Date()
        let out = request.out.standardizedFileURL
        let modelName = request.model ?? request.checkpoint.standardizedFileURL.lastPathComponent
        try validateName(modelName)
        let speakers = try SpeakerTable.read(request.speakers)
        let scheme = try LabelScheme.named(request.scheme, includeInitials: request.includeInitials)
        let speakerSource: SpeakerSource
        if let file = request.utterances {
            guard request.speakerFrom == nil else { throw StoreError("--speaker-from", "give either --speaker-from or --utterances, not both") }
            speakerSource = try SpeakerSource.utterancesFile(file, column: request.speakerColumn)
        } else if let pattern = request.speakerFrom {
            speakerSource = try SpeakerSource.pattern(pattern)
        } else {
            speakerSource = .folder
        }
        let columns = scheme.columns + speakers.columns
        try checkColumns(scheme: scheme, speakers: speakers)
        let corpus = try Corpus.scan(audio: request.audio, alignments: request.alignments)
        let mine = corpus.utterances.enumerated().filter { request.shard.contains(position: $0.offset) }.map(\.element)

        let model = try environment.loadModel(request.checkpoint)
        let lastState = model.hiddenStateCount - 1
        let range = request.layers ?? 0...lastState
        guard range.upperBound <= lastState else {
            throw StoreError(request.checkpoint, "has hidden states 0-\(lastState); --layers \(range.lowerBound)-\(range.upperBound) asks for more")
        }
        let layers = Array(range)
        let tasks = request.logits ? model.headTasks : []
        for task in tasks { try validateName(task.name) }
        let settings = ExtractionSettings(
            audio: StorePaths.record(request.audio, store: out), alignments: StorePaths.record(request.alignments, store: out),
            speakers: StorePaths.record(request.speakers, store: out), speakerSource: speakerSource.settingsValue,
            tier: request.tier, scheme: scheme.settingsName, includeInitials: request.includeInitials, layers: layers,
            dtype: request.dtype.rawValue, logits: request.logits, samplingRate: model.samplingRate,
            checkpointDigest: try CheckpointDigest.of(request.checkpoint),
            shard: request.shard == .whole ? nil : request.shard.description).json()

        let work = try WorkFolder.locate(out: out, model: modelName)
        var summary = ExtractionSummary(store: out.path, model: modelName, utterances: 0, computed: 0, resumed: 0, tokens: 0,
                                        layers: layers, tasks: tasks.map(\.name), audioSeconds: 0, wallSeconds: 0, skipped: [:],
                                        unalignedAudio: corpus.unalignedAudio, alreadyComplete: false)
        if !work.createsStore, let done = try completed(out, model: modelName, settings: settings, layers: layers, columns: columns) {
            removeLeftovers(of: out, work: work)
            summary.alreadyComplete = true
            summary.utterances = done.utterances
            summary.tokens = done.tokens
            summary.wallSeconds = Date().timeIntervalSince(wallStart)
            return summary
        }
        let lock = try work.lock()
        defer { lock.release() }
        let plan = try work.prepare(WorkFolder.Plan(model: modelName, settings: settings, startedAt: StoreClock.now()),
                                    fresh: request.fresh)

        let runner = UtteranceRunner(model: model, environment: environment, corpus: corpus, speakers: speakers,
                                     speakerSource: speakerSource, scheme: scheme, tier: request.tier, layers: layers,
                                     tasks: tasks, dtype: request.dtype, work: work)
        var headers: [UtterancePart.Header] = []
        let computeStart = Date()
        for (position, utterance) in mine.enumerated() {
            do {
                let (header, resumed) = try runner.run(utterance)
                headers.append(header)
                if resumed {
                    summary.resumed += 1
                } else {
                    summary.computed += 1
                    summary.audioSeconds += header.duration
                }
            } catch {
                if error.kind == .staging { throw ExtractionError(error.message) }
                if request.strict {
                    throw ExtractionError("\(error.message) (stopped by --strict; what was finished is staged, and a rerun continues from there)")
                }
                summary.skipped[error.kind.rawValue, default: 0] += 1
                problem(error)
            }
            progress(ExtractionProgress(done: position + 1, total: mine.count, computed: summary.computed,
                                        audioSeconds: summary.audioSeconds, elapsed: Date().timeIntervalSince(computeStart),
                                        utterance: utterance.name))
        }
        guard !headers.isEmpty else {
            let reason = mine.isEmpty ? "no TextGrid under \(request.alignments.path)\(request.shard == .whole ? "" : " for shard \(request.shard)")"
                                      : "every utterance was skipped"
            throw StoreError(out, "nothing to extract: \(reason)")
        }
        let assembler = Assembler(work: work, out: out, modelName: modelName, hiddenStateCount: model.hiddenStateCount,
                                  dim: model.hiddenSize, dtype: request.dtype, layers: layers, tasks: tasks, columns: columns,
                                  speakers: speakers, checkpoint: request.checkpoint, settings: settings, createdAt: plan.startedAt)
        summary.tokens = try assembler.assemble(headers)
        summary.utterances = headers.count
        work.remove()
        summary.wallSeconds = Date().timeIntervalSince(wallStart)
        return summary
    }

    /// The store's counts when it already holds `model` made with `settings` and every layer in
    /// `layers`; nil when there is work to do. A model of that name made otherwise is an error.
    private static func completed(_ out: URL, model: String, settings: String, layers: [Int], columns: [String]) throws
        -> (utterances: Int, tokens: Int)?
    {
        let store = try EmbeddingStore(opening: out)
        defer { try? store.close() }
        let stored = try store.tokens()
        guard let existing = try store.models().first(where: { $0.name == model }) else {
            let names = stored.labels.map(\.name)
            guard names == columns else {
                throw StoreError(out, "has label columns \(names.joined(separator: ", ")); this extraction makes \(columns.joined(separator: ", ")); "
                                 + "a store's models share one token table: extract into a new store")
            }
            return nil
        }
        let present = Set(try store.presentLayers(model: model))
        guard existing.settings == settings, present.isSuperset(of: layers) else {
            throw StoreError(out, "already has a model named \(model), made with other settings or layers; choose another --model name")
        }
        return (stored.utterances.count, stored.count)
    }

    /// After a run that was killed between renaming its store into place and removing its staging.
    private static func removeLeftovers(of out: URL, work: WorkFolder) {
        let sibling = WorkFolder(url: out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).extracting"),
                                 createsStore: true)
        for folder in [work, sibling] where FileManager.default.fileExists(atPath: folder.url.path) {
            guard let lock = try? folder.lock() else { continue }
            folder.remove()
            lock.release()
        }
    }

    /// Label columns must be distinct and must not take the token table's own names.
    private static func checkColumns(scheme: LabelScheme, speakers: SpeakerTable) throws {
        let reserved: Set<String> = ["row", "utterance", "speaker", "start", "end", "frame"]
        var seen = Set<String>()
        for name in scheme.columns + speakers.columns {
            let key = name.lowercased()
            if reserved.contains(key) {
                throw StoreError(speakers.columns.contains(name) ? speakers.file : "--scheme", "label column '\(name)' uses a reserved name (\(reserved.sorted().joined(separator: ", ")))")
            }
            guard seen.insert(key).inserted else {
                throw StoreError(speakers.file, "column '\(name)' is also a label of the scheme \(scheme.settingsName); rename it")
            }
        }
    }

    /// Model and task names become folder and file names, so they must be plain.
    static func validateName(_ name: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._+-"))
        guard !name.isEmpty, !name.hasPrefix("."), name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw StoreError("--model", "'\(name)' is not a usable name: use letters, digits, '.', '_', '+' or '-'")
        }
    }
}

/// A failure of a whole run, worded for the user (the message already names the file).
public struct ExtractionError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
