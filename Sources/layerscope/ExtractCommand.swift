import ArgumentParser
import Extraction
import Foundation
import Store
import Numerics

extension Layerscope {
    struct Extract: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a wav2vec2 checkpoint over a corpus (audio + TextGrids + speakers) into a store.",
            discussion: """
                Tokens are the labelled intervals of a TextGrid tier (silences left out), each at its central 20 ms \
                frame; the store gets the hidden states of the chosen layers at those frames and every head's \
                framewise logits. Killed at any point, the same command continues where it stopped. \
                See docs/EXTRACTION.md.
                """)

        @Option(help: "A HuggingFace wav2vec2 checkpoint folder (config.json, model.safetensors).")
        var checkpoint: String

        @Option(help: "The folder of audio files (searched recursively; matched to TextGrids by name).")
        var audio: String

        @Option(help: "The folder of Praat TextGrids (searched recursively).")
        var alignments: String

        @Option(help: "speakers.tsv: columns speaker and sex; other columns become labels.")
        var speakers: String

        @Option(help: "The store to create, or an existing store to add this model to.")
        var out: String

        @Option(help: "The model's name in the store (default: the checkpoint folder's name).")
        var model: String?

        @Option(help: "Hidden states to keep: A-B or one number (default: all, 0 to L).")
        var layers: LayerRange?

        @Option(help: "The TextGrid tier of the tokens (default: 'phones', else the first interval tier).")
        var tier: String?

        @Option(help: "How labels become columns: pinyin (tone, final), plain (phone), or a TSV mapping file.")
        var scheme = "pinyin"

        @Flag(help: "With --scheme pinyin: make initials tokens too (adds the column 'initial').")
        var includeInitials = false

        @Option(help: "A regular expression whose first group, matched on the audio file's name, is the speaker (e.g. 'BAC009(S\\d{4})W').")
        var speakerFrom: String?

        @Option(help: "A TSV with columns utterance and speaker, mapping utterances to speakers.")
        var utterances: String?

        @Option(help: "The speaker column of --utterances.")
        var speakerColumn = "speaker"

        @Option(help: "Process shard I of N (I from 0): utterances I, I+N, … in name order. Join shards with 'layerscope merge'.")
        var shard: String?

        @Flag(help: "Stop at the first bad utterance instead of skipping it.")
        var strict = false

        @Option(help: "Element type of the layer arrays: float16 or float32.")
        var dtype: ScalarType = .float16

        @Flag(help: "Do not write the heads' framewise logits (the model then stops at the last layer kept).")
        var noLogits = false

        @Flag(help: "Discard work staged by an interrupted run with other settings.")
        var fresh = false

        @Flag(help: "Print the summary as JSON (see docs/EXTRACTION.md).")
        var json = false

        @Option(help: "Store metadata to record: KEY=VALUE (e.g. explore.model=tone).")
        var meta: [KeyValue] = []

        func validate() throws {
            if let shard, Shard(shard) == nil {
                throw ValidationError("--shard takes I/N with 0 ≤ I < N, e.g. 0/4; got '\(shard)'")
            }
            if speakerFrom != nil && utterances != nil {
                throw ValidationError("give either --speaker-from or --utterances, not both")
            }
        }

        func run() throws {
            var request = ExtractionRequest(checkpoint: fileURL(checkpoint), audio: fileURL(audio), alignments: fileURL(alignments),
                                            speakers: fileURL(speakers), out: fileURL(out))
            request.model = model
            request.layers = layers?.range
            request.tier = tier
            request.scheme = scheme
            request.includeInitials = includeInitials
            request.speakerFrom = speakerFrom
            request.utterances = utterances.map(fileURL)
            request.speakerColumn = speakerColumn
            request.shard = shard.flatMap(Shard.init) ?? .whole
            request.strict = strict
            request.dtype = dtype
            request.logits = !noLogits
            request.fresh = fresh

            let display = ProgressDisplay(interactive: ProgressDisplay.standardErrorIsTerminal) { text in
                FileHandle.standardError.write(Data(text.utf8))
            }
            let summary: ExtractionSummary
            do {
                summary = try Extractor.run(request, environment: .standard, progress: display.update, problem: { problem in
                    display.interrupt("layerscope: skipped \(problem.utterance): \(problem.message)\n")
                })
            } catch {
                display.finish()
                throw error
            }
            display.finish()
            if !meta.isEmpty {
                let store = try EmbeddingStore(opening: fileURL(out))
                defer { try? store.close() }
                try store.withWriteLock { try store.setMeta(Dictionary(meta.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })) }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
                return
            }
            if summary.alreadyComplete {
                print("\(out) already holds model \(summary.model) with these settings (\(summary.utterances) utterances, \(summary.tokens) tokens); nothing to do")
                return
            }
            let skipped = summary.skipped.values.reduce(0, +)
            var line = "extracted \(summary.utterances) utterances (\(summary.tokens) tokens) into \(out): model \(summary.model), "
                + "layers \(summary.layers.first ?? 0)-\(summary.layers.last ?? 0)"
            if !summary.tasks.isEmpty { line += ", logits of \(summary.tasks.joined(separator: ", "))" }
            if summary.resumed > 0 { line += "; \(summary.resumed) taken from the interrupted run" }
            line += String(format: "; %.1f s of audio in %.1f s (%.1f× real time)", summary.audioSeconds, summary.wallSeconds, summary.throughput)
            print(line)
            if skipped > 0 {
                let kinds = summary.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                print("skipped \(skipped) utterance\(skipped == 1 ? "" : "s"): \(kinds)")
            }
            if summary.unalignedAudio > 0 {
                print("\(summary.unalignedAudio) audio file\(summary.unalignedAudio == 1 ? " has" : "s have") no TextGrid and \(summary.unalignedAudio == 1 ? "was" : "were") left out")
            }
        }
    }
}
