import Foundation
import Numerics
import Store
import Testing

/// `layerscope analyze` end to end: the binary on a store it imported itself.
@Suite struct AnalyzeCommandTests {
    /// A store with 6 speakers, labels sex / tone / register (one class), two float16 layers.
    static func makeStore(in scratch: Scratch) throws -> URL {
        let folder = scratch.url
        var generator = SplitMix64(seed: 9)
        let n = 240, d = 10
        var lines = ["utterance\tspeaker\tstart\tend\tsex\ttone\tregister"]
        var x = Matrix<Float>(rows: n, cols: d)
        for i in 0..<n {
            let speaker = i % 6, tone = Int(generator.next() % 3)
            lines.append("u\(i / 4)_\(speaker)\tS\(speaker)\t\(Double(i % 4) * 0.3)\t\(Double(i % 4) * 0.3 + 0.2)\t\(speaker % 2 == 0 ? "F" : "M")\t\(tone + 1)\tmodal")
            for j in 0..<d { x[i, j] = Float(generator.nextGaussian()) + (j == 0 ? Float(speaker % 2) * 2 : 0) + (j == 1 ? Float(tone) : 0) }
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("tokens.tsv"), atomically: true, encoding: .utf8)
        for layer in 0..<2 { try AtomicNpyWriter.write(x, as: .float16, to: folder.appendingPathComponent("L0\(layer).npy")) }
        let store = folder.appendingPathComponent("cli.layerstore")
        let run = try CLI.run(["import", "--out", store.path, "--tokens", folder.appendingPathComponent("tokens.tsv").path,
                                  "--model", "base", folder.appendingPathComponent("L00.npy").path, folder.appendingPathComponent("L01.npy").path])
        #expect(run.status == 0, "import failed: \(run.stderr)")
        return store
    }

    /// --json has the documented shape; failures sit in their cells; a second run reuses.
    @Test func jsonShape() throws {
        let scratch = try CLI.scratch()
        let store = try Self.makeStore(in: scratch)
        let run = try CLI.run(["analyze", store.path, "--model", "base", "--pca", "5", "--probe", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["model"] as? String == "base")
        #expect(object["pca"] as? Int == 5)
        #expect(object["mode"] as? String == "standard")
        let layers = try #require(object["layers"] as? [[String: Any]])
        #expect(layers.map { $0["layer"] as? Int } == [0, 1])
        let svcca = try #require(layers[0]["svcca"] as? [String: Any])
        #expect((svcca["sex"] as? Double).map { $0 > 0.5 && $0 <= 1 } == true)
        #expect(svcca["register"] is NSNull)
        let errors = try #require(layers[0]["errors"] as? [String: [String: String]])
        #expect(errors["svcca"]?["register"]?.contains("only one class") == true)
        let probe = try #require(layers[0]["probe"] as? [String: Any])
        let sex = try #require(probe["sex"] as? [String: Any])
        #expect((sex["per_class"] as? [String: Double])?.keys.sorted() == ["F", "M"])
        let split = try #require(object["probe_split"] as? [String: Any])
        #expect((split["test_speakers"] as? [String])?.count == 2)

        let again = try CLI.run(["analyze", store.path, "--pca", "5", "--probe", "--json"])
        let reused = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect((reused["layers"] as? [[String: Any]])?.allSatisfy { $0["reused"] as? Bool == true } == true)
    }

    /// The table lists layers and labels; bad input is one line on stderr and exit status 1.
    @Test func tableAndErrors() throws {
        let scratch = try CLI.scratch()
        let store = try Self.makeStore(in: scratch)
        let table = try CLI.run(["analyze", store.path, "--labels", "sex,register", "--pca", "4", "--svcca-mode", "google"])
        #expect(table.status == 0)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].contains("SVCCA google"))
        #expect(lines[1].hasPrefix("layer") && lines[1].contains("sex") && lines[1].contains("register"))
        #expect(lines[2].contains("error [1]"))
        #expect(lines.contains { $0.hasPrefix("[1] layer 0: label 'register' has only one class") })

        for arguments in [["analyze", store.path, "--labels", "colour"], ["analyze", store.path, "--model", "nope"],
                          ["analyze", store.path, "--layers", "7-9"], ["analyze", scratch.path("none")]] {
            let bad = try CLI.run(arguments)
            #expect(bad.status == 1)
            #expect(bad.stderr.hasPrefix("layerscope: ") && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
        }
    }
}
