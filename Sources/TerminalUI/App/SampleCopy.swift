import Foundation
import Store

/// The bundled sample store is explored through a writable copy in the user's cache folder
/// (`${XDG_CACHE_HOME:-~/.cache}/layerscope/`), so the engine's results persist between runs
/// without touching the checkout. The copy is replaced when the bundled store changes.
public enum SampleCopy {
    /// The name of the file in the copy that records which bundled store it was made from.
    static let sourceFile = ".layerscope-source"

    /// The cache folder: `$XDG_CACHE_HOME/layerscope`, or `~/.cache/layerscope`.
    public static func cacheFolder() -> URL {
        if let xdg = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("layerscope")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/layerscope")
    }

    /// A writable copy of `bundled`, made or refreshed as needed; the bundled store itself when no
    /// copy can be made (a read-only home, say), in which case results are not persisted.
    public static func writableCopy(of bundled: URL, in folder: URL = cacheFolder()) throws -> URL {
        let fingerprint = try Self.fingerprint(bundled)
        let copy = folder.appendingPathComponent(bundled.lastPathComponent)
        let recorded = try? String(contentsOf: copy.appendingPathComponent(sourceFile), encoding: .utf8)
        if recorded == fingerprint && EmbeddingStore.isStore(copy) { return copy }
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            let staging = folder.appendingPathComponent(".\(bundled.lastPathComponent).copying-\(getpid())")
            try? manager.removeItem(at: staging)
            try manager.createDirectory(at: staging, withIntermediateDirectories: true)
            for item in try manager.contentsOfDirectory(atPath: bundled.path) where item != "store.lock" {
                try manager.copyItem(at: bundled.appendingPathComponent(item), to: staging.appendingPathComponent(item))
            }
            try anchorSources(of: staging, to: bundled)
            try fingerprint.write(to: staging.appendingPathComponent(sourceFile), atomically: true, encoding: .utf8)
            try? manager.removeItem(at: copy)
            try manager.moveItem(at: staging, to: copy)
            return copy
        } catch {
            return bundled
        }
    }

    /// The bundled store records its audio, alignments and checkpoints relative to itself
    /// (`../corpus/…`); the copy lives elsewhere, so it gets those paths made absolute, and the
    /// engine can still fill missing layers and the utterance pane still finds the audio for F0.
    static func anchorSources(of copy: URL, to bundled: URL) throws {
        func anchored(_ path: String?) -> String? {
            guard let path, !path.hasPrefix("/") else { return path }
            return bundled.standardizedFileURL.appendingPathComponent(path).standardizedFileURL.path
        }
        let store = try EmbeddingStore(opening: copy)
        defer { try? store.close() }
        let sources = try store.utteranceSources()
        let moved = sources.map { UtteranceSource(name: $0.name, audio: anchored($0.audio),
                                                  alignment: anchored($0.alignment), duration: $0.duration) }
        if moved != sources { try store.setUtteranceSources(moved) }
        for var model in try store.models() where model.checkpoint.map({ !$0.hasPrefix("/") }) ?? false {
            model.checkpoint = anchored(model.checkpoint)
            try store.register(model: model, arrays: [])
        }
    }

    /// What identifies a bundled store's contents: its array files' paths, sizes and modification
    /// times, and the database's size (opening a store may touch the database's header, not its size).
    static func fingerprint(_ store: URL) throws -> String {
        let manager = FileManager.default
        var lines: [String] = []
        let database = store.appendingPathComponent("store.sqlite")
        let size = (try? manager.attributesOfItem(atPath: database.path)[.size] as? Int) ?? nil
        lines.append("store.sqlite \(size ?? -1)")
        let arrays = store.appendingPathComponent("arrays")
        if let walker = manager.enumerator(at: arrays, includingPropertiesForKeys: [.fileSizeKey, .contentModificationDateKey]) {
            for case let file as URL in walker where file.pathExtension == "npy" {
                let values = try file.resourceValues(forKeys: [.fileSizeKey, .contentModificationDateKey])
                let relative = file.path.replacingOccurrences(of: arrays.path, with: "")
                lines.append("\(relative) \(values.fileSize ?? -1) \(values.contentModificationDate?.timeIntervalSince1970 ?? 0)")
            }
        }
        return lines.sorted().joined(separator: "\n") + "\n"
    }
}
