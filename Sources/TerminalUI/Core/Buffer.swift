/// One terminal cell: a Unicode scalar (0 marks the right half of a wide character) and its style.
public struct Cell: Equatable, Sendable {
    public var scalar: UInt32
    public var style: Style

    public init(_ scalar: Unicode.Scalar = " ", style: Style = .plain) {
        self.scalar = scalar.value
        self.style = style
    }

    init(raw: UInt32, style: Style) {
        self.scalar = raw
        self.style = style
    }

    public static let blank = Cell()
    /// Whether this cell is covered by the wide character to its left.
    public var isContinuation: Bool { scalar == 0 }
    /// Whether nothing is drawn in this cell (a space, whatever its style).
    public var isEmpty: Bool { scalar == Unicode.Scalar(" ").value }
}

/// A frame being drawn: a grid of cells that widgets write into, compared with the previous
/// frame so that only changed cells reach the terminal.
public struct Buffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = [Cell](repeating: fill, count: self.width * self.height)
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Sets one cell; writes outside the buffer are dropped.
    public mutating func set(_ x: Int, _ y: Int, _ scalar: Unicode.Scalar, _ style: Style) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        cells[y * width + x] = Cell(scalar, style: style)
    }

    /// Sets one cell from a raw scalar value (braille patterns and the like).
    public mutating func set(_ x: Int, _ y: Int, raw: UInt32, _ style: Style) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        cells[y * width + x] = Cell(raw: raw, style: style)
    }

    /// Changes the style of one cell, keeping its character.
    public mutating func restyle(_ x: Int, _ y: Int, _ change: (inout Style) -> Void) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        change(&cells[y * width + x].style)
    }

    /// Fills a rectangle (clipped to the buffer).
    public mutating func fill(_ rect: Rect, _ scalar: Unicode.Scalar = " ", _ style: Style = .plain) {
        let cell = Cell(scalar, style: style)
        for y in max(rect.y, 0)..<min(rect.maxY, height) where rect.x < width {
            for x in max(rect.x, 0)..<min(rect.maxX, width) { cells[y * width + x] = cell }
        }
    }

    /// Writes `text` from (`x`, `y`) in at most `maxWidth` columns (to the buffer's edge when nil);
    /// wide characters take two columns, and one that does not fit is left out. Returns the columns used.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, style: Style = .plain) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(x + (maxWidth ?? width), width)
        var column = x
        for scalar in text.unicodeScalars {
            let w = DisplayWidth.of(scalar)
            if w == 0 { continue }
            if column + w > limit { break }
            if column >= 0 {
                cells[y * width + column] = Cell(scalar, style: style)
                if w == 2, column + 1 < width { cells[y * width + column + 1] = Cell(raw: 0, style: style) }
            }
            column += w
        }
        return max(0, column - x)
    }

    /// Indices of the cells that differ from `previous`; every cell when the sizes differ. A changed
    /// half of a wide character brings its left half along, so the terminal redraws the whole glyph.
    public func changedCells(since previous: Buffer?) -> [Int] {
        guard let previous, previous.width == width, previous.height == height else { return Array(cells.indices) }
        var changed: [Int] = []
        cells.withUnsafeBufferPointer { now in
            previous.cells.withUnsafeBufferPointer { before in
                for i in 0..<now.count where now[i] != before[i] {
                    if now[i].isContinuation || before[i].isContinuation, i > 0, changed.last != i - 1 {
                        changed.append(i - 1)
                    }
                    changed.append(i)
                }
            }
        }
        return changed
    }

    /// The text of row `y` (continuation cells skipped), trailing spaces kept.
    public func line(_ y: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for x in 0..<width {
            let raw = cells[y * width + x].scalar
            if raw == 0 { continue }
            scalars.append(Unicode.Scalar(raw) ?? "?")
        }
        return String(scalars)
    }

    /// The text of `rect` (the whole buffer by default), one line per row, trailing spaces removed:
    /// the picture that widget tests compare with.
    public func picture(_ rect: Rect? = nil) -> String {
        let r = rect ?? area
        var lines: [String] = []
        for y in max(r.y, 0)..<min(r.maxY, height) {
            var scalars = String.UnicodeScalarView()
            for x in max(r.x, 0)..<min(r.maxX, width) {
                let raw = cells[y * width + x].scalar
                if raw == 0 { continue }
                scalars.append(Unicode.Scalar(raw) ?? "?")
            }
            var text = String(scalars)
            while text.last == " " { text.removeLast() }
            lines.append(text)
        }
        return lines.joined(separator: "\n")
    }
}

/// Columns a character takes on a terminal, independent of the process locale (East Asian wide
/// characters take two, combining marks none).
public enum DisplayWidth {
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v == 0 { return 0 }
        if v < 0x300 { return 1 }
        if (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v) { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v) {
            return 2
        }
        return 1
    }

    /// Columns `text` takes.
    public static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    /// `text` cut to at most `columns` columns, ending in "…" when cut.
    public static func truncate(_ text: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        var out = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let w = of(scalar)
            if used + w > columns - 1 { break }
            out.append(scalar)
            used += w
        }
        return String(out) + "…"
    }

    /// `text` padded with spaces (or cut) to exactly `columns` columns.
    public static func pad(_ text: String, to columns: Int, alignRight: Bool = false) -> String {
        let cut = truncate(text, to: columns)
        let gap = String(repeating: " ", count: max(0, columns - of(cut)))
        return alignRight ? gap + cut : cut + gap
    }
}
