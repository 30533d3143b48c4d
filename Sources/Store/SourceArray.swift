import Foundation
import ZIPFoundation

/// An array in a file the user gave to `import`: a whole `.npy`, or one member of a `.npz`.
/// Only the header is read up front; the data is streamed (or mapped) when it is converted.
struct SourceArray {
    enum Location {
        case mapped(MappedFile)
        case zipMember(archive: URL, entry: String)
    }

    /// How messages name it: `hs.npy`, or `hs.npz[layer_3]`.
    let name: String
    let header: NpyHeader
    let location: Location

    /// Reads the header of a `.npy` file and checks that the file holds exactly the data it declares.
    static func openNpy(_ url: URL) throws -> SourceArray {
        let file = try MappedFile(url: url)
        guard let header = try NpyHeader.parse(file.buffer, file: url.path) else {
            throw StoreError(url, "truncated: the file ends inside the .npy header")
        }
        try checkSize(header: header, available: file.byteCount - header.dataOffset, name: url.path)
        return SourceArray(name: url.path, header: header, location: .mapped(file))
    }

    /// The `.npy` members of a `.npz` archive, by key (the member name without `.npy`).
    static func openNpz(_ url: URL) throws -> [(key: String, array: SourceArray)] {
        let archive = try openArchive(url)
        var members: [(String, SourceArray)] = []
        for entry in archive where entry.type == .file && entry.path.hasSuffix(".npy") {
            let key = String(entry.path.dropLast(4))
            let name = "\(url.path)[\(key)]"
            let header = try readMemberHeader(archive, entry, name: name)
            try checkSize(header: header, available: Int(entry.uncompressedSize) - header.dataOffset, name: name)
            members.append((key, SourceArray(name: name, header: header,
                                             location: .zipMember(archive: url, entry: entry.path))))
        }
        return members
    }

    static func openArchive(_ url: URL) throws -> Archive {
        guard FileManager.default.isReadableFile(atPath: url.path) else { throw StoreError(url, "cannot be read (no such file)") }
        do {
            return try Archive(url: url, accessMode: .read)
        } catch {
            throw StoreError(url, "not a .npz archive (it does not read as a zip file)")
        }
    }

    private static func checkSize(header: NpyHeader, available: Int, name: String) throws {
        if available < header.dataByteCount {
            throw StoreError(name, "truncated: the header's shape \(header.shape) needs \(header.dataByteCount) data bytes, the file holds \(max(0, available))")
        }
        if available > header.dataByteCount {
            throw StoreError(name, "the header's shape \(header.shape) does not match the data: it needs \(header.dataByteCount) data bytes, the file holds \(available)")
        }
    }

    private struct StopReading: Error {}

    private static func readMemberHeader(_ archive: Archive, _ entry: Entry, name: String) throws -> NpyHeader {
        var collected = Data()
        var header: NpyHeader?
        do {
            _ = try archive.extract(entry, bufferSize: 4096, skipCRC32: true) { chunk in
                collected.append(chunk)
                header = try collected.withUnsafeBytes { try NpyHeader.parse($0, file: name) }
                if header != nil { throw StopReading() }
            }
        } catch is StopReading {
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(name, "cannot be read from the archive (\(error))")
        }
        guard let header else { throw StoreError(name, "truncated: the member ends inside the .npy header") }
        return header
    }

    /// Streams the data bytes (the header stripped) in order, in chunks of any size.
    func streamData(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch location {
        case .mapped(let file):
            file.adviseSequential()
            let chunk = 8 << 20
            var offset = header.dataOffset
            while offset < file.byteCount {
                let n = min(chunk, file.byteCount - offset)
                try body(UnsafeRawBufferPointer(rebasing: file.buffer[offset..<(offset + n)]))
                file.adviseDontNeed(offset: offset, count: n)
                offset += n
            }
        case .zipMember(let url, let path):
            let archive = try Self.openArchive(url)
            guard let entry = archive[path] else { throw StoreError(name, "vanished from the archive") }
            var skip = header.dataOffset
            do {
                _ = try archive.extract(entry, bufferSize: 4 << 20) { chunk in
                    try chunk.withUnsafeBytes { bytes in
                        if skip >= bytes.count {
                            skip -= bytes.count
                            return
                        }
                        try body(UnsafeRawBufferPointer(rebasing: bytes[skip...]))
                        skip = 0
                    }
                }
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(name, "cannot be read from the archive (\(error))")
            }
        }
    }

    /// Calls `body` with all the data bytes at once: mapped for `.npy`, loaded for archive members.
    func withContiguousData<T>(_ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        switch location {
        case .mapped(let file):
            return try body(UnsafeRawBufferPointer(rebasing: file.buffer[header.dataOffset...]))
        case .zipMember:
            var data = Data()
            data.reserveCapacity(header.dataByteCount)
            try streamData { data.append(contentsOf: $0) }
            return try data.withUnsafeBytes(body)
        }
    }
}
