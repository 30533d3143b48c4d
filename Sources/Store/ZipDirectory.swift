import Foundation

/// The central directory of a zip archive (an `.npz`), read straight from a memory map, so that
/// stored (uncompressed) members — what `numpy.savez` writes — can be read in place, without
/// copying them through a decompressor. Handles zip64, which numpy always writes.
struct ZipDirectory {
    /// One member: how it is stored and where its bytes start in the archive.
    struct Member {
        let name: String
        /// 0 = stored, 8 = deflate.
        let method: UInt16
        let crc32: UInt32
        let compressedSize: Int
        let uncompressedSize: Int
        let dataOffset: Int
    }

    let members: [Member]

    init(_ file: MappedFile) throws {
        let bytes = file.buffer
        let path = file.url.path
        func fail(_ what: String) -> StoreError { StoreError(path, "not a readable .npz archive (\(what))") }
        func u16(_ at: Int) throws -> Int {
            guard at >= 0, at + 2 <= bytes.count else { throw fail("a record runs past the end") }
            return Int(bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self).littleEndian)
        }
        func u32(_ at: Int) throws -> Int {
            guard at >= 0, at + 4 <= bytes.count else { throw fail("a record runs past the end") }
            return Int(bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian)
        }
        func u64(_ at: Int) throws -> Int {
            guard at >= 0, at + 8 <= bytes.count else { throw fail("a record runs past the end") }
            let value = bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian
            guard value <= UInt64(Int.max) else { throw fail("a size is out of range") }
            return Int(value)
        }

        // The end-of-central-directory record sits in the last 64 KB + 22 bytes.
        var end = -1
        var at = bytes.count - 22
        while at >= max(0, bytes.count - 65_557) {
            if try u32(at) == 0x0605_4B50 { end = at; break }
            at -= 1
        }
        guard end >= 0 else { throw fail("no end-of-central-directory record") }
        var count = try u16(end + 10)
        var directorySize = try u32(end + 12)
        var directoryOffset = try u32(end + 16)
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            let locator = end - 20
            guard locator >= 0, try u32(locator) == 0x0706_4B50 else { throw fail("zip64 locator missing") }
            let record = try u64(locator + 8)
            guard try u32(record) == 0x0606_4B50 else { throw fail("zip64 record missing") }
            count = try u64(record + 32)
            directorySize = try u64(record + 40)
            directoryOffset = try u64(record + 48)
        }
        guard directoryOffset + directorySize <= bytes.count else { throw fail("the directory runs past the end") }

        var members: [Member] = []
        var cursor = directoryOffset
        for _ in 0..<count {
            guard try u32(cursor) == 0x0201_4B50 else { throw fail("a damaged directory entry") }
            let method = try u16(cursor + 10)
            let crc = try u32(cursor + 16)
            var compressed = try u32(cursor + 20)
            var uncompressed = try u32(cursor + 24)
            let nameLength = try u16(cursor + 28)
            let extraLength = try u16(cursor + 30)
            let commentLength = try u16(cursor + 32)
            var localHeader = try u32(cursor + 42)
            guard cursor + 46 + nameLength <= bytes.count else { throw fail("a name runs past the end") }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(cursor + 46)..<(cursor + 46 + nameLength)]),
                              as: UTF8.self)
            // zip64 sizes and offsets live in extra field 0x0001, in this order, when the 32-bit field is full.
            var extra = cursor + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try u16(extra), size = try u16(extra + 2)
                if id == 0x0001 {
                    var field = extra + 4
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try u64(field); field += 8 }
                    if compressed == 0xFFFF_FFFF { compressed = try u64(field); field += 8 }
                    if localHeader == 0xFFFF_FFFF { localHeader = try u64(field) }
                }
                extra += 4 + size
            }
            guard try u32(localHeader) == 0x0403_4B50 else { throw fail("member \(name) has no local header") }
            let dataOffset = localHeader + 30 + (try u16(localHeader + 26)) + (try u16(localHeader + 28))
            guard dataOffset + compressed <= bytes.count else {
                throw StoreError(path, "truncated: member \(name) runs past the end of the archive")
            }
            members.append(Member(name: name, method: UInt16(method), crc32: UInt32(crc), compressedSize: compressed,
                                  uncompressedSize: uncompressed, dataOffset: dataOffset))
            cursor += 46 + nameLength + extraLength + commentLength
        }
        self.members = members
    }
}
