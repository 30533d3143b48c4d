import COpenBLAS
import Foundation

extension ComputeThreads {
    /// Runs `body` with OpenBLAS on one thread, for loops that split rows across threads of their own and
    /// call one small GEMM per piece: a threaded GEMM there would alternate with the loop's threads and
    /// spin while they run. Nested and concurrent scopes are counted; the thread count is restored when the
    /// last one ends. The corresponding C function is `openblas_set_num_threads`.
    public static func withSingleThreadedBLAS<T>(_ body: () throws -> T) rethrows -> T {
        BLASThreadScope.enter()
        defer { BLASThreadScope.leave() }
        return try body()
    }
}

/// The process-wide count of single-threaded BLAS scopes, and the thread count to restore.
private enum BLASThreadScope {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var saved: Int32 = 1

    static func enter() {
        lock.lock()
        defer { lock.unlock() }
        if depth == 0 {
            saved = openblas_get_num_threads()
            openblas_set_num_threads(1)
        }
        depth += 1
    }

    static func leave() {
        lock.lock()
        defer { lock.unlock() }
        depth -= 1
        if depth == 0 { openblas_set_num_threads(saved) }
    }
}
