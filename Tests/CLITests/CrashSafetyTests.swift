import Foundation
import Numerics
import Store
import Testing

/// A writer killed at any moment leaves a store that opens, holding either all of what it was
/// writing or none of it; readers keep working while a writer writes.
@Suite(.serialized) struct CrashSafetyTests {
    /// Eight float32 layers of 20,000 × 64, big enough that an import takes a while to kill.
    private static func writeLayers(_ scratch: Scratch) throws -> [String] {
        var tsv = "utterance\tspeaker\tstart\tend\tsex\n"
        for i in 0..<20_000 { tsv += "u\(i / 50)\tS\(i / 1000)\t\(Double(i % 50) * 0.1)\t\(Double(i % 50) * 0.1 + 0.08)\t\(i / 1000 % 2 == 0 ? "F" : "M")\n" }
        try Data(tsv.utf8).write(to: scratch.url.appendingPathComponent("tokens.tsv"))
        var paths: [String] = []
        for layer in 0..<8 {
            let matrix = Matrix<Float>(rows: 20_000, cols: 64, storage: (0..<(20_000 * 64)).map { Float(($0 * 7 + layer) % 1000) / 100 })
            let url = scratch.url.appendingPathComponent("L\(layer).npy")
            try AtomicNpyWriter.write(matrix, as: .float32, to: url)
            paths.append(url.path)
        }
        return paths
    }

    private func startImport(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func killedImportsLeaveWholeStores() throws {
        let scratch = try CLI.scratch()
        let layers = try Self.writeLayers(scratch)
        let tokens = scratch.path("tokens.tsv")
        let store = scratch.path("s.layerstore")
        var outcomes = Set<String>()
        // Kill at a spread of moments: while reading tokens, writing arrays, registering, renaming.
        for (attempt, delay) in [0.005, 0.02, 0.05, 0.08, 0.12, 0.2, 0.3, 0.5].enumerated() {
            try? FileManager.default.removeItem(atPath: store)
            let fresh = try startImport(["import", "--out", store, "--tokens", tokens, "--model", "a"] + layers)
            Thread.sleep(forTimeInterval: delay)
            kill(fresh.processIdentifier, SIGKILL)
            fresh.waitUntilExit()
            if FileManager.default.fileExists(atPath: store) {
                let s = try EmbeddingStore(opening: URL(fileURLWithPath: store))
                #expect(try s.presentLayers(model: "a") == Array(0..<8), "a new store appears whole (attempt \(attempt))")
                outcomes.insert("new: complete")
            } else {
                outcomes.insert("new: absent")
            }
        }
        // Now into an existing store: the second model is all there or not there at all.
        try? FileManager.default.removeItem(atPath: store)
        #expect(try CLI.run(["import", "--out", store, "--tokens", tokens, "--model", "a", layers[0]]).status == 0)
        for delay in [0.01, 0.04, 0.08, 0.15, 0.3] {
            let adding = try startImport(["import", "--out", store, "--model", "b", "--replace"] + layers)
            Thread.sleep(forTimeInterval: delay)
            kill(adding.processIdentifier, SIGKILL)
            adding.waitUntilExit()
            let s = try EmbeddingStore(opening: URL(fileURLWithPath: store))
            let present = try s.presentLayers(model: "b")
            #expect(present.isEmpty || present == Array(0..<8))
            outcomes.insert(present.isEmpty ? "add: absent" : "add: complete")
            for record in try s.arrays(model: "b") {
                #expect(try s.open(record).rows == 20_000, "a registered array is whole")
            }
            #expect(try StoreInfo.read(URL(fileURLWithPath: store)).models.contains { $0.name == "a" })
        }
        // A later write sweeps what killed writers left behind.
        #expect(try CLI.run(["import", "--out", store, "--model", "c", layers[1]]).status == 0)
        let leftovers = FileManager.default.enumerator(atPath: store + "/arrays")?.compactMap { $0 as? String }
            .filter { ($0 as NSString).lastPathComponent.hasPrefix(".tmp-") } ?? []
        #expect(leftovers.isEmpty)
        #expect(outcomes.contains("new: absent"), "the kills should sometimes land mid-import: \(outcomes)")
    }

    @Test func readersKeepReadingWhileAWriterWrites() throws {
        let scratch = try CLI.scratch()
        let layers = try Self.writeLayers(scratch)
        let store = scratch.path("s.layerstore")
        #expect(try CLI.run(["import", "--out", store, "--tokens", scratch.path("tokens.tsv"), "--model", "a", layers[0]]).status == 0)
        let reader = try EmbeddingStore(opening: URL(fileURLWithPath: store))
        let writer = try startImport(["import", "--out", store, "--model", "b"] + layers)
        var reads = 0
        while writer.isRunning || reads < 3 {
            #expect(try reader.tokens().count == 20_000)
            #expect(try reader.models().contains { $0.name == "a" })
            let layer = try reader.layer(model: "a", layer: 0)
            #expect(layer.view.matrix(rows: 0..<2).storage.count == 128)
            reads += 1
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        #expect(try reader.presentLayers(model: "b") == Array(0..<8))
        #expect(reads >= 3)
    }
}
