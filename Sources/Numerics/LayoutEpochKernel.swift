import CKernels

/// The inner loop of UMAP's layout SGD for one thread over one epoch, in C
/// (CKernels/umap_layout.c): two ranges of points processed in lockstep, an edge and its negative
/// samples in eight SIMD lanes (AVX2 when the CPU has it). Analysis/UMAP/OptimizeLayoutEuclidean.swift
/// owns the algorithm, the schedule and the threading around it.
public enum LayoutEpochKernel {
    /// One range of head points and what belongs to it.
    public struct Stream {
        public var range: Range<Int>
        /// 32 bytes of random state (eight xorshift32 lanes), advanced in place.
        public var random: UnsafeMutablePointer<UInt64>
        /// Room for one queued move per edge of the range.
        public var queueIndex: UnsafeMutablePointer<Int32>
        public var queueMove: UnsafeMutablePointer<Float>

        public init(range: Range<Int>, random: UnsafeMutablePointer<UInt64>, queueIndex: UnsafeMutablePointer<Int32>,
                    queueMove: UnsafeMutablePointer<Float>) {
            self.range = range
            self.random = random
            self.queueIndex = queueIndex
            self.queueMove = queueMove
        }
    }

    /// The schedule's arrays and the epoch's constants; see UMAPKernels.h.
    public struct Arguments {
        public var rowStart: UnsafePointer<Int>
        public var tail: UnsafePointer<Int32>
        public var epochsPerSample: UnsafePointer<Float>
        public var epochsPerNegativeSample: UnsafePointer<Float>
        public var epochOfNextSample: UnsafeMutablePointer<Float>
        public var epochOfNextNegativeSample: UnsafeMutablePointer<Float>
        public var live: UnsafeMutablePointer<Float>
        public var frozen: UnsafePointer<Float>
        public var vertexCount: Int
        public var a: Float, b: Float, gamma: Float, alpha: Float, epoch: Float
        /// Room for the edges of both streams' ranges.
        public var scratch: UnsafeMutablePointer<Int>

        public init(rowStart: UnsafePointer<Int>, tail: UnsafePointer<Int32>, epochsPerSample: UnsafePointer<Float>,
                    epochsPerNegativeSample: UnsafePointer<Float>, epochOfNextSample: UnsafeMutablePointer<Float>,
                    epochOfNextNegativeSample: UnsafeMutablePointer<Float>, live: UnsafeMutablePointer<Float>,
                    frozen: UnsafePointer<Float>, vertexCount: Int, a: Float, b: Float, gamma: Float, alpha: Float,
                    epoch: Float, scratch: UnsafeMutablePointer<Int>) {
            self.rowStart = rowStart
            self.tail = tail
            self.epochsPerSample = epochsPerSample
            self.epochsPerNegativeSample = epochsPerNegativeSample
            self.epochOfNextSample = epochOfNextSample
            self.epochOfNextNegativeSample = epochOfNextNegativeSample
            self.live = live
            self.frozen = frozen
            self.vertexCount = vertexCount
            self.a = a
            self.b = b
            self.gamma = gamma
            self.alpha = alpha
            self.epoch = epoch
            self.scratch = scratch
        }
    }

    /// Runs the edges of two streams for one epoch; returns how many moves each queued for points
    /// it does not own. The corresponding C function is `ls_umap_optimize_epoch`.
    public static func run(_ arguments: Arguments, _ first: Stream, _ second: Stream) -> (Int, Int) {
        let int64 = { (p: UnsafeMutablePointer<Int>) in UnsafeMutableRawPointer(p).assumingMemoryBound(to: Int64.self) }
        var raw = ls_umap_epoch_args(
            row_start: UnsafeRawPointer(arguments.rowStart).assumingMemoryBound(to: Int64.self),
            tail: arguments.tail, epochs_per_sample: arguments.epochsPerSample,
            epochs_per_negative_sample: arguments.epochsPerNegativeSample,
            epoch_of_next_sample: arguments.epochOfNextSample,
            epoch_of_next_negative_sample: arguments.epochOfNextNegativeSample,
            live: arguments.live, frozen: arguments.frozen, n_vertices: Int64(arguments.vertexCount),
            a: arguments.a, b: arguments.b, gamma: arguments.gamma, alpha: arguments.alpha, epoch: arguments.epoch,
            lo: (Int64(first.range.lowerBound), Int64(second.range.lowerBound)),
            hi: (Int64(first.range.upperBound), Int64(second.range.upperBound)),
            rng: (first.random, second.random), queue_index: (first.queueIndex, second.queueIndex),
            queue_move: (first.queueMove, second.queueMove), queue_count: (0, 0), scratch: int64(arguments.scratch))
        ls_umap_optimize_epoch(&raw)
        return (Int(raw.queue_count.0), Int(raw.queue_count.1))
    }

    /// Whether the kernel runs its AVX2 path on this CPU.
    public static var usesAVX2: Bool { ls_umap_has_avx2() != 0 }
}
