import Foundation
import Store
import Testing

/// Each malformed input: exit status 1, one line naming the file and the problem, no crash, and
/// nothing half-written — a new store is never created, an existing one is left exactly as it was.
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let tokens: String
        let files: [String]
        let extra: [String]
        /// Substrings the one-line message must contain.
        let message: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "truncated .npy", tokens: "tokens.tsv", files: ["bad/truncated.npy"], extra: [],
             message: ["truncated.npy", "truncated"]),
        Case(name: "header shape does not match the data", tokens: "tokens.tsv", files: ["bad/shape_mismatch.npy"], extra: [],
             message: ["shape_mismatch.npy", "does not match"]),
        Case(name: "wrong magic", tokens: "tokens.tsv", files: ["bad/wrong_magic.npy"], extra: [],
             message: ["wrong_magic.npy", "magic"]),
        Case(name: "object dtype", tokens: "tokens.tsv", files: ["bad/object.npy"], extra: [],
             message: ["object.npy", "object"]),
        Case(name: "NaN and infinite rows", tokens: "tokens.tsv", files: ["layer_0.npy", "bad/nonfinite.npy"], extra: [],
             message: ["nonfinite.npy", "2 rows", "NaN", "--allow-nonfinite"]),
        Case(name: "beyond float16", tokens: "tokens.tsv", files: ["bad/too_large_for_float16.npy"], extra: [],
             message: ["too_large_for_float16.npy", "float16", "--dtype float32"]),
        Case(name: "tokens and arrays disagree", tokens: "tokens.tsv", files: ["bad/eleven_rows.npy"], extra: [],
             message: ["eleven_rows.npy", "11 rows", "12 tokens"]),
        Case(name: "missing required column", tokens: "bad/tokens_no_speaker.tsv", files: ["layers.npz"], extra: [],
             message: ["tokens_no_speaker.tsv", "speaker"]),
        Case(name: "a start that is not a number", tokens: "bad/tokens_bad_number.tsv", files: ["layers.npz"], extra: [],
             message: ["tokens_bad_number.tsv:5", "start 'x'"]),
        Case(name: "the same layer twice", tokens: "tokens.tsv", files: ["layers.npz", "layer_1.npy"], extra: [],
             message: ["layer 1 given twice"]),
        Case(name: "the same file twice", tokens: "tokens.tsv", files: ["layer_0.npy", "layer_0.npy"], extra: [],
             message: ["layer_0.npy", "given twice"]),
        Case(name: "integer arrays", tokens: "tokens.tsv", files: ["bad/integers.npy"], extra: [],
             message: ["integers.npy", "int64"]),
        Case(name: "a missing file", tokens: "tokens.tsv", files: ["bad/no_such_file.npy"], extra: [],
             message: ["no_such_file.npy"]),
    ]

    private func check(_ result: CLI.Result, _ expected: [String]) {
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line, got: \(result.stderr)")
        for part in expected { #expect(result.stderr.contains(part), "'\(part)' missing from: \(result.stderr)") }
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test(arguments: cases)
    func newStoreIsNeverCreated(_ c: Case) throws {
        let scratch = try CLI.scratch()
        let result = try CLI.run(["import", "--out", scratch.path("s.layerstore"), "--tokens", CLI.fixture("import/\(c.tokens)").path,
                                  "--model", "m"] + c.files.map { CLI.fixture("import/\($0)").path } + c.extra)
        check(result, c.message)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty, "nothing left behind")
    }

    @Test(arguments: cases.filter { $0.tokens == "tokens.tsv" })
    func existingStoreIsUnchanged(_ c: Case) throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        #expect(try CLI.run(["import", "--out", store, "--tokens", CLI.fixture("import/tokens.tsv").path, "--model", "base",
                             CLI.fixture("import/layers.npz").path]).status == 0)
        let before = scratch.listing("s.layerstore")
        let contents = try storeContents(store)
        let result = try CLI.run(["import", "--out", store, "--model", "m"] + c.files.map { CLI.fixture("import/\($0)").path } + c.extra)
        check(result, c.message)
        #expect(scratch.listing("s.layerstore") == before)
        #expect(try storeContents(store) == contents)
        #expect(try EmbeddingStore(opening: URL(fileURLWithPath: store)).models().map(\.name) == ["base"])
    }

    @Test func folderThatIsNotAStore() throws {
        let scratch = try CLI.scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("plain"), withIntermediateDirectories: false)
        try Data("x".utf8).write(to: scratch.url.appendingPathComponent("plain/notes.txt"))
        check(try CLI.run(["info", scratch.path("plain")]), ["plain", "not a layerscope store"])
        check(try CLI.run(["import", "--out", scratch.path("plain"), "--tokens", CLI.fixture("import/tokens.tsv").path,
                           "--model", "m", CLI.fixture("import/layers.npz").path]), ["plain", "not a layerscope store"])
        #expect(scratch.listing("plain").count == 1)
        check(try CLI.run(["info", scratch.path("missing.layerstore")]), ["missing.layerstore", "no such store"])
    }

    @Test func storeFromANewerFormat() throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        try CLI.run(["import", "--out", store, "--tokens", CLI.fixture("import/tokens.tsv").path, "--model", "m",
                     CLI.fixture("import/layers.npz").path])
        let opened = try EmbeddingStore(opening: URL(fileURLWithPath: store))
        try opened.setMeta(["format_version": "99"])
        try opened.close()
        let before = scratch.listing("s.layerstore")
        check(try CLI.run(["info", store]), ["s.layerstore", "newer layerscope", "format 99"])
        check(try CLI.run(["import", "--out", store, "--model", "n", CLI.fixture("import/layer_0.npy").path]), ["format 99"])
        #expect(scratch.listing("s.layerstore") == before)
    }

    @Test func garbageInTheDatabase() throws {
        let scratch = try CLI.scratch()
        let store = scratch.url.appendingPathComponent("s.layerstore")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: false)
        try Data(repeating: 0x41, count: 4096).write(to: store.appendingPathComponent("store.sqlite"))
        check(try CLI.run(["info", store.path]), ["store.sqlite"])
    }

    @Test func exportOfAMissingModel() throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        try CLI.run(["import", "--out", store, "--tokens", CLI.fixture("import/tokens.tsv").path, "--model", "m",
                     CLI.fixture("import/layers.npz").path])
        check(try CLI.run(["export", store, "--out", scratch.path("out"), "--model", "nope"]), ["no model 'nope'", "m"])
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out")))
    }
}
