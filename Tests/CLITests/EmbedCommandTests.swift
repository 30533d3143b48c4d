import Foundation
import Testing

/// `layerscope embed` as a user runs it: exit status, files written, one-line errors.
@Suite struct EmbedCommandTests {
    /// The SpeechModel fixtures (tiny checkpoints and clips made by scripts/make_speechmodel_fixtures.py).
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../SpeechModelTests/Fixtures").standardized

    /// Runs the built `layerscope` with `arguments`; returns exit status, standard output and error.
    func layerscope(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let binary = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("layerscope")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    @Test func embedWritesHiddenStatesAndReportsJSON() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("hidden.npy").path
        let result = try layerscope(["embed", "--checkpoint", Self.fixtures.appendingPathComponent("checkpoints/frame-classifier").path,
                                     Self.fixtures.appendingPathComponent("audio/clip22k-stereo.flac").path, "--out", out,
                                     "--layers", "0-1", "--logits", folder.appendingPathComponent("logits.npy").path, "--json"])
        #expect(result.status == 0, "\(result.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        #expect(json["frames"] as? Int == 199)
        let hidden = try #require(json["hidden"] as? [String: Any])
        #expect(hidden["shape"] as? [Int] == [2, 199, 24])
        let logits = try #require(json["logits"] as? [[String: Any]])
        #expect(logits.first?["labels"] as? [String] == ["sil", "vowel", "consonant"])
        #expect(FileManager.default.fileExists(atPath: out))
    }

    @Test func badInputExitsOneWithOneLine() throws {
        let checkpoint = Self.fixtures.appendingPathComponent("checkpoints/group-postln").path
        let audio = Self.fixtures.appendingPathComponent("audio/clip16k.wav").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("never-\(UUID().uuidString).npy").path
        for (arguments, message) in [
            (["embed", "--checkpoint", checkpoint, checkpoint + "/config.json", "--out", out], "cannot be read as audio"),
            (["embed", "--checkpoint", audio, audio, "--out", out], "is not a checkpoint folder"),
            (["embed", "--checkpoint", checkpoint, audio, "--out", out, "--layers", "0-7"], "layers 0-7 were asked for"),
        ] {
            let result = try layerscope(arguments)
            #expect(result.status == 1)
            #expect(result.err.hasPrefix("layerscope: ") && result.err.contains(message), "\(result.err)")
            #expect(result.err.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }
}
