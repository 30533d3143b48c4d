import Foundation
import Numerics
import Store

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One finished utterance, staged until the store is assembled: its tokens, their hidden states
/// for the kept layers (already in the store's element type, so assembly only copies bytes) and
/// every head's framewise logits. Written whole or not at all (temporary name, fsync, rename).
///
/// File layout: the magic `LSPART1\n`, the header's byte count (UInt32, little-endian), the header
/// (JSON), then the payload: for each layer, tokens × dim values; for each task, frames × classes
/// float32 values.
struct UtterancePart: Sendable {
    /// What the part says about itself; `Codable` so the header is JSON.
    struct Header: Codable, Sendable, Equatable {
        var utterance: String
        var speaker: String
        var audio: String
        var alignment: String
        /// Seconds of audio.
        var duration: Double
        var frameCount: Int
        /// What the part was made from, so a rerun redoes it when a source changed.
        var sourceStamp: SourceStamp
        var tokens: [Token]
        var layers: [Int]
        var dim: Int
        var dtype: ScalarType
        var tasks: [TaskShape]
        var payloadBytes: Int
        var payloadCRC: UInt32
    }

    /// A token with its model frame.
    struct Token: Codable, Sendable, Equatable {
        var start: Double
        var end: Double
        var frame: Int
        var labels: [String?]
    }

    struct TaskShape: Codable, Sendable, Equatable {
        var name: String
        var classes: Int
    }

    var header: Header
    var payload: Data

    static let magic = Data("LSPART1\n".utf8)

    /// Bytes of one layer's block.
    var layerBytes: Int { header.tokens.count * header.dim * header.dtype.byteCount }

    /// The byte range of layer `layer`'s block in the payload.
    func layerRange(_ position: Int) -> Range<Int> {
        let start = position * layerBytes
        return start..<(start + layerBytes)
    }

    /// The byte range of task `position`'s logits in the payload.
    func taskRange(_ position: Int) -> Range<Int> {
        var start = header.layers.count * layerBytes
        for task in header.tasks.prefix(position) { start += header.frameCount * task.classes * 4 }
        return start..<(start + header.frameCount * header.tasks[position].classes * 4)
    }

    /// Writes the part to `url` atomically.
    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var data = Self.magic
        var count = UInt32(json.count).littleEndian
        withUnsafeBytes(of: &count) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(payload)
        try AtomicFile.write(data, to: url)
    }

    /// Reads only the header of the part at `url`; nil when the file is not a whole part.
    static func readHeader(_ url: URL) -> Header? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let start = try? handle.read(upToCount: magic.count + 4), start.count == magic.count + 4,
              start.prefix(magic.count) == magic else { return nil }
        let length = start.suffix(4).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        guard length < 1 << 30, let json = try? handle.read(upToCount: length), json.count == length else { return nil }
        return try? JSONDecoder().decode(Header.self, from: json)
    }

    /// Reads the whole part, checking its payload against the header's length and CRC.
    static func read(_ url: URL) throws -> UtterancePart {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch { throw StoreError(url, "cannot be read") }
        guard data.count >= magic.count + 4, data.prefix(magic.count) == magic else { throw StoreError(url, "is not a staged utterance") }
        let lengthBytes = data.subdata(in: magic.count..<(magic.count + 4))
        let length = lengthBytes.enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let headerEnd = magic.count + 4 + length
        guard headerEnd <= data.count, let header = try? JSONDecoder().decode(Header.self, from: data.subdata(in: (magic.count + 4)..<headerEnd)) else {
            throw StoreError(url, "has an unreadable header")
        }
        let payload = data.subdata(in: headerEnd..<data.count)
        guard payload.count == header.payloadBytes, payload.withUnsafeBytes({ Checksum.crc32(0, $0) }) == header.payloadCRC else {
            throw StoreError(url, "is damaged (its data does not match its checksum); delete it and run again")
        }
        return UtterancePart(header: header, payload: payload)
    }
}

/// The identity of an utterance's sources at the time its part was made.
struct SourceStamp: Codable, Sendable, Equatable {
    var alignmentCRC: UInt32
    var audioBytes: Int
    var audioModified: Double

    /// Stamps the files now; nil if the audio cannot be examined.
    static func of(alignment data: Data, audio: URL) -> SourceStamp? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: audio.path),
              let size = attributes[.size] as? NSNumber else { return nil }
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let crc = data.withUnsafeBytes { Checksum.crc32(0, $0) }
        return SourceStamp(alignmentCRC: crc, audioBytes: size.intValue, audioModified: modified)
    }
}

/// Writing small files whole or not at all.
enum AtomicFile {
    /// Writes `data` to a temporary sibling, fsyncs it, renames it to `url` and fsyncs the folder.
    /// The corresponding C functions are `fsync` and `rename`.
    static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(url.lastPathComponent)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw StoreError(url, "cannot be written (is the disk full, or the folder read-only?)")
        }
        let fd = open(temporary.path, O_RDONLY | O_CLOEXEC)
        let synced = fd >= 0 && fsync(fd) == 0
        if fd >= 0 { close(fd) }
        guard synced, rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw StoreError(url, "cannot be written: \(reason)")
        }
        let dir = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }
}
