import Foundation
import Numerics
import Store

/// A small store made for a test: 8 speakers (sex is speaker-level), tone with a few missing values,
/// a label with a single class, and float16 layers whose class structure grows with depth.
struct TestStore {
    let url: URL
    let folder: URL
    let layers: [Matrix<Float>]
    let tokens: Int

    static let speakers = (1...8).map { "S\($0)" }

    init(layers layerCount: Int = 3, tokens n: Int = 480, dim: Int = 12, nanLayer: Int? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("layerscope-analysis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        url = folder.appendingPathComponent("test.layerstore")
        tokens = n
        var generator = SplitMix64(seed: 42)
        var lines = ["utterance\tspeaker\tstart\tend\tsex\ttone\tregister"]
        var sex: [Int] = [], tone: [Int] = []
        for i in 0..<n {
            let speaker = i % Self.speakers.count
            let t = Int(generator.next() % 4)
            let missing = i % 37 == 5
            sex.append(speaker % 2)
            tone.append(missing ? -1 : t)
            lines.append("u\(i / 6)_\(speaker)\tS\(speaker + 1)\t\(Double(i % 6) * 0.2)\t\(Double(i % 6) * 0.2 + 0.15)\t"
                         + "\(speaker % 2 == 0 ? "F" : "M")\t\(missing ? "" : String(t + 1))\tmodal")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("tokens.tsv"), atomically: true, encoding: .utf8)
        var files: [URL] = []
        var made: [Matrix<Float>] = []
        for layer in 0..<layerCount {
            var x = Matrix<Float>(rows: n, cols: dim)
            for i in 0..<n {
                for j in 0..<dim {
                    var value = Float(generator.nextGaussian())
                    if j < 3 { value += Float(layer + 1) * 0.4 * Float(sex[i] * 2 - 1) }
                    if j >= 3 && j < 6 && tone[i] >= 0 { value += Float(layer) * 0.3 * Float(tone[i] - j + 3) }
                    if j == dim - 1 { value += 200 }  // a large offset, as some wav2vec2 dimensions have
                    x[i, j] = value
                }
            }
            if layer == nanLayer { x[7, 2] = .nan }
            let file = folder.appendingPathComponent(String(format: "L%02d.npy", layer))
            try AtomicNpyWriter.write(x, as: .float16, to: file)
            files.append(file)
            made.append(Matrix(rows: n, cols: dim, storage: HalfPrecision.widen(HalfPrecision.narrow(x.storage))))
        }
        layers = made
        var request = ImportRequest(store: url, tokensFile: folder.appendingPathComponent("tokens.tsv"), model: "base", arrayFiles: files)
        request.allowNonfinite = true
        _ = try Importer.run(request)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}
