import CSndfile
import Foundation
import Testing
@testable import SpeechModel

/// `layerscope embed`'s work: the files it writes, their names and shapes, and that a failure leaves none.
@Suite struct EmbedJobTests {
    @Test func writesLayersAndOneLogitsFilePerTask() throws {
        let folder = try TemporaryFolder()
        let out = folder.url.appendingPathComponent("hidden.npy")
        let logits = folder.url.appendingPathComponent("logits.npy")
        let summary = try EmbedJob.run(EmbedRequest(
            checkpoint: try Fixture.checkpoint("multitask"), audio: try Fixture.audio("clip16k.wav"), out: out,
            layers: 1...2, logits: logits))
        let hidden = try NpyArray(url: out)
        let expected = try Fixture.expected("multitask-clip16k-hidden")
        #expect(hidden.shape == [2, 239, 24] && summary.hidden.shape == [2, 239, 24] && summary.frames == 239)
        for i in 0..<2 { #expect(relativeError(hidden.matrix(i).storage, expected.matrix(i + 1).storage) <= 1e-4) }
        #expect(summary.logits.map(\.task) == ["tone", "sex"])
        #expect(summary.logits.map(\.labels) == [["1", "2", "3", "4", "5"], ["F", "M"]])
        for task in ["tone", "sex"] {
            let written = try NpyArray(url: folder.url.appendingPathComponent("logits-\(task).npy"))
            let reference = try Fixture.expected("multitask-clip16k-logits-\(task)")
            #expect(written.shape == reference.shape)
            #expect(relativeError(written.values, reference.values) <= 1e-4)
        }
        #expect(!FileManager.default.fileExists(atPath: logits.path))
    }

    @Test func oneHeadOrOneTaskWritesThePlainPath() throws {
        let folder = try TemporaryFolder()
        let out = folder.url.appendingPathComponent("h.npy")
        let logits = folder.url.appendingPathComponent("l.npy")
        _ = try EmbedJob.run(EmbedRequest(checkpoint: try Fixture.checkpoint("frame-classifier"),
                                          audio: try Fixture.audio("clip16k.wav"), out: out, logits: logits))
        #expect(try NpyArray(url: logits).shape == [239, 3])
        #expect(try NpyArray(url: out).shape == [4, 239, 24])
        _ = try EmbedJob.run(EmbedRequest(checkpoint: try Fixture.checkpoint("multitask"),
                                          audio: try Fixture.audio("clip16k.wav"), out: out, logits: logits, task: "sex"))
        #expect(try NpyArray(url: logits).shape == [239, 2])
        #expect(EmbedJob.perTaskURL(URL(fileURLWithPath: "/a/b.npy"), task: "tone").path == "/a/b-tone.npy")
        #expect(EmbedJob.perTaskURL(URL(fileURLWithPath: "/a/b"), task: "tone").path == "/a/b-tone.npy")
    }

    /// Every refusal leaves the output folder as it was.
    @Test func failuresWriteNothing() throws {
        let folder = try TemporaryFolder()
        let out = folder.url.appendingPathComponent("h.npy")
        let logits = folder.url.appendingPathComponent("l.npy")
        let base = EmbedRequest(checkpoint: try Fixture.checkpoint("group-postln"), audio: try Fixture.audio("clip16k.wav"), out: out)
        var tooDeep = base
        tooDeep.layers = 2...9
        var noHeads = base
        noHeads.logits = logits
        var wrongTask = base
        wrongTask.checkpoint = try Fixture.checkpoint("multitask")
        wrongTask.logits = logits
        wrongTask.task = "pitch"
        let silence = folder.url.appendingPathComponent("short.wav")
        try writeAudio(silence, interleaved: [Float](repeating: 0, count: 100), channels: 1, rate: 16000, format: SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        var short = base
        short.audio = silence
        let cases: [(EmbedRequest, String)] = [
            (tooDeep, "has hidden states 0 to 3; layers 2-9 were asked for"),
            (noHeads, "has no framewise heads (a classifier or layerscope tasks), so there are no logits to write"),
            (wrongTask, "has no task \"pitch\"; its tasks are tone, sex"),
            (short, "too short: 100 samples at 16000 Hz; the model needs at least 400"),
        ]
        for (request, message) in cases {
            #expect { try EmbedJob.run(request) } throws: { "\($0)".hasSuffix(": " + message) }
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0 != "short.wav" }
        #expect(left.isEmpty, "\(left)")
    }
}
