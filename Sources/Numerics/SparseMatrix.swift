/// A sparse matrix in compressed sparse row form (as scipy's `csr_matrix`): the columns and
/// values of row r are at `rowStart[r]..<rowStart[r + 1]`, columns ascending, no duplicates.
public struct SparseMatrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public var rowStart: [Int]
    public var columns: [Int32]
    public var values: [Float]

    /// A matrix from CSR arrays that already satisfy the invariants above.
    public init(rows: Int, cols: Int, rowStart: [Int], columns: [Int32], values: [Float]) {
        precondition(rowStart.count == rows + 1 && columns.count == values.count && rowStart.last == columns.count,
                     "inconsistent CSR arrays")
        self.rows = rows
        self.cols = cols
        self.rowStart = rowStart
        self.columns = columns
        self.values = values
    }

    /// A matrix from (row, column, value) triplets; duplicates are summed, as scipy's
    /// `coo_matrix(...).tocsr()` does, and explicit zeros are kept only when `keepZeros`.
    public init(rows: Int, cols: Int, tripletRows: [Int32], tripletColumns: [Int32], tripletValues: [Float],
                keepZeros: Bool = false) {
        precondition(tripletRows.count == tripletColumns.count && tripletRows.count == tripletValues.count)
        var counts = [Int](repeating: 0, count: rows + 1)
        for r in tripletRows { counts[Int(r) + 1] += 1 }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        var cursor = counts
        var cols32 = [Int32](repeating: 0, count: tripletRows.count)
        var vals = [Float](repeating: 0, count: tripletRows.count)
        for i in 0..<tripletRows.count {
            let r = Int(tripletRows[i])
            cols32[cursor[r]] = tripletColumns[i]
            vals[cursor[r]] = tripletValues[i]
            cursor[r] += 1
        }
        // Sort each row by column and sum duplicates, compacting in place.
        var start = [Int](repeating: 0, count: rows + 1)
        var write = 0
        for r in 0..<rows {
            let lo = counts[r], hi = counts[r + 1]
            start[r] = write
            if hi > lo {
                let order = (lo..<hi).sorted { cols32[$0] < cols32[$1] || (cols32[$0] == cols32[$1] && $0 < $1) }
                let rowCols = order.map { cols32[$0] }
                let rowVals = order.map { vals[$0] }
                var i = 0
                while i < rowCols.count {
                    let c = rowCols[i]
                    var v = rowVals[i]
                    i += 1
                    while i < rowCols.count && rowCols[i] == c {
                        v += rowVals[i]
                        i += 1
                    }
                    if v != 0 || keepZeros {
                        cols32[write] = c
                        vals[write] = v
                        write += 1
                    }
                }
            }
        }
        start[rows] = write
        self.init(rows: rows, cols: cols, rowStart: start, columns: Array(cols32[0..<write]), values: Array(vals[0..<write]))
    }

    /// Stored entries.
    public var nonzeroCount: Int { columns.count }

    /// The transpose, in CSR form.
    public func transposed() -> SparseMatrix {
        var counts = [Int](repeating: 0, count: cols + 1)
        for c in columns { counts[Int(c) + 1] += 1 }
        for c in 0..<cols { counts[c + 1] += counts[c] }
        var cursor = counts
        var newColumns = [Int32](repeating: 0, count: columns.count)
        var newValues = [Float](repeating: 0, count: values.count)
        // Walking rows in order leaves every transposed row sorted by its new column (the old row).
        for r in 0..<rows {
            for p in rowStart[r]..<rowStart[r + 1] {
                let c = Int(columns[p])
                newColumns[cursor[c]] = Int32(r)
                newValues[cursor[c]] = values[p]
                cursor[c] += 1
            }
        }
        return SparseMatrix(rows: cols, cols: rows, rowStart: counts, columns: newColumns, values: newValues)
    }

    /// The sum of each row.
    public func rowSums() -> [Double] {
        (0..<rows).map { r in
            var s = 0.0
            for p in rowStart[r]..<rowStart[r + 1] { s += Double(values[p]) }
            return s
        }
    }

    /// y = A·x for a dense vector, rows split across the compute threads.
    public func multiply(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>) {
        rowStart.withUnsafeBufferPointer { start in
            columns.withUnsafeBufferPointer { cols in
                values.withUnsafeBufferPointer { vals in
                    ComputeThreads.parallelChunks(rows, minimumChunk: 8192) { range in
                        for r in range {
                            var s = 0.0
                            for p in start[r]..<start[r + 1] { s += Double(vals[p]) * x[Int(cols[p])] }
                            y[r] = s
                        }
                    }
                }
            }
        }
    }

    /// The rows and columns in `indices` (ascending), as a new matrix indexed 0..<indices.count.
    public func submatrix(_ indices: [Int]) -> SparseMatrix {
        var position = [Int32](repeating: -1, count: max(rows, cols))
        for (i, v) in indices.enumerated() { position[v] = Int32(i) }
        var start = [0]
        var newColumns: [Int32] = []
        var newValues: [Float] = []
        for v in indices {
            for p in rowStart[v]..<rowStart[v + 1] where position[Int(columns[p])] >= 0 {
                newColumns.append(position[Int(columns[p])])
                newValues.append(values[p])
            }
            start.append(newColumns.count)
        }
        return SparseMatrix(rows: indices.count, cols: indices.count, rowStart: start, columns: newColumns, values: newValues)
    }

    /// Connected components of the graph whose adjacency this (symmetric) matrix is, as scipy's
    /// `csgraph.connected_components` numbers them: by the smallest vertex of each component.
    public func connectedComponents() -> (count: Int, labels: [Int]) {
        var labels = [Int](repeating: -1, count: rows)
        var count = 0
        var stack: [Int] = []
        for seed in 0..<rows where labels[seed] < 0 {
            labels[seed] = count
            stack.append(seed)
            while let v = stack.popLast() {
                for p in rowStart[v]..<rowStart[v + 1] {
                    let w = Int(columns[p])
                    if labels[w] < 0 {
                        labels[w] = count
                        stack.append(w)
                    }
                }
            }
            count += 1
        }
        return (count, labels)
    }
}
