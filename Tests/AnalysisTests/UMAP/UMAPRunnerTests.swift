import Analysis
import Foundation
import Numerics
import Store
import Testing

/// A store of three layers over 500 tokens of the clusters fixture, each layer a little more perturbed.
struct UMAPTestStore {
    let folder: URL
    let url: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("layerscope-umap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        url = folder.appendingPathComponent("umap.layerstore")
        let base = try UMAPFixtures.matrix("clusters.npy").rows(0..<500)
        let labels = UMAPFixtures.shared.clusters_labels
        var lines = ["utterance\tspeaker\tstart\tend\tcluster"]
        for i in 0..<base.rows { lines.append("u\(i / 10)\tS\(i / 10 % 7)\t\(Double(i % 10) * 0.3)\t\(Double(i % 10) * 0.3 + 0.2)\tc\(labels[i])") }
        let tokens = folder.appendingPathComponent("tokens.tsv")
        try (lines.joined(separator: "\n") + "\n").write(to: tokens, atomically: true, encoding: .utf8)
        var random = SeededRandom(seed: 21)
        var files: [URL] = []
        for layer in 0..<3 {
            var x = base
            x.storage = x.storage.map { $0 + Float(random.normal() * 0.05 * Double(layer)) }
            let file = folder.appendingPathComponent(String(format: "L%02d.npy", layer))
            try AtomicNpyWriter.write(x, as: .float32, to: file)
            files.append(file)
        }
        var request = ImportRequest(store: url, tokensFile: tokens, model: "m", arrayFiles: files)
        request.dtype = .float32
        _ = try Importer.run(request)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    func runner(seed: UInt64 = 42) throws -> UMAPRunner {
        var parameters = UMAPParameters()
        parameters.nEpochs = 40
        parameters.seed = seed
        return UMAPRunner(store: try EmbeddingStore(opening: url), parameters: parameters, pcaComponents: 100,
                          frameInterval: 10, threads: 2, trustworthinessSample: 300)
    }
}

@Suite("UMAP layouts in a store")
struct UMAPRunnerTests {
    @Test("a layout is written as umap-L01.npy with its parameters, and reused while they match")
    func writeAndReuse() throws {
        let fixture = try UMAPTestStore()
        defer { fixture.remove() }
        let runner = try fixture.runner()
        let first = try runner.layout(model: "m", layer: 1)
        #expect(!first.reused && first.path == "arrays/m/umap-L01.npy")
        let (record, provenance) = try #require(try runner.stored(model: "m", layer: 1))
        #expect(record.kind == .umap && record.rows == 500 && record.cols == 2 && record.dtype == .float32)
        let stored = try runner.store.open(record)
        #expect(stored.view.matrix(rows: 0..<500) == first.layout)
        let json = try #require(record.params)
        for key in ["\"n_neighbors\":15", "\"min_dist\":0.1", "\"epochs\":40", "\"seed\":42", "\"pca\":100", "\"input\":"] {
            #expect(json.contains(key))
        }
        #expect(provenance?.trustworthiness ?? 0 > 0.9)
        #expect(provenance?.initialization == "spectral")

        let again = try runner.layout(model: "m", layer: 1)
        #expect(again.reused && again.layout == first.layout && again.path == first.path)

        // Other parameters: computed again, the old file replaced after the new one is registered.
        let other = try fixture.runner(seed: 7).layout(model: "m", layer: 1)
        #expect(!other.reused && other.path != first.path)
        #expect(!FileManager.default.fileExists(atPath: fixture.url.appendingPathComponent(first.path).path))
        #expect(try runner.store.arrays(model: "m", kind: .umap).count == 1)
    }

    @Test("an aligned layout starts from its neighbour's stored layout and records it")
    func aligned() throws {
        let fixture = try UMAPTestStore()
        defer { fixture.remove() }
        let runner = try fixture.runner()
        #expect(throws: StoreError.self) { try runner.layout(model: "m", layer: 2, alignTo: 1) }
        let first = try runner.layout(model: "m", layer: 1)
        let aligned = try runner.layout(model: "m", layer: 2, alignTo: 1)
        #expect(aligned.provenance.alignedTo == 1 && aligned.provenance.initialization == "given")
        #expect(aligned.provenance.input.contains("start=\(first.path)"))
        #expect(Procrustes.meanDisplacement(aligned.layout, first.layout) < 0.5)
        // Recomputing the neighbour makes the aligned layout stale.
        _ = try fixture.runner(seed: 9).layout(model: "m", layer: 1)
        #expect(!(try runner.layout(model: "m", layer: 2, alignTo: 1).reused))
    }

    @Test("a missing model or layer is a one-line error naming the store")
    func missing() throws {
        let fixture = try UMAPTestStore()
        defer { fixture.remove() }
        let runner = try fixture.runner()
        do {
            _ = try runner.layout(model: "m", layer: 9)
            Issue.record("no error for a missing layer")
        } catch {
            #expect("\(error)".contains("has no layer 9") && "\(error)".contains("umap.layerstore"))
        }
        #expect(throws: StoreError.self) { try runner.layout(model: "nope", layer: 0) }
    }

    @Test("events: frames while computing, then the stored outcome")
    func events() async throws {
        let fixture = try UMAPTestStore()
        defer { fixture.remove() }
        let runner = try fixture.runner()
        var frames = 0
        var outcome: UMAPRunner.Outcome?
        for try await event in runner.events(model: "m", layer: 0) {
            switch event {
            case .frame: frames += 1
            case .stored(let stored): outcome = stored
            }
        }
        #expect(frames >= 2)
        #expect(outcome?.path == "arrays/m/umap-L00.npy")
    }
}
