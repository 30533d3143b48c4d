import ArgumentParser
import Extraction
import Foundation

extension Layerscope {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join the stores of extraction shards (--shard I/N) into one store.",
            discussion: "The shards must come from one extraction: the same models, checkpoint, layers and settings. "
                + "Utterances are ordered by name, so the merged store equals one unsharded extraction.")

        @Option(help: "The store to create (must not exist).")
        var out: String

        @Argument(help: "The shard stores.")
        var shards: [String]

        @Flag(help: "Print a JSON summary (store, shards, utterances, tokens, models, missing_shards).")
        var json = false

        func run() throws {
            let summary = try StoreMerger.merge(into: fileURL(out), shards: shards.map(fileURL))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print("merged \(summary.shards) shards into \(out): \(summary.utterances) utterances, \(summary.tokens) tokens, "
                      + "model\(summary.models.count == 1 ? "" : "s") \(summary.models.joined(separator: ", "))")
            }
            if !summary.missingShards.isEmpty {
                FileHandle.standardError.write(Data("layerscope: warning: shards \(summary.missingShards.map(String.init).joined(separator: ", ")) were not given; their utterances are not in \(out)\n".utf8))
            }
        }
    }
}
