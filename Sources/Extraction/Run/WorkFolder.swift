import Foundation
import Store

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a run stages finished utterances until it assembles the store, so a killed run loses at
/// most the utterance it was on. For a new store it is a hidden sibling, `.NAME.extracting/`,
/// in which the store itself is built (`store/`) and then renamed into place; for an existing
/// store it is `NAME/extracting-<model>/`, and arrays are added to the store through its write lock.
struct WorkFolder {
    /// The staging folder.
    let url: URL
    /// Whether the run creates the store (false: it adds a model to an existing one).
    let createsStore: Bool

    var parts: URL { url.appendingPathComponent("parts") }
    var planFile: URL { url.appendingPathComponent("plan.json") }
    /// Where a new store is assembled before it is renamed to its final name.
    var assembly: URL { url.appendingPathComponent("store") }

    /// The work folder for writing model `model` into `out`.
    static func locate(out: URL, model: String) throws -> WorkFolder {
        let out = out.standardizedFileURL
        if EmbeddingStore.isStore(out) {
            return WorkFolder(url: out.appendingPathComponent("extracting-\(model)"), createsStore: false)
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: out.path, isDirectory: &isFolder) {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? ["?"]
            guard isFolder.boolValue, contents.isEmpty else {
                throw StoreError(out, "exists and is not a layerscope store; choose a new name")
            }
        }
        let hidden = out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).extracting")
        return WorkFolder(url: hidden, createsStore: true)
    }

    /// What the staged parts were made with; a rerun continues only with the same plan.
    struct Plan: Codable, Equatable {
        var model: String
        var settings: String
        /// When the first run started; every timestamp the store records is this one, so a
        /// resumed run writes the same store as an uninterrupted one.
        var startedAt: String
    }

    /// Creates the folder (or finds the one a killed run left) and checks that its staged work was
    /// made with `plan`'s settings; with `fresh`, work made otherwise is discarded. Returns the plan in force.
    func prepare(_ plan: Plan, fresh: Bool) throws -> Plan {
        try FileManager.default.createDirectory(at: parts, withIntermediateDirectories: true)
        if let data = try? Data(contentsOf: planFile), let staged = try? JSONDecoder().decode(Plan.self, from: data) {
            if staged.model == plan.model && staged.settings == plan.settings { return staged }
            guard fresh else {
                throw StoreError(url, "holds an unfinished extraction made with other settings (model \(staged.model), \(staged.settings)); "
                                 + "rerun it with those settings, or pass --fresh to discard it")
            }
            try? FileManager.default.removeItem(at: parts)
            try FileManager.default.createDirectory(at: parts, withIntermediateDirectories: true)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(plan), to: planFile)
        return plan
    }

    /// The staged part of `utterance`.
    func part(_ utterance: String) -> URL {
        parts.appendingPathComponent(utterance + ".part")
    }

    /// Takes this folder's lock so two runs never stage into it at once; held until `release`.
    func lock() throws -> FolderLock {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return try FolderLock(url.appendingPathComponent("lock"))
    }

    /// Removes the staging folder once its work is in the store.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// An exclusive `flock` on a file, refused at once (not waited for) when another process holds it.
final class FolderLock {
    private var descriptor: Int32

    /// The corresponding C functions are `open` and `flock`.
    init(_ url: URL) throws {
        descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreError(url, "cannot be locked: \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw StoreError(url.deletingLastPathComponent(), "another extraction is working in this folder; wait for it to finish")
        }
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
