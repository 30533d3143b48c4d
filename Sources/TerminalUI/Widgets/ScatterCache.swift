/// Screen positions of a layout's points for one plot size and viewport, and the colour slot of each
/// point for one label and filter: recomputed only when those change, so a frame only rasterises.
public final class ScatterCache {
    struct PositionKey: Equatable {
        let layout: Int
        let progress: Double
        let plot: Rect
        let viewport: Viewport
    }

    struct SlotKey: Equatable {
        let label: Int
        /// What the codes are: 0 for a label's classes, a clustering's id for its clusters.
        let source: Int
        let coloring: ClassColoring
    }

    private var positionKey: PositionKey?
    private var slotKey: SlotKey?
    /// Per point: its cell index in the plot, or -1 when outside the view.
    private(set) var cell: [Int32] = []
    /// Per point: its dot bit within the cell.
    private(set) var dotBit: [UInt8] = []
    /// Per point: its colour slot.
    private(set) var slot: [UInt8] = []

    public init() {}

    func positions(layout: Layout, plot: Rect, projection: ScatterProjection, viewport: Viewport) {
        let key = PositionKey(layout: layout.id, progress: layout.progress, plot: plot, viewport: viewport)
        guard key != positionKey else { return }
        positionKey = key
        let n = layout.count
        if cell.count != n {
            cell = [Int32](repeating: -1, count: n)
            dotBit = [UInt8](repeating: 0, count: n)
        }
        let width = projection.dotWidth, height = projection.dotHeight, columns = plot.width
        let scale = projection.scale
        let offsetX = Float(width) / 2 - projection.centerX * scale
        let offsetY = Float(height) / 2 + projection.centerY * scale
        layout.x.withUnsafeBufferPointer { xs in
            layout.y.withUnsafeBufferPointer { ys in
                cell.withUnsafeMutableBufferPointer { cells in
                    dotBit.withUnsafeMutableBufferPointer { bits in
                        Braille.flatBit.withUnsafeBufferPointer { table in
                            for i in 0..<n {
                                let fx = xs[i] * scale + offsetX
                                let fy = offsetY - ys[i] * scale
                                // NaN fails both comparisons and lands outside, as it should.
                                guard fx >= 0, fy >= 0, fx < Float(width), fy < Float(height) else {
                                    cells[i] = -1
                                    continue
                                }
                                let dx = Int(fx), dy = Int(fy)
                                cells[i] = Int32((dy >> 2) * columns + (dx >> 1))
                                bits[i] = table[(dy & 3) * 2 + (dx & 1)]
                            }
                        }
                    }
                }
            }
        }
    }

    func slots(label: Int, source: Int = 0, codes: [Int32], coloring: ClassColoring) {
        let key = SlotKey(label: label, source: source, coloring: coloring)
        guard key != slotKey else { return }
        slotKey = key
        slot = coloring.slots(for: codes)
    }

    /// Rasterises the cached points into braille cells with per-slot counts.
    func raster(columns: Int, rows: Int, slots: Int) -> ScatterRaster {
        var raster = ScatterRaster(columns: columns, rows: rows, slots: slots)
        let n = min(cell.count, slot.count)
        cell.withUnsafeBufferPointer { c in
            dotBit.withUnsafeBufferPointer { b in
                slot.withUnsafeBufferPointer { s in
                    raster.add(cell: UnsafeBufferPointer(rebasing: c[0..<n]), dotBit: UnsafeBufferPointer(rebasing: b[0..<n]),
                               slot: UnsafeBufferPointer(rebasing: s[0..<n]))
                }
            }
        }
        return raster
    }
}
