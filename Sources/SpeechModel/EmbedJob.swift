import Foundation
import Numerics
import Store

/// What `layerscope embed` is asked to do: one checkpoint on one audio file.
public struct EmbedRequest: Sendable {
    public var checkpoint: URL
    public var audio: URL
    /// The hidden-state file: layers × frames × hidden, float32.
    public var out: URL
    /// Hidden states to write (all 0 … L when nil).
    public var layers: ClosedRange<Int>?
    /// The logits file; with several heads, one file per task named `<stem>-<task>.npy` beside it.
    public var logits: URL?
    /// Only this head's logits, written to `logits` itself.
    public var task: String?

    public init(checkpoint: URL, audio: URL, out: URL, layers: ClosedRange<Int>? = nil, logits: URL? = nil, task: String? = nil) {
        self.checkpoint = checkpoint
        self.audio = audio
        self.out = out
        self.layers = layers
        self.logits = logits
        self.task = task
    }
}

/// What `layerscope embed` wrote.
public struct EmbedSummary: Sendable, Encodable {
    /// One logits file: a task's frames × classes array and its class labels in column order.
    public struct LogitsFile: Sendable, Encodable {
        public let task: String
        public let path: String
        public let shape: [Int]
        public let labels: [String]
    }

    /// The hidden-state file: `shape` is layers × frames × hidden, `layers` the first and last index.
    public struct HiddenFile: Sendable, Encodable {
        public let path: String
        public let layers: [Int]
        public let shape: [Int]
    }

    public let checkpoint: String
    public let audio: String
    public let frames: Int
    public let hidden: HiddenFile
    public let logits: [LogitsFile]
}

/// Runs a checkpoint on one audio file and writes its hidden states and logits as `.npy` files, each
/// appearing whole or not at all (`AtomicNpyWriter`). Hidden states stream to disk one layer at a time.
public enum EmbedJob {
    public static func run(_ request: EmbedRequest) throws -> EmbedSummary {
        let model = try Wav2Vec2Model.load(directory: request.checkpoint)
        let range = request.layers ?? 0...model.layerCount
        guard range.upperBound <= model.layerCount else {
            throw StoreError(request.checkpoint, "has hidden states 0 to \(model.layerCount); layers \(range.lowerBound)-\(range.upperBound) were asked for")
        }
        let heads = try selectHeads(model, request)
        let samples = try AudioFile.readMono(request.audio, sampleRate: model.preprocessing.samplingRate)
        let frames = model.frameCount(samples: samples.count)
        guard frames > 0 else {
            throw StoreError(request.audio, "too short: \(samples.count) samples at \(model.preprocessing.samplingRate) Hz; "
                             + "the model needs at least \(model.config.minimumSamples)")
        }
        let shape = [range.count, frames, model.hiddenSize]
        let hiddenWriter = try AtomicNpyWriter(destination: request.out, header: NpyHeader(dtype: .float32, shape: shape))
        let output: Wav2Vec2Output
        do {
            output = try model.forward(samples, layers: Set(range), heads: !heads.isEmpty) { _, state in
                try state.storage.withUnsafeBufferPointer { try hiddenWriter.append(floats: $0) }
            }
        } catch let error as SpeechModelError {
            throw StoreError(request.audio, error.message)
        }
        var logitFiles: [EmbedSummary.LogitsFile] = []
        var writers: [AtomicNpyWriter] = []
        for (task, url) in heads {
            guard let matrix = output.logits[task.name] else { continue }
            let writer = try AtomicNpyWriter(destination: url, header: NpyHeader(dtype: .float32, shape: [matrix.rows, matrix.cols]))
            try matrix.storage.withUnsafeBufferPointer { try writer.append(floats: $0) }
            writers.append(writer)
            logitFiles.append(.init(task: task.name, path: url.path, shape: [matrix.rows, matrix.cols], labels: task.labels))
        }
        try hiddenWriter.commit()
        for writer in writers { try writer.commit() }
        return EmbedSummary(checkpoint: request.checkpoint.path, audio: request.audio.path, frames: frames,
                            hidden: .init(path: request.out.path, layers: [range.lowerBound, range.upperBound], shape: shape),
                            logits: logitFiles)
    }

    /// The heads whose logits to write and where: one head → the path given; several → `<stem>-<task>.npy`.
    static func selectHeads(_ model: Wav2Vec2Model, _ request: EmbedRequest) throws -> [(FrameTask, URL)] {
        guard let logits = request.logits else {
            if request.task != nil { throw StoreError(request.checkpoint, "--task needs --logits to say where to write") }
            return []
        }
        guard !model.tasks.isEmpty else {
            throw StoreError(request.checkpoint, "has no framewise heads (a classifier or layerscope tasks), so there are no logits to write")
        }
        if let name = request.task {
            guard let task = model.tasks.first(where: { $0.name == name }) else {
                throw StoreError(request.checkpoint, "has no task \"\(name)\"; its tasks are \(model.tasks.map(\.name).joined(separator: ", "))")
            }
            return [(task, logits)]
        }
        if model.tasks.count == 1, let task = model.tasks.first { return [(task, logits)] }
        return model.tasks.map { ($0, perTaskURL(logits, task: $0.name)) }
    }

    /// `LOGITS.npy` → `LOGITS-<task>.npy`, beside it.
    public static func perTaskURL(_ logits: URL, task: String) -> URL {
        let stem = logits.pathExtension == "npy" ? logits.deletingPathExtension() : logits
        return stem.deletingLastPathComponent().appendingPathComponent("\(stem.lastPathComponent)-\(task).npy")
    }
}
