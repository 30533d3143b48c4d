import Foundation
import Numerics
import ZIPFoundation

/// An array in a file the user gave to `import`: a whole `.npy`, or one member of a `.npz`.
/// Only the header is read up front; the data is streamed (or mapped) when it is converted.
struct SourceArray {
    enum Location {
        /// A whole `.npy` file.
        case mapped(MappedFile)
        /// A stored (uncompressed) `.npz` member, read in place; its CRC is checked as it streams.
        case storedMember(MappedFile, offset: Int, count: Int, crc32: UInt32)
        /// A deflated `.npz` member, inflated as it streams.
        case zipMember(archive: URL, entry: String, crc32: UInt32)
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
        let file = try MappedFile(url: url)
        let directory = try ZipDirectory(file)
        var archive: Archive?
        var members: [(String, SourceArray)] = []
        for member in directory.members where member.name.hasSuffix(".npy") {
            let key = String(member.name.dropLast(4))
            let name = "\(url.path)[\(key)]"
            switch member.method {
            case 0:
                let slice = UnsafeRawBufferPointer(rebasing: file.buffer[member.dataOffset..<(member.dataOffset + member.compressedSize)])
                guard let header = try NpyHeader.parse(slice, file: name) else {
                    throw StoreError(name, "truncated: the member ends inside the .npy header")
                }
                try checkSize(header: header, available: member.compressedSize - header.dataOffset, name: name)
                members.append((key, SourceArray(name: name, header: header, location: .storedMember(
                    file, offset: member.dataOffset, count: member.compressedSize, crc32: member.crc32))))
            case 8:
                if archive == nil { archive = try openArchive(url) }
                guard let archive, let entry = archive[member.name] else { throw StoreError(name, "cannot be found in the archive") }
                let header = try readMemberHeader(archive, entry, name: name)
                try checkSize(header: header, available: member.uncompressedSize - header.dataOffset, name: name)
                members.append((key, SourceArray(name: name, header: header,
                                                 location: .zipMember(archive: url, entry: member.name, crc32: member.crc32))))
            default:
                throw StoreError(name, "uses zip compression method \(member.method); numpy writes stored or deflated members")
            }
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
            try Self.stream(file, from: header.dataOffset, to: file.byteCount, body)
        case .storedMember(let file, let offset, let count, let expected):
            var crc = Checksum.crc32(0, UnsafeRawBufferPointer(rebasing: file.buffer[offset..<(offset + header.dataOffset)]))
            try Self.stream(file, from: offset + header.dataOffset, to: offset + count) { chunk in
                crc = Checksum.crc32(crc, chunk)
                try body(chunk)
            }
            guard crc == expected else { throw StoreError(name, "is corrupt (its CRC-32 does not match the archive's)") }
        case .zipMember(let url, let path, let expected):
            let archive = try Self.openArchive(url)
            guard let entry = archive[path] else { throw StoreError(name, "vanished from the archive") }
            var skip = header.dataOffset
            var crc: UInt32 = 0
            do {
                // ZIPFoundation's own CRC is a slow byte loop on Linux; ours runs on the inflated chunks.
                _ = try archive.extract(entry, bufferSize: 4 << 20, skipCRC32: true) { chunk in
                    try chunk.withUnsafeBytes { bytes in
                        crc = Checksum.crc32(crc, bytes)
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
            guard crc == expected else { throw StoreError(name, "is corrupt (its CRC-32 does not match the archive's)") }
        }
    }

    /// Hands out a mapped byte range in 8 MB chunks, dropping pages once they are consumed so a
    /// multi-gigabyte import does not fill the page cache with the source.
    private static func stream(_ file: MappedFile, from start: Int, to end: Int,
                               _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        file.adviseSequential()
        let chunk = 8 << 20
        var offset = start
        while offset < end {
            let n = min(chunk, end - offset)
            try body(UnsafeRawBufferPointer(rebasing: file.buffer[offset..<(offset + n)]))
            file.adviseDontNeed(offset: offset, count: n)
            offset += n
        }
    }

    /// Calls `body` with all the data bytes at once: mapped for `.npy`, loaded for archive members.
    func withContiguousData<T>(_ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        switch location {
        case .mapped(let file):
            return try body(UnsafeRawBufferPointer(rebasing: file.buffer[header.dataOffset...]))
        case .storedMember, .zipMember:
            var data = Data()
            data.reserveCapacity(header.dataByteCount)
            try streamData { data.append(contentsOf: $0) }
            return try data.withUnsafeBytes(body)
        }
    }
}
