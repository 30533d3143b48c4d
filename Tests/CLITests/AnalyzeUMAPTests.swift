import Foundation
import Store
import Testing

/// `layerscope analyze --umap`: layouts written into the store, reported per layer, reused.
@Suite struct AnalyzeUMAPTests {
    @Test func umapLayouts() throws {
        let scratch = try CLI.scratch()
        let store = try AnalyzeCommandTests.makeStore(in: scratch)
        let run = try CLI.run(["analyze", store.path, "--model", "base", "--pca", "5", "--umap", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let layers = try #require(object["layers"] as? [[String: Any]])
        for (index, layer) in layers.enumerated() {
            let umap = try #require(layer["umap"] as? [String: Any])
            #expect(umap["path"] as? String == "arrays/base/umap-L0\(index).npy")
            #expect((umap["trustworthiness"] as? Double).map { $0 > 0.5 && $0 <= 1 } == true)
            #expect(umap["reused"] as? Bool == false)
            #expect(umap["aligned_to"] as? Int == (index == 0 ? nil : index - 1))
        }
        let opened = try EmbeddingStore(opening: store)
        let records = try opened.arrays(model: "base", kind: .umap)
        #expect(records.map(\.layer) == [0, 1] && records.allSatisfy { $0.rows == 240 && $0.cols == 2 })
        #expect(records[0].params?.contains("\"pca\":5") == true)

        let again = try CLI.run(["analyze", store.path, "--model", "base", "--pca", "5", "--umap", "--json"])
        let reused = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        let umaps = (reused["layers"] as? [[String: Any]] ?? []).compactMap { $0["umap"] as? [String: Any] }
        #expect(umaps.count == 2 && umaps.allSatisfy { $0["reused"] as? Bool == true })

        // Without --umap the JSON has no umap keys; the table lists the layouts with --umap.
        let plain = try CLI.run(["analyze", store.path, "--model", "base", "--pca", "5", "--json"])
        #expect(!plain.stdout.contains("\"umap\""))
        let table = try CLI.run(["analyze", store.path, "--model", "base", "--pca", "5", "--umap"])
        #expect(table.stdout.contains("arrays/base/umap-L01.npy  (from layer 0, reused)"))
    }
}
