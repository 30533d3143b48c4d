import CKernels
import COpenBLAS

/// The elementwise and row-wise steps of transformer inference that BLAS lacks (GELU, softmax,
/// layer norm, per-channel statistics), vectorised in C and split across `ComputeThreads` when large.
public enum NeuralKernels {
    /// Below this many values a loop runs on the calling thread: waking a second one costs more.
    static let parallelThreshold = 1 << 15

    /// x ← GELU(x) in the exact erf form (transformers' "gelu"), in place. The C function is `ls_gelu_erf`.
    public static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        forEachChunk(count, rowLength: 1) { range in ls_gelu_erf(x + range.lowerBound, range.count) }
    }

    /// Each row ← softmax(scale · row), in place; rows are `stride` values apart.
    /// The C function is `ls_softmax_rows`.
    public static func softmaxRows(
        _ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, stride: Int, scale: Float
    ) {
        forEachChunk(rows, rowLength: cols) { range in
            ls_softmax_rows(x + range.lowerBound * stride, range.count, cols, stride, scale)
        }
    }

    /// y_r ← (x_r − mean(x_r)) / √(var(x_r) + ε) · γ + β for each row, as `torch.nn.LayerNorm`
    /// (biased variance). `y` may equal `x`. The C function is `ls_layer_norm_rows`.
    public static func layerNormRows(
        _ x: UnsafePointer<Float>, stride xStride: Int, into y: UnsafeMutablePointer<Float>, stride yStride: Int,
        rows: Int, cols: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        forEachChunk(rows, rowLength: cols) { range in
            ls_layer_norm_rows(x + range.lowerBound * xStride, xStride, y + range.lowerBound * yStride, yStride,
                               range.count, cols, gamma, beta, epsilon)
        }
    }

    /// Adds each column's sum and sum of squares (in float64) into `sums` and `squares`.
    /// The C function is `ls_column_moments`.
    public static func accumulateColumnMoments(
        _ x: UnsafePointer<Float>, rows: Int, cols: Int, stride: Int,
        sums: UnsafeMutablePointer<Double>, squares: UnsafeMutablePointer<Double>
    ) {
        ls_column_moments(x, rows, cols, stride, sums, squares)
    }

    /// x[r, c] ← x[r, c] · scale[c] + shift[c], in place. The C function is `ls_scale_shift_columns`.
    public static func scaleShiftColumns(
        _ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, stride: Int,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>
    ) {
        forEachChunk(rows, rowLength: cols) { range in
            ls_scale_shift_columns(x + range.lowerBound * stride, range.count, cols, stride, scale, shift)
        }
    }

    /// y ← y + x, elementwise. The C function is `ls_add`.
    public static func add(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) {
        forEachChunk(count, rowLength: 1) { range in ls_add(y + range.lowerBound, x + range.lowerBound, range.count) }
    }

    /// y ← y + a·x. The corresponding C function is `cblas_saxpy`.
    public static func addScaled(_ x: UnsafePointer<Float>, by a: Float, to y: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        cblas_saxpy(blasint(count), a, x, 1, y, 1)
    }

    /// Runs `body` over `0..<items` in one piece, or in one piece per compute thread when the work is large.
    private static func forEachChunk(_ items: Int, rowLength: Int, _ body: (Range<Int>) -> Void) {
        guard items > 0 else { return }
        if items * max(rowLength, 1) < parallelThreshold || ComputeThreads.count == 1 {
            body(0..<items)
        } else {
            ComputeThreads.parallelChunks(items, body)
        }
    }
}
