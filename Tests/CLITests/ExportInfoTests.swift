import Foundation
import Store
import Testing

@Suite struct ExportInfoTests {
    private func makeStore(_ scratch: Scratch) throws -> String {
        let store = scratch.path("s.layerstore")
        let result = try CLI.run(["import", "--out", store, "--tokens", CLI.fixture("import/tokens.tsv").path, "--model", "m",
                                  "--layer-count", "5", CLI.fixture("import/layers.npz").path,
                                  "--frames", "tone=\(CLI.fixture("import/frames_tone.npz").path)"])
        #expect(result.status == 0, "\(result.stderr)")
        return store
    }

    /// tokens.tsv comes back in store row order with every column, and each L<n>.npy as float32.
    @Test func exportRoundTrips() throws {
        let scratch = try CLI.scratch()
        let store = try makeStore(scratch)
        let result = try CLI.run(["export", store, "--out", scratch.path("out"), "--layers", "1-2"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).sorted()
        #expect(files == ["L1.npy", "L2.npy", "tokens.tsv"])
        let expected = try readFloats(CLI.fixture("import/expected.npy")).values
        let l2 = try readFloats(URL(fileURLWithPath: scratch.path("out/L2.npy")))
        #expect(l2.shape == [12, 4])
        #expect(l2.values == Array(expected[96..<144]))
        let original = try String(contentsOf: CLI.fixture("import/tokens.tsv"), encoding: .utf8).split(separator: "\n")
        let exported = try String(contentsOfFile: scratch.path("out/tokens.tsv"), encoding: .utf8).split(separator: "\n")
        #expect(exported.first == "utterance\tspeaker\tstart\tend\tframe\tsex\ttone")
        #expect(exported.count == original.count)
        for (a, b) in zip(original.dropFirst(), exported.dropFirst()) {
            let x = a.split(separator: "\t", omittingEmptySubsequences: false)
            let y = b.split(separator: "\t", omittingEmptySubsequences: false)
            #expect(x[0] == y[0] && x[1] == y[1] && Double(x[2]) == Double(y[2]) && Double(x[3]) == Double(y[3]))
            #expect(x[4] == y[5] && x[5] == y[6])
        }
        let missing = try CLI.run(["export", store, "--out", scratch.path("out2"), "--layers", "2-4"])
        #expect(missing.status == 0)
        #expect(missing.stderr.contains("layers 3, 4"))
    }

    @Test func infoJSONIsStable() throws {
        let scratch = try CLI.scratch()
        let store = try makeStore(scratch)
        let result = try CLI.run(["info", store, "--json"])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["store", "format_version", "simulated", "tokens", "utterances", "speakers", "labels",
                                   "models", "analyses", "bytes"])
        #expect(json["tokens"] as? Int == 12 && json["utterances"] as? Int == 3 && json["speakers"] as? Int == 2)
        let models = try #require(json["models"] as? [[String: Any]])
        let layers = try #require(models.first?["layers"] as? [String: Any])
        #expect(layers["present"] as? [Int] == [0, 1, 2] && layers["missing"] as? [Int] == [3, 4] && layers["total"] as? Int == 5)
        #expect(models.first?["dim"] as? Int == 4 && models.first?["dtype"] as? String == "float16")
        let labels = try #require(json["labels"] as? [[String: Any]])
        #expect(labels.map { $0["name"] as? String } == ["sex", "tone"])
        let tone = try #require(labels.last?["classes"] as? [[String: Any]])
        #expect(tone.map { $0["name"] as? String } == ["1", "2", "3", "4", "5"])
        #expect(labels.last?["missing"] as? Int == 1)
        let bytes = try #require(json["bytes"] as? [String: Int])
        #expect((bytes["total"] ?? 0) > (bytes["arrays"] ?? 0) && (bytes["arrays"] ?? 0) >= 3 * 12 * 4 * 2)
        let text = try CLI.run(["info", store])
        #expect(text.stdout.contains("layers 0-2 of 0-4; missing 3-4"))
        #expect(text.stdout.contains("frames tone: 5 classes"))
    }

    /// The bundled sample (docs/SAMPLE.md): real embeddings of three fine-tuned models, with SVCCA and
    /// UMAP precomputed for layers 0, 3 and 6 only, so the engine computes the others on first use.
    @Test func sampleStoreOpens() throws {
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let sample = checkout.appendingPathComponent("sample-data/sample.layerstore")
        let info = try StoreInfo.read(sample)
        #expect(!info.simulated)
        #expect(info.models.map(\.name) == ["sex", "tone", "tone+sex"])
        #expect(info.models.allSatisfy { $0.layers.present == Array(0...6) && $0.dim == 128 && $0.dtype == "float16" })
        #expect(info.models.map { $0.tasks.map(\.name).sorted() } == [["sex"], ["tone"], ["sex", "tone"]])
        #expect(Set(info.labels.map(\.name)) == ["sex", "tone", "final"])
        #expect((info.labels.first { $0.name == "final" }?.classes.count ?? 0) >= 20)
        #expect(info.labels.first { $0.name == "tone" }?.classes.map(\.name) == ["1", "2", "3", "4", "5"])
        #expect(info.speakers == 16 && info.utterances == 320 && info.tokens == 1280)
        let svcca = info.analyses.filter { $0.kind == "svcca" }
        #expect(svcca.count == 3 && svcca.allSatisfy { $0.layers == [0, 3, 6] })
        // Together with its corpus and checkpoints, the sample stays within 40 MB.
        let sampleData = checkout.appendingPathComponent("sample-data")
        var total = 0
        if let files = FileManager.default.enumerator(at: sampleData, includingPropertiesForKeys: [.fileSizeKey]) {
            for case let file as URL in files {
                total += (try file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
            }
        }
        #expect(total > 25_000_000 && total <= 40_000_000)
    }
}
