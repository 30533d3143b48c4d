import Numerics

extension PCA {
    /// Fits on the rows of `view` and projects them: scikit-learn's `fit_transform`, two passes over the rows.
    public static func fitTransform(_ view: MatrixView, components: Int, solver: PCASolver = .automatic) throws -> (model: PCAModel, features: Matrix<Float>) {
        let model = try fit(view, components: components, solver: solver)
        return (model, model.transform(view))
    }
}

extension PCAModel {
    /// Projects every row of `view` onto the axes: (x − mean)·componentsᵀ, an n × k float32 matrix
    /// (scikit-learn's `transform`). Rows are read block by block; the mean is removed before the
    /// GEMM so large offsets never meet a float32 dot product.
    public func transform(_ view: MatrixView, blockRows: Int = 8192) -> Matrix<Float> {
        precondition(view.cols == dimension, "the view has \(view.cols) columns, the model \(dimension)")
        let k = count, d = dimension
        var result = Matrix<Float>(rows: view.rows, cols: k)
        guard view.rows > 0, k > 0 else { return result }
        let offset = mean.map { Float($0) }
        components.storage.withUnsafeBufferPointer { axes in
            result.storage.withUnsafeMutableBufferPointer { out in
                view.forEachBlock(rows: blockRows, subtracting: offset) { range, block in
                    Float.gemm(transposeA: false, transposeB: true, m: range.count, n: k, k: d, alpha: 1,
                               a: block.baseAddress!, lda: d, b: axes.baseAddress!, ldb: d, beta: 0,
                               c: out.baseAddress! + range.lowerBound * k, ldc: k)
                }
            }
        }
        return result
    }

    /// Projects an in-memory float32 matrix.
    public func transform(_ matrix: Matrix<Float>) -> Matrix<Float> {
        matrix.storage.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, matrix.rows > 0 else { return Matrix<Float>(rows: matrix.rows, cols: count) }
            return transform(MatrixView(base: UnsafeRawPointer(base), rows: matrix.rows, cols: matrix.cols,
                                        type: .float32, owner: nil))
        }
    }
}
