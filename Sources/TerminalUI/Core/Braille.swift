/// Braille patterns (U+2800…U+28FF) pack 2×4 dots into one cell; these are the dot bits by
/// (row, column) within the cell, as Unicode numbers the dots 1-2-3-7 / 4-5-6-8.
public enum Braille {
    public static let base: UInt32 = 0x2800
    /// `bit[row][column]`, rows 0…3 top to bottom, columns 0…1 left to right.
    public static let bit: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
    /// The same table flattened as `row * 2 + column`, for hot loops.
    public static let flatBit: [UInt8] = [0x01, 0x08, 0x02, 0x10, 0x04, 0x20, 0x40, 0x80]
}

/// A braille drawing surface for lines: dots addressed from the top-left, `2·columns` × `4·rows`,
/// each cell remembering the last series that drew in it (which decides its colour).
public struct BrailleGrid: Sendable {
    public let columns: Int
    public let rows: Int
    public private(set) var bits: [UInt8]
    public private(set) var owner: [Int16]

    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
        bits = [UInt8](repeating: 0, count: self.columns * self.rows)
        owner = [Int16](repeating: -1, count: self.columns * self.rows)
    }

    public var dotWidth: Int { columns * 2 }
    public var dotHeight: Int { rows * 4 }

    /// Sets one dot; dots outside the grid are dropped.
    public mutating func dot(_ x: Int, _ y: Int, series: Int) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let cell = (y >> 2) * columns + (x >> 1)
        bits[cell] |= Braille.bit[y & 3][x & 1]
        owner[cell] = Int16(series)
    }

    /// A straight line of dots (Bresenham). `dotted` leaves every other dot out, which tells an
    /// overlaid series apart without colour.
    public mutating func line(from a: (x: Int, y: Int), to b: (x: Int, y: Int), series: Int, dotted: Bool = false) {
        var x = a.x, y = a.y
        let dx = abs(b.x - a.x), dy = -abs(b.y - a.y)
        let sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
        var error = dx + dy
        var step = 0
        while true {
            if !dotted || step % 2 == 0 { dot(x, y, series: series) }
            if x == b.x && y == b.y { break }
            step += 1
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    /// Whether the cell at (`column`, `row`) has any dot.
    public func isEmpty(column: Int, row: Int) -> Bool { bits[row * columns + column] == 0 }

    /// Copies the non-empty cells into `buffer` with the top-left cell at `origin`.
    public func draw(into buffer: inout Buffer, at origin: (x: Int, y: Int), style: (Int) -> Style) {
        for row in 0..<rows {
            for column in 0..<columns {
                let cell = row * columns + column
                let pattern = bits[cell]
                guard pattern != 0 else { continue }
                buffer.set(origin.x + column, origin.y + row, raw: Braille.base + UInt32(pattern), style(Int(owner[cell])))
            }
        }
    }
}

/// Many points rasterised into braille cells, each point in one of a few colour slots: per cell,
/// the union of the dots and the number of points per slot, so a cell takes its majority class's colour.
public struct ScatterRaster {
    public let columns: Int
    public let rows: Int
    public let slots: Int
    public private(set) var bits: [UInt8]
    public private(set) var counts: [UInt32]

    public init(columns: Int, rows: Int, slots: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
        self.slots = max(1, slots)
        bits = [UInt8](repeating: 0, count: self.columns * self.rows)
        counts = [UInt32](repeating: 0, count: self.columns * self.rows * self.slots)
    }

    /// Adds every point whose `cell` is not negative: `cell[i]` is its cell index, `dotBit[i]` its
    /// dot within the cell, `slot[i]` its colour slot (points with a slot ≥ `slots` are skipped).
    public mutating func add(cell: UnsafeBufferPointer<Int32>, dotBit: UnsafeBufferPointer<UInt8>,
                             slot: UnsafeBufferPointer<UInt8>) {
        let n = min(cell.count, dotBit.count, slot.count)
        let slotCount = slots
        bits.withUnsafeMutableBufferPointer { bits in
            counts.withUnsafeMutableBufferPointer { counts in
                for i in 0..<n {
                    let c = Int(cell[i])
                    let s = Int(slot[i])
                    if c < 0 || s >= slotCount { continue }
                    bits[c] |= dotBit[i]
                    counts[c &* slotCount &+ s] &+= 1
                }
            }
        }
    }

    /// The slot with the most points in `cellIndex`; slots in `preferred` win over the others
    /// whenever they have any point there (a filter keeps its classes on top of grey context).
    public func majority(_ cellIndex: Int, preferred: Range<Int>? = nil) -> Int? {
        let start = cellIndex * slots
        var best = -1
        var bestCount: UInt32 = 0
        if let preferred {
            for s in preferred where counts[start + s] > bestCount {
                best = s
                bestCount = counts[start + s]
            }
            if best >= 0 { return best }
        }
        for s in 0..<slots where counts[start + s] > bestCount {
            best = s
            bestCount = counts[start + s]
        }
        return best >= 0 ? best : nil
    }

    /// Points in the cell, all slots together.
    public func total(_ cellIndex: Int) -> Int {
        var sum: UInt32 = 0
        for s in 0..<slots { sum &+= counts[cellIndex * slots + s] }
        return Int(sum)
    }
}
