import Foundation
import Numerics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory; the pages are read on first touch and shared with
/// the page cache, so a 36 GB store costs only the pages actually viewed.
public final class MappedFile: @unchecked Sendable {
    public let url: URL
    public let byteCount: Int
    public let bytes: UnsafeRawPointer?

    /// Maps `url`. The corresponding C functions are `open`, `fstat` and `mmap`.
    public init(url: URL) throws {
        self.url = url
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StoreError(url, "cannot be opened: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw StoreError(url, "cannot be read: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw StoreError(url, "is not a regular file") }
        byteCount = Int(info.st_size)
        if byteCount == 0 {
            bytes = nil
            return
        }
        let address = mmap(nil, byteCount, PROT_READ, MAP_SHARED, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw StoreError(url, "cannot be memory-mapped: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawPointer(address)
    }

    deinit {
        if let bytes { munmap(UnsafeMutableRawPointer(mutating: bytes), byteCount) }
    }

    /// The mapped bytes (empty for an empty file).
    public var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: bytes, count: byteCount) }

    /// Tells the kernel the pages will be read front to back. The corresponding C function is `madvise`.
    public func adviseSequential() {
        if let bytes { madvise(UnsafeMutableRawPointer(mutating: bytes), byteCount, MADV_SEQUENTIAL) }
    }

    /// Tells the kernel the pages may be dropped. The corresponding C function is `madvise`.
    public func adviseDontNeed(offset: Int, count: Int) {
        guard let bytes else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = offset / page * page
        let end = min(byteCount, offset + count)
        if end > start { madvise(UnsafeMutableRawPointer(mutating: bytes + start), end - start, MADV_DONTNEED) }
    }
}

/// A store array: a little-endian, C-order, float16 or float32 `.npy` file, memory-mapped.
/// Two-dimensional arrays are rows × columns; one-dimensional arrays are one column.
public final class MappedArray: @unchecked Sendable {
    public let file: MappedFile
    public let header: NpyHeader
    public let type: ScalarType
    private let data: UnsafeRawPointer

    /// Maps `url` and checks that it is an array the store can serve without conversion.
    public init(url: URL) throws {
        let file = try MappedFile(url: url)
        guard let header = try NpyHeader.parse(file.buffer, file: url.path) else {
            throw StoreError(url, "truncated: the file ends inside the .npy header")
        }
        switch header.dtype {
        case .float16: type = .float16
        case .float32: type = .float32
        default: throw StoreError(url, "store arrays are little-endian float16 or float32, found \(header.dtype.descr)")
        }
        guard !header.fortranOrder else { throw StoreError(url, "store arrays are in C order, found Fortran order") }
        guard (1...2).contains(header.shape.count) else {
            throw StoreError(url, "store arrays have one or two dimensions, found shape \(header.shape)")
        }
        let available = file.byteCount - header.dataOffset
        guard available == header.dataByteCount else {
            if available < header.dataByteCount {
                throw StoreError(url, "truncated: the header's shape \(header.shape) needs \(header.dataByteCount) data bytes, the file holds \(available)")
            }
            throw StoreError(url, "the header's shape \(header.shape) needs \(header.dataByteCount) data bytes, the file holds \(available)")
        }
        guard let bytes = file.bytes else { throw StoreError(url, "is empty") }
        self.file = file
        self.header = header
        self.data = bytes + header.dataOffset
    }

    public var rows: Int { header.shape[0] }
    public var cols: Int { header.shape.count == 2 ? header.shape[1] : 1 }

    /// The array as a matrix view that keeps this mapping alive.
    public var view: MatrixView {
        MatrixView(base: data, rows: rows, cols: cols, type: type, owner: self)
    }
}
