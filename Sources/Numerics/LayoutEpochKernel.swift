import CKernels

/// The inner loop of UMAP's layout SGD for one thread's points over one epoch, in C
/// (CKernels/umap_layout.c) so its eight negative samples share SIMD lanes (AVX2 when the CPU has it).
/// Analysis/UMAP/OptimizeLayoutEuclidean.swift owns the algorithm and the threading around it.
public enum LayoutEpochKernel {
    /// Pointers into the optimiser's arrays and the epoch's constants; see UMAPKernels.h.
    public struct Arguments {
        public var rowStart: UnsafePointer<Int>
        public var tail: UnsafePointer<Int32>
        public var epochsPerSample: UnsafePointer<Float>
        public var epochsPerNegativeSample: UnsafePointer<Float>
        public var epochOfNextSample: UnsafeMutablePointer<Float>
        public var epochOfNextNegativeSample: UnsafeMutablePointer<Float>
        public var live: UnsafeMutablePointer<Float>
        public var frozen: UnsafePointer<Float>
        public var range: Range<Int>
        public var vertexCount: Int
        public var a: Float, b: Float, gamma: Float, alpha: Float, epoch: Float
        /// Four words of xoshiro256** state, advanced in place.
        public var random: UnsafeMutablePointer<UInt64>
        public var queueIndex: UnsafeMutablePointer<Int32>
        public var queueMove: UnsafeMutablePointer<Float>

        public init(rowStart: UnsafePointer<Int>, tail: UnsafePointer<Int32>, epochsPerSample: UnsafePointer<Float>,
                    epochsPerNegativeSample: UnsafePointer<Float>, epochOfNextSample: UnsafeMutablePointer<Float>,
                    epochOfNextNegativeSample: UnsafeMutablePointer<Float>, live: UnsafeMutablePointer<Float>,
                    frozen: UnsafePointer<Float>, range: Range<Int>, vertexCount: Int, a: Float, b: Float, gamma: Float,
                    alpha: Float, epoch: Float, random: UnsafeMutablePointer<UInt64>,
                    queueIndex: UnsafeMutablePointer<Int32>, queueMove: UnsafeMutablePointer<Float>) {
            self.rowStart = rowStart
            self.tail = tail
            self.epochsPerSample = epochsPerSample
            self.epochsPerNegativeSample = epochsPerNegativeSample
            self.epochOfNextSample = epochOfNextSample
            self.epochOfNextNegativeSample = epochOfNextNegativeSample
            self.live = live
            self.frozen = frozen
            self.range = range
            self.vertexCount = vertexCount
            self.a = a
            self.b = b
            self.gamma = gamma
            self.alpha = alpha
            self.epoch = epoch
            self.random = random
            self.queueIndex = queueIndex
            self.queueMove = queueMove
        }
    }

    /// Runs one thread's edges for one epoch; returns how many moves it queued for other threads' points.
    /// The corresponding C function is `ls_umap_optimize_epoch`.
    public static func run(_ arguments: Arguments) -> Int {
        var raw = ls_umap_epoch_args(
            row_start: UnsafeRawPointer(arguments.rowStart).assumingMemoryBound(to: Int64.self),
            tail: arguments.tail, epochs_per_sample: arguments.epochsPerSample,
            epochs_per_negative_sample: arguments.epochsPerNegativeSample,
            epoch_of_next_sample: arguments.epochOfNextSample,
            epoch_of_next_negative_sample: arguments.epochOfNextNegativeSample,
            live: arguments.live, frozen: arguments.frozen,
            lo: Int64(arguments.range.lowerBound), hi: Int64(arguments.range.upperBound),
            n_vertices: Int64(arguments.vertexCount),
            a: arguments.a, b: arguments.b, gamma: arguments.gamma, alpha: arguments.alpha, epoch: arguments.epoch,
            rng: arguments.random, queue_index: arguments.queueIndex, queue_move: arguments.queueMove, queue_count: 0)
        ls_umap_optimize_epoch(&raw)
        return Int(raw.queue_count)
    }

    /// Whether the kernel runs its AVX2 path on this CPU.
    public static var usesAVX2: Bool { ls_umap_has_avx2() != 0 }
}
