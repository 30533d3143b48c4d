import Foundation
import Numerics
import Store
import Testing

/// `layerscope extract` and `merge` end to end, on a real (tiny) checkpoint and real audio
/// (scripts/make_extraction_fixtures.py): against transformers, killed with SIGKILL, sharded.
@Suite(.serialized) struct ExtractCommandTests {
    static let corpus = CLI.fixture("extraction/corpus")
    static let checkpoint = CLI.fixture("extraction/checkpoint")

    static func arguments(out: String, corpus: URL = corpus, extra: [String] = []) -> [String] {
        ["extract", "--checkpoint", checkpoint.path, "--audio", corpus.appendingPathComponent("wav").path,
         "--alignments", corpus.appendingPathComponent("textgrids").path,
         "--speakers", corpus.appendingPathComponent("speakers.tsv").path,
         "--speaker-from", #"BAC009(S\d{4})W"#, "--out", out] + extra
    }

    /// The tokens, hidden states and logits are transformers' on the same audio and frames.
    @Test func matchesTransformers() throws {
        let scratch = try CLI.scratch()
        let out = scratch.path("corpus.layerstore")
        let result = try CLI.run(Self.arguments(out: out, extra: ["--dtype", "float32", "--model", "tiny", "--json",
                                                                  "--meta", "explore.color_by=tone"]))
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["utterances"] as? Int == 4 && summary["tokens"] as? Int == 9 && summary["computed"] as? Int == 4)
        #expect(summary["layers"] as? [Int] == [0, 1, 2] && summary["tasks"] as? [String] == ["tone", "sex"])
        #expect(result.stderr.contains("extract: 4/4 utterances (100%)"), "plain progress lines off a terminal: \(result.stderr)")

        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.fixture("extraction/expected.json"))) as? [String: Any])
        let tokens = try #require(expected["tokens"] as? [[Any]])
        let store = try EmbeddingStore(opening: URL(fileURLWithPath: out))
        defer { try? store.close() }
        #expect(try store.meta()["explore.color_by"] == "tone")
        let table = try store.tokens()
        #expect(table.count == tokens.count)
        for (row, token) in tokens.enumerated() {
            #expect(table.utterances[Int(table.utterance[row])] == token[0] as? String)
            #expect(table.speaker(at: row) == token[1] as? String)
            #expect(table.start[row] == token[2] as? Double && table.end[row] == token[3] as? Double)
            #expect(Int(table.frame[row]) == token[4] as? Int)
            #expect(table.label(named: "tone")?.value(at: row) == token[5] as? String)
            #expect(table.label(named: "final")?.value(at: row) == token[6] as? String)
            #expect(table.label(named: "sex")?.value(at: row) == token[7] as? String)
        }
        let hidden = try #require(expected["hidden"] as? [String: [[Double]]])
        for (layer, rows) in hidden {
            let values = try store.layer(model: "tiny", layer: Int(layer) ?? -1).view.matrix(rows: 0..<tokens.count)
            let scale = rows.flatMap { $0 }.map(abs).max() ?? 1
            for (r, row) in rows.enumerated() {
                for (c, value) in row.enumerated() {
                    #expect(abs(Double(values[r, c]) - value) <= 1e-4 * scale, "layer \(layer) token \(r) column \(c)")
                }
            }
        }
        let logits = try #require(expected["logits"] as? [String: [String: [[Double]]]])
        for task in ["sex", "tone"] {
            let record = try #require(try store.arrays(model: "tiny", kind: .frames).first { $0.task == task })
            let frames = try store.open(record).view
            for (utterance, perTask) in logits {
                let want = try #require(perTask[task])
                let range = try #require(try store.frameRange(model: "tiny", task: task, utterance: utterance))
                #expect(range.rowCount == want.count)
                let got = frames.matrix(rows: range.firstRow..<(range.firstRow + range.rowCount))
                let scale = want.flatMap { $0 }.map(abs).max() ?? 1
                for (f, row) in want.enumerated() {
                    for (c, value) in row.enumerated() { #expect(abs(Double(got[f, c]) - value) <= 1e-4 * scale) }
                }
            }
        }
        let sources = try store.utteranceSources()
        #expect(sources.allSatisfy { $0.audio?.hasSuffix(".flac") == true && FileManager.default.fileExists(atPath: URL(fileURLWithPath: out).appendingPathComponent($0.audio ?? "").path) || ($0.audio?.hasPrefix("/") ?? false) })

        let again = try CLI.run(Self.arguments(out: out, extra: ["--dtype", "float32", "--model", "tiny"]))
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(again.stdout)")
    }

    /// A corpus of `copies` × 4 utterances: the fixture's files under new names.
    static func bigCorpus(in scratch: Scratch, copies: Int) throws -> URL {
        let root = scratch.url.appendingPathComponent("big")
        let fm = FileManager.default
        for speaker in ["S0001", "S0002"] {
            try fm.createDirectory(at: root.appendingPathComponent("wav/\(speaker)"), withIntermediateDirectories: true)
        }
        try fm.createDirectory(at: root.appendingPathComponent("textgrids"), withIntermediateDirectories: true)
        try fm.copyItem(at: corpus.appendingPathComponent("speakers.tsv"), to: root.appendingPathComponent("speakers.tsv"))
        for name in ["BAC009S0001W0001", "BAC009S0001W0002", "BAC009S0002W0001", "BAC009S0002W0002"] {
            let speaker = String(name.dropFirst(6).prefix(5))
            for k in 0..<copies {
                let copy = name + String(format: "%03d", k)
                try fm.copyItem(at: corpus.appendingPathComponent("wav/\(speaker)/\(name).flac"),
                                to: root.appendingPathComponent("wav/\(speaker)/\(copy).flac"))
                try fm.copyItem(at: corpus.appendingPathComponent("textgrids/\(name).TextGrid"),
                                to: root.appendingPathComponent("textgrids/\(copy).TextGrid"))
            }
        }
        return root
    }

    /// The arrays' bytes and the metadata readers see, timestamps masked (each run records when it started).
    static func contents(_ path: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let url = URL(fileURLWithPath: path)
        let walker = FileManager.default.enumerator(at: url.appendingPathComponent("arrays"), includingPropertiesForKeys: nil)
        while let file = walker?.nextObject() as? URL {
            if file.pathExtension == "npy" { result[file.lastPathComponent] = try Data(contentsOf: file) }
        }
        let store = try EmbeddingStore(opening: url)
        defer { try? store.close() }
        var text = "\(try store.models())|\(try store.arrays())|\(try store.tokens())|\(try store.utteranceSources())|\(try store.tasks(model: "tiny"))"
        for name in try store.tokens().utterances {
            text += "|\(String(describing: try store.frameRange(model: "tiny", task: "tone", utterance: name)))"
        }
        text += "|\(try store.meta().filter { $0.key != "created_at" }.sorted { $0.key < $1.key })"
        result["metadata"] = Data(text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "T", options: .regularExpression).utf8)
        return result
    }

    /// SIGKILL at many moments — staging, assembling, renaming — and a rerun each time: the final
    /// store is byte for byte the store of an uninterrupted run.
    @Test func killedRunsResumeToTheSameStore() throws {
        let scratch = try CLI.scratch()
        let big = try Self.bigCorpus(in: scratch, copies: 5)
        let reference = scratch.path("reference.layerstore")
        let started = Date()
        let whole = try CLI.run(Self.arguments(out: reference, corpus: big, extra: ["--model", "tiny"]))
        let seconds = Date().timeIntervalSince(started)
        #expect(whole.status == 0, "\(whole.stderr)")

        // Each attempt runs about a fifth of an uninterrupted run before it is killed; the moments
        // differ from attempt to attempt, so they fall while staging, assembling or renaming.
        let out = scratch.path("killed.layerstore")
        let staging = scratch.url.appendingPathComponent(".killed.layerstore.extracting/parts")
        var partCounts: [Int] = []
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<12 {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = Self.arguments(out: out, corpus: big, extra: ["--model", "tiny"])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: seconds * Double.random(in: 0.15...0.4, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let parts = (try? FileManager.default.contentsOfDirectory(atPath: staging.path))?.filter { $0.hasSuffix(".part") }.count
            partCounts.append(parts ?? -1)
            if FileManager.default.fileExists(atPath: out) { break }
        }
        // Some kills landed while utterances were being staged.
        #expect(partCounts.contains { $0 > 0 && $0 < 20 }, "\(partCounts)")
        let finish = try CLI.run(Self.arguments(out: out, corpus: big, extra: ["--model", "tiny", "--json"]))
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(try Self.contents(out) == (try Self.contents(reference)))
        print("extract kill test: uninterrupted \(seconds) s; staged parts after each kill: \(partCounts)")
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent(".killed.layerstore.extracting").path))
    }

    /// Shards through the command line, merged, equal the whole run.
    @Test func shardsAndMerge() throws {
        let scratch = try CLI.scratch()
        let whole = scratch.path("whole.layerstore")
        #expect(try CLI.run(Self.arguments(out: whole, extra: ["--model", "tiny"])).status == 0)
        var shards: [String] = []
        for i in 0..<3 {
            let path = scratch.path("shard-\(i).layerstore")
            let result = try CLI.run(Self.arguments(out: path, extra: ["--model", "tiny", "--shard", "\(i)/3"]))
            #expect(result.status == 0, "\(result.stderr)")
            shards.append(path)
        }
        let merged = scratch.path("merged.layerstore")
        let result = try CLI.run(["merge", "--out", merged, "--json"] + shards)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"missing_shards\":[]") && result.stdout.contains("\"utterances\":4"))
        var a = try Self.contents(merged), b = try Self.contents(whole)
        // merge records itself as the creator; everything else is the same.
        a["metadata"] = a["metadata"].map { Data(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "layerscope merge", with: "layerscope extract").utf8) }
        b["metadata"] = b["metadata"] ?? Data()
        #expect(a == b)
        let partial = try CLI.run(["merge", "--out", scratch.path("partial.layerstore")] + shards.prefix(2))
        #expect(partial.status == 0 && partial.stderr.contains("shards 2 were not given"), "\(partial.stderr)")
        let overlap = try CLI.run(["merge", "--out", scratch.path("overlap.layerstore"), shards[0], shards[0]])
        #expect(overlap.status == 1 && overlap.stderr.contains("shards must not overlap"))
    }

    /// Bad input: one line naming the file, exit 1, no store.
    @Test func badInput() throws {
        let scratch = try CLI.scratch()
        let out = scratch.path("bad.layerstore")
        let noSpeakers = try CLI.run(Self.arguments(out: out) + ["--speakers", scratch.path("none.tsv")])
        #expect(noSpeakers.status == 1 && noSpeakers.stderr == "layerscope: \(scratch.path("none.tsv")): does not exist\n")
        let badShard = try CLI.run(Self.arguments(out: out, extra: ["--shard", "3/3"]))
        #expect(badShard.status == 1 && badShard.stderr.contains("--shard takes I/N"))
        let badMeta = try CLI.run(Self.arguments(out: out, extra: ["--meta", "no-equals-sign"]))
        #expect(badMeta.status == 1 && badMeta.stderr.contains("--meta") && !FileManager.default.fileExists(atPath: out), "\(badMeta.stderr)")

        let big = try Self.bigCorpus(in: scratch, copies: 1)
        let grid = big.appendingPathComponent("textgrids/BAC009S0001W0002000.TextGrid")
        var text = try String(contentsOf: grid, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"ing1\"", with: "\"ing9\"")
        try Data(text.utf8).write(to: grid)
        let strict = try CLI.run(Self.arguments(out: out, corpus: big, extra: ["--strict"]))
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("BAC009S0001W0002000.TextGrid:") && strict.stderr.contains("'ing9' is not pinyin")
                && strict.stderr.contains("stopped by --strict"), "\(strict.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let lenient = try CLI.run(Self.arguments(out: out, corpus: big))
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(lenient.stderr.contains("layerscope: skipped BAC009S0001W0002000: "))
        #expect(lenient.stdout.contains("skipped 1 utterance: 1 label unknown") && lenient.stdout.contains("3 taken from the interrupted run")
                || lenient.stdout.contains("skipped 1 utterance: 1 label unknown"), "\(lenient.stdout)")
    }
}
