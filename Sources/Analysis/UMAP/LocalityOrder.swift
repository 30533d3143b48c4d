import Numerics

/// A renumbering of the points along a Z-order (Morton) curve of a 2-D layout, so that a
/// contiguous range of indices is a compact region of the layout. `LayoutOptimizer` gives each
/// thread one index range: in this order most edges join points of the same range, which that
/// thread moves in place, and fewer go through the end-of-epoch queue (whose moves are one epoch
/// stale). Neighbouring points also share cache lines. Stores row order is unaffected: the
/// optimiser works on the renumbered copy and the layout is put back in input order.
struct LocalityOrder {
    /// order[new] = old.
    let order: [Int]
    /// position[old] = new.
    let position: [Int32]

    init(layout: Matrix<Float>) {
        let n = layout.rows
        let box = BoxFrame(layout)
        func cell(_ value: Float, _ c: Int) -> UInt32 {
            let unit = box.span[c] > 0 ? (value - box.low[c]) / box.span[c] : 0
            return UInt32(min(65_535, max(0, unit * 65_535)))
        }
        let codes = (0..<n).map { r in Self.interleave(cell(layout[r, 0], 0), cell(layout[r, 1], 1)) }
        order = (0..<n).sorted { codes[$0] < codes[$1] || (codes[$0] == codes[$1] && $0 < $1) }
        var position = [Int32](repeating: 0, count: n)
        for (new, old) in order.enumerated() { position[old] = Int32(new) }
        self.position = position
    }

    /// The bits of x and y interleaved (x in the even bits).
    static func interleave(_ x: UInt32, _ y: UInt32) -> UInt64 {
        func spread(_ v: UInt32) -> UInt64 {
            var v = UInt64(v) & 0xFFFF
            v = (v | (v << 8)) & 0x00FF_00FF
            v = (v | (v << 4)) & 0x0F0F_0F0F
            v = (v | (v << 2)) & 0x3333_3333
            v = (v | (v << 1)) & 0x5555_5555
            return v
        }
        return spread(x) | (spread(y) << 1)
    }

    /// The graph with rows and columns renumbered (each row's columns ascending again).
    func permute(_ graph: SparseMatrix) -> SparseMatrix {
        var start = [0]
        var columns: [Int32] = []
        var values: [Float] = []
        columns.reserveCapacity(graph.nonzeroCount)
        values.reserveCapacity(graph.nonzeroCount)
        for old in order {
            let entries = (graph.rowStart[old]..<graph.rowStart[old + 1])
                .map { (position[Int(graph.columns[$0])], graph.values[$0]) }
                .sorted { $0.0 < $1.0 }
            for (c, v) in entries {
                columns.append(c)
                values.append(v)
            }
            start.append(columns.count)
        }
        return SparseMatrix(rows: graph.rows, cols: graph.cols, rowStart: start, columns: columns, values: values)
    }

    /// A points × 2 layout (row-major) in the new numbering.
    func permute(_ layout: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: layout.count)
        for (new, old) in order.enumerated() {
            out[2 * new] = layout[2 * old]
            out[2 * new + 1] = layout[2 * old + 1]
        }
        return out
    }

    /// A points × 2 layout in the new numbering, back in input order.
    func restore(_ layout: [Float]) -> Matrix<Float> {
        var out = [Float](repeating: 0, count: layout.count)
        for (new, old) in order.enumerated() {
            out[2 * old] = layout[2 * new]
            out[2 * old + 1] = layout[2 * new + 1]
        }
        return Matrix(rows: order.count, cols: 2, storage: out)
    }
}
