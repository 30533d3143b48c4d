import Foundation
import Numerics
import Store
import Testing

/// `layerscope import` on every layout numpy writes, read back through the store.
@Suite struct ImportTests {
    let expected: [Float]

    init() throws {
        expected = try readFloats(CLI.fixture("import/expected.npy")).values
    }

    private func layer(_ store: String, _ model: String, _ layer: Int) throws -> [Float] {
        let s = try EmbeddingStore(opening: URL(fileURLWithPath: store))
        let array = try s.layer(model: model, layer: layer)
        #expect(array.rows == 12 && array.cols == 4)
        return array.view.matrix(rows: 0..<array.rows).storage
    }

    private func expectedLayer(_ index: Int) -> [Float] { Array(expected[(index * 48)..<((index + 1) * 48)]) }

    @Test(arguments: [
        ["layer_0.npy", "layer_1.npy", "layer_2.npy"],
        ["layer_2.npy", "layer_0.npy", "layer_1.npy"],  // named files keep their layer numbers
        ["stacked_f64_be.npy"],
        ["stacked_f16_fortran.npy"],
        ["stacked_v2.npy"],
        ["layers.npz"],
        ["hidden_states.npz"],
    ])
    func importsEveryLayout(files: [String]) throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        let result = try CLI.run(["import", "--out", store, "--tokens", CLI.fixture("import/tokens.tsv").path,
                                  "--model", "m"] + files.map { CLI.fixture("import/\($0)").path })
        #expect(result.status == 0, "\(result.stderr)")
        for index in 0..<3 { #expect(try layer(store, "m", index) == expectedLayer(index), "layer \(index) of \(files)") }
    }

    @Test func float32StoreKeepsValues() throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        try CLI.run(["import", "--out", store, "--tokens", CLI.fixture("import/tokens.tsv").path, "--model", "m",
                     "--dtype", "float32", CLI.fixture("import/stacked_f64_be.npy").path])
        let array = try EmbeddingStore(opening: URL(fileURLWithPath: store)).layer(model: "m", layer: 1)
        #expect(array.type == .float32)
        #expect(array.view.matrix(rows: 0..<12).storage == expectedLayer(1))
    }

    /// The store writes `.npy` exactly as numpy does, so `np.load(..., mmap_mode="r")` reads it.
    @Test func storeArraysAreByteIdenticalToNumpys() throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        try CLI.run(["import", "--out", store, "--tokens", CLI.fixture("import/tokens.tsv").path, "--model", "m",
                     CLI.fixture("import/layer_0.npy").path])
        let ours = try Data(contentsOf: URL(fileURLWithPath: store).appendingPathComponent("arrays/m/L00.npy"))
        let numpys = try Data(contentsOf: CLI.fixture("import/numpy_f16.npy"))
        #expect(ours == numpys)
    }

    @Test func tokenTableColumnsAndLabels() throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        try CLI.run(["import", "--out", store, "--tokens", CLI.fixture("import/tokens.csv").path, "--model", "m",
                     CLI.fixture("import/layers.npz").path])
        let tokens = try EmbeddingStore(opening: URL(fileURLWithPath: store)).tokens()
        #expect(tokens.count == 12)
        #expect(tokens.utterances == ["u1", "u2", "u3"])
        #expect(tokens.speakers == ["S1", "S2"])
        #expect(tokens.frame == (0..<12).map(Int32.init), "an explicit frame column wins")
        #expect(tokens.label(named: "word")?.classes == ["w0, said \"x\"", "w1, said \"x\"", "w2, said \"x\""])
        #expect(tokens.label(named: "sex")?.counts == [8, 4])
    }

    @Test func frameDefaultsToTheCentralFrame() throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        try CLI.run(["import", "--out", store, "--tokens", CLI.fixture("import/tokens.tsv").path, "--model", "m",
                     CLI.fixture("import/layers.npz").path])
        let tokens = try EmbeddingStore(opening: URL(fileURLWithPath: store)).tokens()
        // start = 0.25·k, end = start + 0.2: floor(((start + end) / 2) / 0.02)
        #expect(Array(tokens.frame.prefix(4)) == [5, 17, 30, 42])
        #expect(tokens.label(named: "tone")?.missingCount == 1)
    }

    @Test func severalModelsShareTheTokens() throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        let tokens = CLI.fixture("import/tokens.tsv").path
        #expect(try CLI.run(["import", "--out", store, "--tokens", tokens, "--model", "a", CLI.fixture("import/layers.npz").path]).status == 0)
        #expect(try CLI.run(["import", "--out", store, "--tokens", tokens, "--model", "b", CLI.fixture("import/hidden_states.npz").path]).status == 0)
        #expect(try CLI.run(["import", "--out", store, "--model", "c", "--layer-count", "13", CLI.fixture("import/layer_1.npy").path]).status == 0)
        let s = try EmbeddingStore(opening: URL(fileURLWithPath: store))
        #expect(try s.models().map(\.name) == ["a", "b", "c"])
        #expect(try s.presentLayers(model: "c") == [1])
        #expect(try s.model(named: "c").layerCount == 13)
        #expect(try layer(store, "b", 2) == expectedLayer(2))
    }

    @Test func replacingALayerNeedsReplace() throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        let tokens = CLI.fixture("import/tokens.tsv").path
        try CLI.run(["import", "--out", store, "--tokens", tokens, "--model", "m", CLI.fixture("import/layers.npz").path])
        let clash = try CLI.run(["import", "--out", store, "--model", "m", CLI.fixture("import/layer_1.npy").path])
        #expect(clash.status == 1)
        #expect(clash.stderr.contains("already has layer 1") && clash.stderr.contains("--replace"))
        let replaced = try CLI.run(["import", "--out", store, "--model", "m", "--replace", CLI.fixture("import/layer_2.npy").path])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try layer(store, "m", 2) == expectedLayer(2))
        // The replaced file is gone; only registered arrays remain.
        let files = try FileManager.default.contentsOfDirectory(atPath: store + "/arrays/m").sorted()
        #expect(files.count == 3)
    }

    @Test func framewiseOutputs() throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        let result = try CLI.run([
            "import", "--out", store, "--tokens", CLI.fixture("import/tokens.tsv").path, "--model", "m",
            CLI.fixture("import/layers.npz").path,
            "--frames", "tone=\(CLI.fixture("import/frames_tone.npz").path)",
            "--frames", "sex=\(CLI.fixture("import/frames_sex_noclasses.npz").path)", "--classes", "sex=F,M",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let s = try EmbeddingStore(opening: URL(fileURLWithPath: store))
        let tasks = try s.tasks(model: "m")
        #expect(tasks.map(\.task) == ["sex", "tone"])
        #expect(tasks[0].classNames == ["F", "M"] && tasks[0].valueKind == .probabilities)
        #expect(tasks[1].classNames == ["1", "2", "3", "4", "5"] && tasks[1].valueKind == .logits)
        let u2 = try #require(try s.frameRange(model: "m", task: "tone", utterance: "u2"))
        #expect(u2.firstRow == 30 && u2.rowCount == 35)
        #expect(try s.frameRange(model: "m", task: "sex", utterance: "u3") == nil)
    }

    @Test func framesNeedClassNames() throws {
        let scratch = try CLI.scratch()
        let result = try CLI.run([
            "import", "--out", scratch.path("s.layerstore"), "--tokens", CLI.fixture("import/tokens.tsv").path,
            "--model", "m", CLI.fixture("import/layers.npz").path,
            "--frames", "sex=\(CLI.fixture("import/frames_sex_noclasses.npz").path)",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("frames_sex_noclasses.npz") && result.stderr.contains("--classes"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("s.layerstore")))
    }

    @Test func framesOfUnknownUtterancesAreRefused() throws {
        let scratch = try CLI.scratch()
        let result = try CLI.run([
            "import", "--out", scratch.path("s.layerstore"), "--tokens", CLI.fixture("import/tokens.tsv").path,
            "--model", "m", CLI.fixture("import/layers.npz").path,
            "--frames", "sex=\(CLI.fixture("import/frames_unknown_utterance.npz").path)",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("u9") && result.stderr.contains("not in the token table"))
    }

    @Test func nonfiniteRowsAllowedOnRequest() throws {
        let scratch = try CLI.scratch()
        let store = scratch.path("s.layerstore")
        let result = try CLI.run(["import", "--out", store, "--tokens", CLI.fixture("import/tokens.tsv").path,
                                  "--model", "m", "--allow-nonfinite", CLI.fixture("import/bad/nonfinite.npy").path])
        #expect(result.status == 0, "\(result.stderr)")
        let values = try layer(store, "m", 0)
        #expect(values[2 * 4 + 1].isNaN && values[7 * 4] == .infinity)
    }
}
