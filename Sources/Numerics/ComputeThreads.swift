import COpenBLAS
import Dispatch
import Foundation

/// How many threads numeric work uses: the machine's cores, or `LAYERSCOPE_THREADS` when set.
public enum ComputeThreads {
    /// The thread count for BLAS and for parallel loops.
    public static var count: Int {
        if let value = ProcessInfo.processInfo.environment["LAYERSCOPE_THREADS"], let n = Int(value), n > 0 {
            return n
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Sets OpenBLAS's thread count. The corresponding C function is `openblas_set_num_threads`.
    public static func configureBLAS(threads: Int = count) {
        openblas_set_num_threads(Int32(threads))
    }

    /// The thread count OpenBLAS currently uses. The corresponding C function is `openblas_get_num_threads`.
    public static var blasThreads: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` for each index in `0..<iterations` across the compute threads; returns when all are done.
    public static func parallelFor(_ iterations: Int, _ body: (Int) -> Void) {
        if iterations <= 1 || count == 1 {
            for i in 0..<iterations { body(i) }
            return
        }
        // concurrentPerform returns only when every iteration is done, so `body` never escapes;
        // callers write disjoint memory per index, which is what makes sharing it sound.
        withoutActuallyEscaping(body) { escapable in
            let shared = unsafeBitCast(escapable, to: (@Sendable (Int) -> Void).self)
            DispatchQueue.concurrentPerform(iterations: iterations, execute: shared)
        }
    }

    /// Splits `0..<total` into at most `count` contiguous chunks and runs `body` on each in parallel.
    public static func parallelChunks(_ total: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = max(1, min(count, total / max(1, minimumChunk)))
        let size = (total + chunks - 1) / max(chunks, 1)
        parallelFor(chunks) { index in
            let start = index * size
            let end = min(total, start + size)
            if start < end { body(start..<end) }
        }
    }
}
