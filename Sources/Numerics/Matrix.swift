/// A dense row-major matrix that owns its storage; the unit analysis code passes around.
public struct Matrix<Element: BLASScalar>: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    /// Row-major values: element (r, c) is at `r * cols + c`.
    public var storage: [Element]

    public init(rows: Int, cols: Int, repeating value: Element = 0) {
        precondition(rows >= 0 && cols >= 0, "matrix dimensions must not be negative")
        self.rows = rows
        self.cols = cols
        self.storage = [Element](repeating: value, count: rows * cols)
    }

    public init(rows: Int, cols: Int, storage: [Element]) {
        precondition(storage.count == rows * cols, "storage holds \(storage.count) values, not \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// A matrix from nested rows; every row must have the same length.
    public init(_ nested: [[Element]]) {
        let cols = nested.first?.count ?? 0
        precondition(nested.allSatisfy { $0.count == cols }, "rows of unequal length")
        self.init(rows: nested.count, cols: cols, storage: nested.flatMap { $0 })
    }

    public subscript(row: Int, col: Int) -> Element {
        get { storage[row * cols + col] }
        set { storage[row * cols + col] = newValue }
    }

    /// The values of one row.
    public func row(_ index: Int) -> ArraySlice<Element> {
        storage[(index * cols)..<((index + 1) * cols)]
    }

    /// The values of one column.
    public func column(_ index: Int) -> [Element] {
        (0..<rows).map { storage[$0 * cols + index] }
    }

    /// The transpose, as a new matrix.
    public func transposed() -> Matrix {
        var result = Matrix(rows: cols, cols: rows)
        storage.withUnsafeBufferPointer { source in
            result.storage.withUnsafeMutableBufferPointer { target in
                for r in 0..<rows {
                    for c in 0..<cols { target[c * rows + r] = source[r * cols + c] }
                }
            }
        }
        return result
    }

    /// The rows in `range`, as a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// The columns in `range`, as a new matrix.
    public func columns(_ range: Range<Int>) -> Matrix {
        var result = Matrix(rows: rows, cols: range.count)
        for r in 0..<rows {
            for (j, c) in range.enumerated() { result.storage[r * range.count + j] = storage[r * cols + c] }
        }
        return result
    }

    /// The identity matrix of size `n`.
    public static func identity(_ n: Int) -> Matrix {
        var result = Matrix(rows: n, cols: n)
        for i in 0..<n { result[i, i] = 1 }
        return result
    }
}

extension Matrix where Element == Float {
    /// Widens to double precision.
    public var asDouble: Matrix<Double> {
        Matrix<Double>(rows: rows, cols: cols, storage: storage.map(Double.init))
    }
}

extension Matrix where Element == Double {
    /// Narrows to single precision.
    public var asFloat: Matrix<Float> {
        Matrix<Float>(rows: rows, cols: cols, storage: storage.map(Float.init))
    }
}
