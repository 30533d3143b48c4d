import Foundation
import Numerics
import Store

/// A short digest of a checkpoint folder, so a run resumed or merged against a different
/// checkpoint is noticed: for every file, its name, size and the CRC-32 of its first and last
/// mebibyte (reading whole multi-gigabyte weights would cost more than it protects against).
enum CheckpointDigest {
    static func of(_ folder: URL) throws -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else {
            throw StoreError(folder, "does not exist (--checkpoint)")
        }
        let files: [URL]
        if isFolder.boolValue {
            files = ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
                .filter { !$0.lastPathComponent.hasPrefix(".") }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } else {
            files = [folder]
        }
        var parts: [String] = []
        let edge = 1 << 20
        for file in files {
            guard let handle = try? FileHandle(forReadingFrom: file) else { continue }
            defer { try? handle.close() }
            let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
            try? handle.seek(toOffset: 0)
            var crc = ((try? handle.read(upToCount: edge)) ?? Data()).withUnsafeBytes { Checksum.crc32(0, $0) }
            if size > edge {
                try? handle.seek(toOffset: UInt64(max(edge, size - edge)))
                crc = ((try? handle.read(upToCount: edge)) ?? Data()).withUnsafeBytes { Checksum.crc32(crc, $0) }
            }
            parts.append("\(file.lastPathComponent):\(size):\(String(crc, radix: 16))")
        }
        let all = parts.joined(separator: ",")
        let crc = Data(all.utf8).withUnsafeBytes { Checksum.crc32(0, $0) }
        return String(format: "%08x-%d", crc, parts.count)
    }
}
