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
            try fingerprint.write(to: staging.appendingPathComponent(sourceFile), atomically: true, encoding: .utf8)
            try? manager.removeItem(at: copy)
            try manager.moveItem(at: staging, to: copy)
            return copy
        } catch {
            return bundled
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
