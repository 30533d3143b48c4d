import Foundation
import Numerics
import Store
import Testing
@testable import Analysis

@Suite struct ClusterRunnerTests {
    /// Without a fixed k, each label gets k = its classes; the cells equal k-means + agreement computed
    /// directly; the ids are stored as arrays; a one-class label and a NaN layer fail in their cells.
    @Test func clustersPerLabelWithItsClasses() throws {
        let fixture = try TestStore(nanLayer: 1)
        defer { fixture.remove() }
        let store = try EmbeddingStore(opening: fixture.url)
        let runner = AnalysisRunner(store: store)
        let request = AnalysisRequest(model: "base", pcaComponents: 6, clusters: ClusterRequest(restarts: 3, seed: 5))
        let result = try runner.run(request)
        #expect(result.clusters == request.clusters)
        let tokens = try store.tokens()
        let nan = try #require(result.layers.first { $0.layer == 1 })
        #expect(nan.clusters["sex"]?.error?.contains("NaN or infinity") == true)
        for layer in [0, 2] {
            let analysis = try #require(result.layers.first { $0.layer == layer })
            #expect(analysis.clusters["register"]?.error?.contains("only one class") == true)
            let view = try store.layer(model: "base", layer: layer).view
            let features = try PCA.fitTransform(view, components: 6).features
            for name in ["sex", "tone"] {
                let label = try #require(tokens.label(named: name))
                let cell = try #require(analysis.clusters[name]?.value)
                #expect(cell.k == label.classes.count)
                let fit = try KMeans.fit(features, options: KMeansOptions(clusters: cell.k, restarts: 3, seed: 5))
                let direct = ClusterAgreement.compare(clusters: fit.assignments, clusterCount: cell.k, codes: label.codes,
                                                      classCount: label.classes.count)
                #expect(cell.nmi == direct.nmi && cell.purity == direct.purity && cell.vMeasure == direct.vMeasure)
                #expect(cell.tokens == label.codes.filter { $0 >= 0 }.count)
                #expect(cell.clusters.map(\.size).reduce(0, +) == tokens.count)
                #expect(cell.clusters.allSatisfy { $0.majority.map(label.classes.contains) ?? true })
                let stored = try #require(try StoredClusters.assignments(in: store, model: "base", layer: layer, k: cell.k))
                #expect(stored == fit.assignments)
                #expect(try StoredClusters.result(in: store, model: "base", layer: layer, label: name)?.value == cell)
            }
        }
        // Sex separates clearly in the fixture's deeper layers; the clusters find it.
        #expect((result.layers.last?.clusters["sex"]?.value?.nmi ?? 0) > 0.5)
        #expect(Set(try store.arrays(model: "base", kind: .clusters).map(\.task)) == ["k2", "k4"])
    }

    /// Nothing assumes Mandarin labels: a store whose only label is Finnish phones (as
    /// `extract --scheme plain` makes it, non-ASCII names and long vowels included) gets k = its phones,
    /// and the clusters' majorities name them.
    @Test func finnishPhonesFromThePlainScheme() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("layerscope-finnish-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let phones = ["a", "ä", "o", "ö", "y", "aː", "kː", "ŋ"]
        let n = 400, dim = 10
        var generator = SplitMix64(seed: 7)
        var lines = ["utterance\tspeaker\tstart\tend\tphone"]
        var x = Matrix<Float>(rows: n, cols: dim)
        for i in 0..<n {
            let phone = i % phones.count
            lines.append("u\(i / 8)\tS\(i / 8 % 5)\t\(Double(i % 8) * 0.1)\t\(Double(i % 8) * 0.1 + 0.08)\t\(phones[phone])")
            for j in 0..<dim {
                // Each phone sits at its own corner of the first three dimensions, well apart.
                x[i, j] = Float(generator.nextGaussian()) * 0.3 + (j < 3 ? Float((phone >> j) & 1) * 4 : 0)
            }
        }
        let tokensFile = folder.appendingPathComponent("tokens.tsv")
        try (lines.joined(separator: "\n") + "\n").write(to: tokensFile, atomically: true, encoding: .utf8)
        let layerFile = folder.appendingPathComponent("L00.npy")
        try AtomicNpyWriter.write(x, as: .float32, to: layerFile)
        let url = folder.appendingPathComponent("finnish.layerstore")
        _ = try Importer.run(ImportRequest(store: url, tokensFile: tokensFile, model: "fi", arrayFiles: [layerFile]))

        let store = try EmbeddingStore(opening: url)
        let result = try AnalysisRunner(store: store).run(
            AnalysisRequest(model: "fi", pcaComponents: 5, clusters: ClusterRequest(restarts: 4)))
        let cell = try #require(result.layers.first?.clusters["phone"]?.value)
        #expect(cell.k == phones.count)
        #expect(cell.nmi > 0.99 && cell.purity > 0.99)
        #expect(Set(cell.clusters.compactMap(\.majority)) == Set(phones))
    }

    /// A fixed k makes one clustering per layer, compared with every label; runs reuse while the
    /// settings match, and other settings or a missing clustering array recompute.
    @Test func fixedKAndReuse() throws {
        let fixture = try TestStore(layers: 2)
        defer { fixture.remove() }
        let store = try EmbeddingStore(opening: fixture.url)
        let runner = AnalysisRunner(store: store)
        var request = AnalysisRequest(model: "base", labels: ["sex", "tone"], pcaComponents: 5,
                                      clusters: ClusterRequest(count: .fixed(3), restarts: 2))
        let first = try runner.run(request)
        for layer in first.layers {
            #expect(layer.clusters["sex"]?.value?.k == 3 && layer.clusters["tone"]?.value?.k == 3)
        }
        #expect(try store.arrays(model: "base", kind: .clusters).map(\.task) == ["k3", "k3"])
        #expect(try runner.pendingLayers(request).isEmpty)
        let again = try runner.run(request)
        #expect(again.layers.allSatisfy(\.reused) && again.layers.map(\.clusters) == first.layers.map(\.clusters))
        #expect(try runner.stored(request).layers.map(\.clusters) == first.layers.map(\.clusters))

        // Another process replaced layer 0's clustering array with one of other settings: recompute it.
        var foreign = try #require(try store.arrays(model: "base", kind: .clusters).first { $0.layer == 0 })
        foreign.params = "{}"
        try store.withWriteLock { try store.register(model: nil, arrays: [foreign]) }
        #expect(try runner.pendingLayers(request) == [0])
        _ = try runner.run(request)
        #expect(try runner.pendingLayers(request).isEmpty)

        request.clusters?.seed = 1
        #expect(try runner.pendingLayers(request) == [0, 1])
        request.clusters?.seed = 0
        request.clusters?.count = .classes
        #expect(try runner.pendingLayers(request) == [0, 1])
        request.clusters = nil
        #expect(try runner.pendingLayers(request).isEmpty)
    }
}
