import CKernels

/// CRC-32 as zip and zlib compute it, for verifying archive members while they stream.
public enum Checksum {
    /// Continues `crc` over `bytes`; start from 0. The corresponding C function is `ls_crc32`.
    public static func crc32(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        return ls_crc32(crc, base, bytes.count)
    }
}
