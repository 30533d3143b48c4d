import Foundation
import Numerics
import Store

/// Runs the built `layerscope` binary as a person would, and makes scratch folders for it.
enum CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The products folder (.build/debug) holds both this test bundle's resources and the binary.
    static var binary: URL {
        Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("layerscope")
    }

    static func fixture(_ path: String) -> URL {
        Bundle.module.bundleURL.appendingPathComponent("Fixtures").appendingPathComponent(path)
    }

    @discardableResult
    static func run(_ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a full pipe cannot stall the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A fresh empty folder, removed when the returned guard is released.
    static func scratch() throws -> Scratch { try Scratch() }
}

/// A temporary folder that deletes itself.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("layerscope-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Every file below the folder with its size, for checking that nothing changed. SQLite's
    /// own side files (WAL, shared memory) and the writer lock come and go with connections, so
    /// the database is compared by its contents instead (`storeContents`).
    func listing(_ name: String) -> [String] {
        let root = url.appendingPathComponent(name)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.fileSizeKey]) else { return [] }
        var entries: [String] = []
        for case let file as URL in walker {
            let size = (try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? nil
            let relative = String(file.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count))
            if relative.hasPrefix("/store.sqlite") || relative == "/store.lock" { continue }
            entries.append("\(relative) \(size.map(String.init) ?? "dir")")
        }
        return entries.sorted()
    }
}

/// Reads a whole float array through the store's own reader.
func readFloats(_ url: URL) throws -> (shape: [Int], values: [Float]) {
    let array = try MappedArray(url: url)
    let matrix = array.view.matrix(rows: 0..<array.rows)
    return (array.header.shape, matrix.storage)
}

/// What a store holds, as its metadata tables describe it.
func storeContents(_ path: String) throws -> String {
    let store = try EmbeddingStore(opening: URL(fileURLWithPath: path))
    defer { try? store.close() }
    let tokens = try store.tokens()
    return "\(try store.meta().sorted { $0.key < $1.key })|\(try store.models())|\(try store.arrays())|"
        + "\(tokens.count)|\(tokens.labels.map(\.name))|\(try store.analyses())"
}
