import Foundation
import Numerics
import Testing
@testable import Store

/// The token table reads back exactly as written (the reader steps SQLite by hand and interns
/// label values by their bytes): classes in natural order, missing values, many classes, repeats.
@Suite struct TokenReadingTests {
    @Test func tokensRoundTripThroughTheStore() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var tsv = "utterance\tspeaker\tstart\tend\tsex\ttone\tword\n"
        let n = 500
        for i in 0..<n {
            let utterance = i / 7
            // tone: 1…10 with gaps (missing) every 13th token; word: 150 distinct values (past the scan limit).
            let tone = i % 13 == 0 ? "" : String(i % 10 + 1)
            tsv += "utt\(utterance)\tspk\(utterance % 4)\t\(Double(i % 7) * 0.5)\t\(Double(i % 7) * 0.5 + 0.25)\t"
                + "\(utterance % 4 < 2 ? "F" : "M")\t\(tone)\tw\((i * 37) % 150)ü\n"
        }
        let tokensURL = folder.appendingPathComponent("tokens.tsv")
        try tsv.write(to: tokensURL, atomically: true, encoding: .utf8)
        let layerURL = folder.appendingPathComponent("L00.npy")
        try AtomicNpyWriter.write(Matrix<Float>(rows: n, cols: 2), as: .float32, to: layerURL)
        let storeURL = folder.appendingPathComponent("t.layerstore")
        _ = try Importer.run(ImportRequest(store: storeURL, tokensFile: tokensURL, model: "m", arrayFiles: [layerURL]))

        let expected = try TokenTable.read(from: tokensURL)
        let store = try EmbeddingStore(opening: storeURL)
        let read = try store.tokens()
        #expect(read == expected)
        let tone = try #require(read.label(named: "tone"))
        #expect(tone.classes == (1...10).map(String.init))
        #expect(tone.missingCount == (0..<n).filter { $0 % 13 == 0 }.count)
        #expect(read.label(named: "word")?.classes.count == 150)
        #expect(read.label(named: "word")?.value(at: 1) == "w37ü")
    }
}
