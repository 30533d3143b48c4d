import CKernels
import Foundation
import Numerics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one `.npy` file so that it appears whole or not at all: the bytes go to a temporary
/// name in the destination's folder, are fsynced, and only `commit()` renames them into place.
public final class AtomicNpyWriter {
    public let destination: URL
    public let header: NpyHeader
    /// The temporary file; names starting with `.tmp-` are never registered and are swept on the next write.
    public let temporaryURL: URL
    private var descriptor: Int32
    private var written = 0
    private var finished = false

    /// Prefix of temporary array files, which a store sweeps away.
    public static let temporaryPrefix = ".tmp-"

    public init(destination: URL, header: NpyHeader) throws {
        self.destination = destination
        self.header = header
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        temporaryURL = destination.deletingLastPathComponent()
            .appendingPathComponent("\(Self.temporaryPrefix)\(getpid())-\(token)-\(destination.lastPathComponent)")
        descriptor = SystemCall.open(temporaryURL.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError(destination, "cannot be written: \(String(cString: strerror(errno)))")
        }
        let encoded = header.encoded()
        do {
            try encoded.withUnsafeBytes { try writeAll($0) }
        } catch {
            abandon()
            throw error
        }
        written = 0
    }

    deinit { abandon() }

    /// Data bytes still expected before the file is complete.
    public var remainingBytes: Int { header.dataByteCount - written }

    /// Appends data bytes. The corresponding C function is `write`.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count <= remainingBytes else {
            throw StoreError(destination, "more data than the shape \(header.shape) holds")
        }
        try writeAll(bytes)
    }

    /// Appends float32 values, converted to the header's element type (float16 or float32).
    public func append(floats values: UnsafeBufferPointer<Float>) throws {
        guard let base = values.baseAddress, !values.isEmpty else { return }
        switch header.dtype {
        case .float32:
            try append(UnsafeRawBufferPointer(values))
        case .float16:
            let chunk = 1 << 20
            let half = UnsafeMutablePointer<UInt16>.allocate(capacity: min(chunk, values.count))
            defer { half.deallocate() }
            var start = 0
            while start < values.count {
                let n = min(chunk, values.count - start)
                HalfPrecision.narrow(base + start, into: half, count: n)
                try append(UnsafeRawBufferPointer(start: half, count: n * 2))
                start += n
            }
        default:
            throw StoreError(destination, "cannot write floats as \(header.dtype.descr)")
        }
    }

    /// Starts writing the data to disk without waiting, so the later `commit()` finds little left
    /// to flush while other arrays are still being converted. The corresponding C function is
    /// `sync_file_range` (Linux; elsewhere a no-op), through `ls_start_writeback`.
    public func startFlush() {
        if descriptor >= 0 { _ = ls_start_writeback(descriptor) }
    }

    /// Flushes to disk and renames the file into place; the destination then holds the whole array.
    /// The corresponding C functions are `fsync` and `rename`.
    @discardableResult
    public func commit() throws -> URL {
        guard remainingBytes == 0 else {
            throw StoreError(destination, "incomplete: \(remainingBytes) data bytes were never written")
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            abandon()
            throw StoreError(destination, "cannot be flushed to disk: \(reason)")
        }
        SystemCall.close(descriptor)
        descriptor = -1
        guard rename(temporaryURL.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            abandon()
            throw StoreError(destination, "cannot be moved into place: \(reason)")
        }
        finished = true
        syncDirectory(destination.deletingLastPathComponent())
        return destination
    }

    /// Closes and deletes the temporary file; nothing reaches the destination.
    public func abandon() {
        if descriptor >= 0 {
            SystemCall.close(descriptor)
            descriptor = -1
        }
        if !finished {
            unlink(temporaryURL.path)
            finished = true
        }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard var pointer = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = SystemCall.write(descriptor, pointer, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError(destination, "cannot be written: \(String(cString: strerror(errno)))")
            }
            pointer += n
            left -= n
            written += n
        }
    }

    /// Writes a whole float32 matrix as a store array of `type`.
    public static func write(_ matrix: Matrix<Float>, as type: ScalarType, to url: URL) throws {
        let dtype: NpyDType = type == .float16 ? .float16 : .float32
        let writer = try AtomicNpyWriter(destination: url, header: NpyHeader(dtype: dtype, shape: [matrix.rows, matrix.cols]))
        try matrix.storage.withUnsafeBufferPointer { try writer.append(floats: $0) }
        try writer.commit()
    }
}

/// Makes a rename durable by flushing the folder that holds it. The corresponding C function is `fsync`.
func syncDirectory(_ url: URL) {
    let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
        fsync(fd)
        close(fd)
    }
}
