import Foundation
import Numerics
import Store

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Computes layers a store lacks from the sources it recorded: the model's checkpoint and each
/// utterance's audio, at the token frames the store already has. The model runs only up to the
/// highest layer asked for. Used by the explorer's engine when a view needs a missing layer.
public enum LayerFiller {
    /// Whether a model's layers can be computed here, and if not, what is missing.
    public enum Availability: Sendable, Equatable {
        case ready
        /// A one-line explanation for the interface: which sources are gone.
        case missing(String)
    }

    /// Checks that the checkpoint and the audio of every utterance with tokens can be reached.
    public static func availability(store: EmbeddingStore, model: String) -> Availability {
        do {
            _ = try plan(store: store, model: model)
            return .ready
        } catch let error as SourcesMissing {
            return .missing(error.message)
        } catch {
            return .missing("\(error)")
        }
    }

    /// Computes `layers` of `model` and registers them. `progress` gets the fraction done and the
    /// utterance; `checkCancelled` is called between utterances and may throw to stop (nothing is
    /// then registered, and the partial files are removed).
    public static func fill(store: EmbeddingStore, model name: String, layers: [Int], environment: ExtractionEnvironment,
                            progress: (Double, String) -> Void = { _, _ in }, checkCancelled: () throws -> Void = {}) throws {
        let wanted = Array(Set(layers)).sorted()
        guard !wanted.isEmpty else { return }
        let plan = try plan(store: store, model: name)
        let record = plan.record
        if let bad = wanted.first(where: { !(0..<record.layerCount).contains($0) }) {
            throw StoreError(store.url, "model \(name) has layers 0-\(record.layerCount - 1); there is no layer \(bad)")
        }
        let model = try environment.loadModel(plan.checkpoint)
        guard model.hiddenSize == record.dim, model.hiddenStateCount == record.layerCount else {
            throw StoreError(plan.checkpoint, "gives \(model.hiddenStateCount) hidden states of \(model.hiddenSize) values; "
                             + "model \(name) in the store has \(record.layerCount) of \(record.dim): not the checkpoint it was made with")
        }
        if let digest = plan.settings?.checkpointDigest, try CheckpointDigest.of(plan.checkpoint) != digest {
            throw StoreError(plan.checkpoint, "has changed since model \(name) was extracted from it; its layers would not match the stored ones")
        }
        let tokens = plan.tokens
        let staging = store.url.appendingPathComponent("filling-\(name)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }
        let elementType: NpyDType = record.dtype == .float16 ? .float16 : .float32
        let header = NpyHeader(dtype: elementType, shape: [tokens.count, record.dim])
        let writers = try wanted.map { layer in
            try AtomicNpyWriter(destination: staging.appendingPathComponent(String(format: "L%02d.npy", layer)), header: header)
        }
        defer { for writer in writers { writer.abandon() } }

        // Token rows are visited in store order, one run of an utterance's consecutive rows at a time.
        var row = 0
        while row < tokens.count {
            try checkCancelled()
            let u = Int(tokens.utterance[row])
            var end = row
            while end < tokens.count, Int(tokens.utterance[end]) == u { end += 1 }
            let utterance = tokens.utterances[u]
            guard let audio = plan.audio[utterance] else { throw SourcesMissing(message: "utterance \(utterance) has no recorded audio") }
            let sound = try environment.readAudio(audio, model.samplingRate)
            let frameCount = model.frameCount(samples: sound.samples.count)
            let frames = (row..<end).map { Int(tokens.frame[$0]) }
            if let bad = frames.first(where: { $0 >= frameCount }) {
                throw StoreError(audio, "gives \(frameCount) frames, but the store has a token at frame \(bad): not the audio it was made from")
            }
            var blocks: [Int: Data] = [:]
            do {
                _ = try model.run(sound.samples, layers: Set(wanted), heads: false) { index, state in
                    blocks[index] = try TokenRows.gather(state, frames: frames, dtype: record.dtype)
                }
            } catch let error as TokenRows.Unstorable {
                throw StoreError(audio, error.message)
            }
            for (layer, writer) in zip(wanted, writers) {
                guard let block = blocks[layer] else { throw StoreError(plan.checkpoint, "gave no hidden state \(layer)") }
                try block.withUnsafeBytes { try writer.append($0) }
            }
            row = end
            progress(Double(row) / Double(max(tokens.count, 1)), utterance)
        }
        for writer in writers { try writer.commit() }
        try checkCancelled()
        try store.withWriteLock {
            var records: [ArrayRecord] = []
            for (layer, writer) in zip(wanted, writers) {
                let target = try store.newArrayPath(model: name, name: String(format: "L%02d.npy", layer))
                guard rename(writer.destination.path, target.url.path) == 0 else {
                    throw StoreError(target.url, "cannot be moved into place: \(String(cString: strerror(errno)))")
                }
                records.append(ArrayRecord(model: name, kind: .layer, layer: layer, path: target.relative, dtype: record.dtype,
                                           rows: tokens.count, cols: record.dim, bytes: header.encoded().count + header.dataByteCount))
            }
            let folder = try store.arraysFolder(model: name)
            let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 {
                fsync(fd)
                close(fd)
            }
            try store.register(model: nil, arrays: records)
        }
    }

    /// Everything a fill needs, or `SourcesMissing` naming what is gone.
    private struct Plan {
        var record: ModelRecord
        var settings: ExtractionSettings?
        var checkpoint: URL
        var tokens: TokenTable
        var audio: [String: URL]
    }

    private struct SourcesMissing: Error {
        let message: String
    }

    private static func plan(store: EmbeddingStore, model name: String) throws -> Plan {
        let record = try store.model(named: name)
        guard let recorded = record.checkpoint else {
            throw SourcesMissing(message: "model \(name) records no checkpoint (it was imported, not extracted)")
        }
        let checkpoint = StorePaths.resolve(recorded, store: store.url)
        guard FileManager.default.fileExists(atPath: checkpoint.path) else {
            throw SourcesMissing(message: "the checkpoint of model \(name) is gone: \(checkpoint.path)")
        }
        let tokens = try store.tokens()
        let needed = Set(tokens.utterance.map { tokens.utterances[Int($0)] })
        var audio: [String: URL] = [:]
        var missing: [String] = []
        for source in try store.utteranceSources() where needed.contains(source.name) {
            guard let path = source.audio else {
                missing.append("\(source.name) (no audio recorded)")
                continue
            }
            let url = StorePaths.resolve(path, store: store.url)
            if FileManager.default.fileExists(atPath: url.path) { audio[source.name] = url } else { missing.append(url.path) }
        }
        if !missing.isEmpty {
            let shown = missing.prefix(3).joined(separator: ", ")
            throw SourcesMissing(message: "audio of \(missing.count) of \(needed.count) utterances is gone (\(shown)\(missing.count > 3 ? ", …" : ""))")
        }
        return Plan(record: record, settings: record.settings.flatMap(ExtractionSettings.decode), checkpoint: checkpoint,
                    tokens: tokens, audio: audio)
    }
}
