import Foundation
import Numerics
import Store

/// A small store made through the Store API in a temporary folder, removed on deinit.
final class TestStore {
    let folder: URL
    let url: URL
    let tokens: Int
    let layers: [Matrix<Float>]

    /// `tokens` tokens in 4 utterances of 2 speakers, labels sex and tone; model "m" with `present`
    /// layers of `dim` values (deterministic), declared as `layerCount` layers.
    init(tokens: Int = 40, dim: Int = 4, present: [Int] = [0, 1, 2], layerCount: Int = 4) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("engine-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        url = folder.appendingPathComponent("t.layerstore")
        self.tokens = tokens
        var tsv = "utterance\tspeaker\tstart\tend\tsex\ttone\n"
        for i in 0..<tokens {
            let utterance = i % 4, speaker = utterance % 2
            let start = Double(i / 4) * 0.3
            tsv += "U\(utterance)\tS\(speaker)\t\(start)\t\(start + 0.2)\t\(speaker == 0 ? "F" : "M")\t\(i % 3 + 1)\n"
        }
        let tokensURL = folder.appendingPathComponent("tokens.tsv")
        try tsv.write(to: tokensURL, atomically: true, encoding: .utf8)
        var files: [URL] = []
        var layers: [Matrix<Float>] = []
        for layer in present {
            var matrix = Matrix<Float>(rows: tokens, cols: dim)
            for r in 0..<tokens {
                for c in 0..<dim { matrix[r, c] = Float((r * 7 + c * 3 + layer * 11) % 17) / 4 - 2 }
            }
            let file = folder.appendingPathComponent(String(format: "L%02d.npy", layer))
            try AtomicNpyWriter.write(matrix, as: .float32, to: file)
            files.append(file)
            layers.append(matrix)
        }
        self.layers = layers
        var request = ImportRequest(store: url, tokensFile: tokensURL, model: "m", arrayFiles: files)
        request.dtype = .float32
        request.layerCount = layerCount
        _ = try Importer.run(request)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func open() throws -> EmbeddingStore { try EmbeddingStore(opening: url) }
}
