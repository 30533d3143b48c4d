import Foundation
import Numerics
import Store
import Testing
@testable import Extraction

@Suite struct ExtractorTests {
    /// Every byte of every array file and the metadata a reader sees, for comparing two stores.
    static func fingerprint(_ url: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let arrays = url.appendingPathComponent("arrays")
        if let walker = FileManager.default.enumerator(at: arrays, includingPropertiesForKeys: nil) {
            for case let file as URL in walker where file.pathExtension == "npy" {
                result[String(file.path.dropFirst(url.path.count))] = try Data(contentsOf: file)
            }
        }
        let store = try EmbeddingStore(opening: url)
        defer { try? store.close() }
        let model = try store.models()
        var meta = "\(try store.meta().sorted { $0.key < $1.key })|\(model)|\(try store.arrays())|"
        meta += "\(try store.tokens())|\(try store.utteranceSources())"
        for m in model {
            for task in try store.tasks(model: m.name) {
                meta += "|\(task)"
                for name in try store.tokens().utterances {
                    meta += "|\(String(describing: try store.frameRange(model: m.name, task: task.task, utterance: name)))"
                }
            }
        }
        result["metadata"] = Data(meta.utf8)
        return result
    }

    @Test func extractsTokensLayersAndLogits() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 6)
        let model = FakeModel()
        let out = scratch.file("corpus.layerstore")
        var lines: [ExtractionProgress] = []
        let summary = try Extractor.run(corpus.request(out: out), environment: TestCorpus.environment(model), progress: { lines.append($0) })
        #expect(summary.utterances == 6 && summary.computed == 6 && summary.resumed == 0)
        #expect(summary.tokens == 18)
        #expect(summary.layers == [0, 1, 2, 3, 4] && summary.tasks == ["tone"])
        #expect(lines.map(\.done) == [1, 2, 3, 4, 5, 6])
        #expect(!FileManager.default.fileExists(atPath: scratch.file(".corpus.layerstore.extracting").path))

        let store = try EmbeddingStore(opening: out)
        defer { try? store.close() }
        let tokens = try store.tokens()
        #expect(tokens.utterances == (0..<6).map { "BAC009S000\($0 % 2 == 0 ? 1 : 2)W000\($0)" }.sorted())
        #expect(tokens.labels.map(\.name) == ["tone", "final", "sex", "region"])
        // Utterance 0: zh ang1 | b ei3 | j ing1 over 0.1–0.5 s, steps of 1/15 s.
        #expect((0..<3).map { tokens.label(named: "final")?.value(at: $0) } == ["ang", "ei", "ing"])
        #expect((0..<3).map { tokens.label(named: "tone")?.value(at: $0) } == ["1", "3", "1"])
        #expect(tokens.label(named: "sex")?.value(at: 0) == "F" && tokens.label(named: "sex")?.value(at: 9) == "M")
        #expect(tokens.label(named: "final")?.value(at: 11) == "iii")
        // Each token's frame is its central 20 ms frame.
        for row in 0..<tokens.count {
            #expect(Int(tokens.frame[row]) == Int(((tokens.start[row] + tokens.end[row]) / 2 / 0.02).rounded(.down)))
        }
        // Rows of every layer are the model's hidden state at the token frames, as float16.
        for layer in 0..<5 {
            let array = try store.layer(model: "checkpoint", layer: layer)
            #expect(array.rows == 18 && array.cols == 6 && array.type == .float16)
            let values = array.view.matrix(rows: 0..<array.rows)
            for row in 0..<tokens.count {
                let name = tokens.utterances[Int(tokens.utterance[row])]
                let speaker = tokens.utteranceSpeakers[Int(tokens.utterance[row])]
                let audio = try TestCorpus.rawAudio(corpus.audioURL(name, speaker: speaker), rate: 16_000)
                for d in 0..<6 {
                    let expected = FakeModel.value(audio.samples, frame: Int(tokens.frame[row]), layer: layer, column: d)
                    #expect(abs(values[row, d] - expected) <= abs(expected) * 1e-3 + 1e-3)
                }
            }
        }
        // Framewise logits of every frame of every utterance, with their ranges.
        let task = try #require(try store.tasks(model: "checkpoint").first)
        #expect(task.task == "tone" && task.classNames == ["1", "2", "3", "4", "5"] && task.valueKind == .logits)
        let frames = try #require(try store.arrays(model: "checkpoint", kind: .frames).first)
        var first = 0
        for name in tokens.utterances {
            let range = try #require(try store.frameRange(model: "checkpoint", task: "tone", utterance: name))
            #expect(range.firstRow == first)
            first += range.rowCount
        }
        #expect(frames.rows == first && frames.cols == 5)
        // Sources and settings, for computing layers later.
        let sources = try store.utteranceSources()
        #expect(sources[0].audio == "audio/S0001/BAC009S0001W0000.wav".replacingOccurrences(of: "audio/", with: "../audio/"))
        #expect(sources[0].alignment == "../alignments/S0001/BAC009S0001W0000.TextGrid")
        #expect(abs((sources[0].duration ?? 0) - 0.6) < 1e-9)
        let record = try store.model(named: "checkpoint")
        #expect(record.checkpoint == "../checkpoint" && record.layerCount == 5 && record.dtype == .float16)
        let settings = try #require(ExtractionSettings.decode(record.settings ?? ""))
        #expect(settings.scheme == "pinyin" && settings.layers == [0, 1, 2, 3, 4] && settings.speakerSource == "folder")
        #expect(try store.meta()["created_by"] == "layerscope extract")
    }

    /// Layers up to 2 without logits: the model stops at layer 2.
    @Test func stopsAtTheLastLayerNeeded() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 2)
        let model = FakeModel()
        var request = corpus.request(out: scratch.file("s.layerstore"))
        request.layers = 0...2
        request.logits = false
        request.dtype = .float32
        let summary = try Extractor.run(request, environment: TestCorpus.environment(model))
        #expect(model.deepest == [2, 2])
        #expect(summary.tasks.isEmpty)
        let store = try EmbeddingStore(opening: scratch.file("s.layerstore"))
        #expect(try store.presentLayers(model: "checkpoint") == [0, 1, 2])
        #expect(try store.model(named: "checkpoint").layerCount == 5)
        #expect(try store.arrays(model: "checkpoint", kind: .frames).isEmpty)
        request.layers = 0...5
        #expect(throws: StoreError.self) { try Extractor.run(request, environment: TestCorpus.environment(model)) }
    }

    /// A run stopped part-way (here by --strict at a bad file) leaves staged utterances; after the
    /// file is fixed, the rerun computes only the rest, and the store equals an uninterrupted run's.
    @Test func resumedRunEqualsUninterruptedRun() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 8)
        let whole = FakeModel()
        let reference = scratch.file("reference.layerstore")
        _ = try Extractor.run(corpus.request(out: reference), environment: TestCorpus.environment(whole))

        // Break the 6th utterance (in name order) and stop at it.
        let names = try EmbeddingStore(opening: reference).tokens().utterances
        let broken = names[5]
        let speaker = String(broken.dropFirst(6).prefix(5))
        let audio = corpus.audioURL(broken, speaker: speaker)
        let saved = try Data(contentsOf: audio)
        try FileManager.default.removeItem(at: audio)
        let out = scratch.file("resumed.layerstore")
        var request = corpus.request(out: out)
        request.strict = true
        let model = FakeModel()
        #expect(throws: ExtractionError.self) { try Extractor.run(request, environment: TestCorpus.environment(model)) }
        #expect(model.runs == 5)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let staged = try FileManager.default.contentsOfDirectory(atPath: scratch.file(".resumed.layerstore.extracting/parts").path)
        #expect(staged.count == 5)

        try saved.write(to: audio)
        let again = FakeModel()
        let summary = try Extractor.run(request, environment: TestCorpus.environment(again))
        #expect(summary.resumed == 5 && summary.computed == 3 && again.runs == 3)
        #expect(try Self.fingerprint(out).filter { $0.key != "metadata" } == (try Self.fingerprint(reference)).filter { $0.key != "metadata" })
        // The metadata matches too, timestamps aside (each run records when it started).
        let a = String(decoding: try Self.fingerprint(out)["metadata"] ?? Data(), as: UTF8.self)
        let b = String(decoding: try Self.fingerprint(reference)["metadata"] ?? Data(), as: UTF8.self)
        #expect(Self.withoutTimestamps(a) == Self.withoutTimestamps(b))

        // A complete store: a rerun does nothing.
        let third = FakeModel()
        let done = try Extractor.run(request, environment: TestCorpus.environment(third))
        #expect(done.alreadyComplete && third.runs == 0)
    }

    static func withoutTimestamps(_ text: String) -> String {
        text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "T", options: .regularExpression)
    }

    /// Bad utterances are skipped and counted by kind, with a message naming the file (and line).
    @Test func badInputIsSkippedAndCounted() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 8)
        let names = (0..<8).map { k in (k % 2 == 0 ? "S0001" : "S0002", "BAC009\(k % 2 == 0 ? "S0001" : "S0002")W000\(k)") }
        // 0: audio missing; 1: TextGrid that does not parse; 2: TextGrid longer than the audio;
        // 3: speaker not in speakers.tsv; 4: a label pinyin does not know; 5: unreadable audio.
        try FileManager.default.removeItem(at: corpus.audioURL(names[0].1, speaker: names[0].0))
        try corpus.write("File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\nxmin = 0\nxmax = oops\n", to: corpus.gridURL(names[1].1, speaker: names[1].0))
        try corpus.writeGrid(names[2].1, speaker: names[2].0, seconds: 0.68, variant: 2, end: 1.5)
        let stranger = corpus.audio.appendingPathComponent("S0009")
        try FileManager.default.createDirectory(at: stranger, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: corpus.audioURL(names[3].1, speaker: names[3].0),
                                         to: stranger.appendingPathComponent(names[3].1 + ".wav"))
        let grid4 = corpus.gridURL(names[4].1, speaker: names[4].0)
        try corpus.write(try String(contentsOf: grid4, encoding: .utf8).replacingOccurrences(of: "\"ang1\"", with: "\"qqq7\""), to: grid4)
        try Data([1, 2, 3]).write(to: corpus.audioURL(names[5].1, speaker: names[5].0))

        var problems: [UtteranceProblem] = []
        let out = scratch.file("bad.layerstore")
        let summary = try Extractor.run(corpus.request(out: out), environment: TestCorpus.environment(FakeModel()),
                                        problem: { problems.append($0) })
        #expect(summary.utterances == 2)
        #expect(summary.skipped == ["audio missing": 1, "TextGrid unreadable": 1, "TextGrid longer than its audio": 1,
                                    "speaker unknown": 1, "label unknown": 1, "audio unreadable": 1])
        let byName = Dictionary(uniqueKeysWithValues: problems.map { ($0.utterance, $0) })
        #expect(byName[names[0].1]?.message.contains("no audio file named \(names[0].1)") == true)
        #expect(byName[names[1].1]?.message.hasSuffix("\(names[1].1).TextGrid:5: expected a number (xmax of the TextGrid), found 'oops'") == true)
        #expect(byName[names[2].1]?.message.contains("the TextGrid ends at 1.500 s, but its audio \(names[2].1).wav lasts 0.680 s") == true)
        #expect(byName[names[3].1]?.message.contains("has no speaker S0009") == true)
        #expect(byName[names[4].1]?.message.contains(".TextGrid:") == true)
        #expect(byName[names[4].1]?.message.contains("'qqq7' is not pinyin") == true)
        #expect(byName[names[5].1]?.message.contains("cannot be read as audio") == true)
        #expect(try EmbeddingStore(opening: out).tokens().utterances == [names[6].1, names[7].1])

        // --strict stops at the first, names it, and writes no store.
        var strict = corpus.request(out: scratch.file("strict.layerstore"))
        strict.strict = true
        #expect(throws: ExtractionError.self) { try Extractor.run(strict, environment: TestCorpus.environment(FakeModel())) }
        #expect(!FileManager.default.fileExists(atPath: scratch.file("strict.layerstore").path))
    }

    /// A staged run made with other settings is not mixed in: an error, or discarded with --fresh.
    @Test func otherSettingsAreRefused() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 3)
        try FileManager.default.removeItem(at: corpus.audioURL("BAC009S0002W0001", speaker: "S0002"))
        var request = corpus.request(out: scratch.file("s.layerstore"))
        request.strict = true
        #expect(throws: ExtractionError.self) { try Extractor.run(request, environment: TestCorpus.environment(FakeModel())) }
        request.strict = false
        request.scheme = "plain"
        #expect(throws: StoreError.self) { try Extractor.run(request, environment: TestCorpus.environment(FakeModel())) }
        request.fresh = true
        let model = FakeModel()
        let summary = try Extractor.run(request, environment: TestCorpus.environment(model))
        #expect(summary.resumed == 0 && model.runs == 2)
        #expect(try EmbeddingStore(opening: scratch.file("s.layerstore")).tokens().labels.map(\.name) == ["phone", "sex", "region"])
    }

    /// A second model goes into the same store when the tokens are the same.
    @Test func secondModelSharesTheTokens() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 3)
        let out = scratch.file("two.layerstore")
        var request = corpus.request(out: out)
        _ = try Extractor.run(request, environment: TestCorpus.environment(FakeModel()))
        request.model = "tuned"
        request.layers = 3...4
        let summary = try Extractor.run(request, environment: TestCorpus.environment(FakeModel()))
        #expect(summary.computed == 3)
        let store = try EmbeddingStore(opening: out)
        #expect(try store.models().map(\.name) == ["checkpoint", "tuned"])
        #expect(try store.presentLayers(model: "tuned") == [3, 4])
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("extracting-tuned").path))
        // Other tokens (another scheme) cannot share the store.
        request.model = "plain"
        request.scheme = "plain"
        #expect(throws: StoreError.self) { try Extractor.run(request, environment: TestCorpus.environment(FakeModel())) }
    }

    /// Speakers from a regular expression on the file name, or from an utterances file.
    @Test func speakerSources() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 4)
        var request = corpus.request(out: scratch.file("regex.layerstore"))
        request.speakerFrom = #"BAC009(S\d{4})W"#
        _ = try Extractor.run(request, environment: TestCorpus.environment(FakeModel()))
        let tokens = try EmbeddingStore(opening: scratch.file("regex.layerstore")).tokens()
        #expect(tokens.utteranceSpeakers == ["S0001", "S0001", "S0002", "S0002"])

        let list = try scratch.write("utts.tsv", "utterance\tspeaker\n" + tokens.utterances.map { "\($0)\tS0002" }.joined(separator: "\n") + "\n")
        var fromFile = corpus.request(out: scratch.file("file.layerstore"))
        fromFile.utterances = list
        _ = try Extractor.run(fromFile, environment: TestCorpus.environment(FakeModel()))
        let all = try EmbeddingStore(opening: scratch.file("file.layerstore")).tokens()
        #expect(all.utteranceSpeakers == ["S0002", "S0002", "S0002", "S0002"])
        #expect(all.label(named: "sex")?.classes == ["M"])
    }
}
