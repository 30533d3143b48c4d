/// A rectangle of terminal cells: `x`, `y` of the top-left cell, `width` columns, `height` rows.
public struct Rect: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public var description: String { "\(width)×\(height)+\(x)+\(y)" }

    public func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < maxX && py >= y && py < maxY
    }

    /// The rectangle shrunk by `margin` cells on every side (a block's inside).
    public func inset(_ margin: Int) -> Rect {
        Rect(x: x + margin, y: y + margin, width: width - 2 * margin, height: height - 2 * margin)
    }

    /// The top `rows` rows and the rest.
    public func splitTop(_ rows: Int) -> (Rect, Rect) {
        let top = min(max(rows, 0), height)
        return (Rect(x: x, y: y, width: width, height: top), Rect(x: x, y: y + top, width: width, height: height - top))
    }

    /// The bottom `rows` rows and the rest (rest first).
    public func splitBottom(_ rows: Int) -> (Rect, Rect) {
        let bottom = min(max(rows, 0), height)
        return (Rect(x: x, y: y, width: width, height: height - bottom),
                Rect(x: x, y: maxY - bottom, width: width, height: bottom))
    }

    /// The left `columns` columns and the rest.
    public func splitLeft(_ columns: Int) -> (Rect, Rect) {
        let left = min(max(columns, 0), width)
        return (Rect(x: x, y: y, width: left, height: height), Rect(x: x + left, y: y, width: width - left, height: height))
    }

    /// The right `columns` columns and the rest (rest first).
    public func splitRight(_ columns: Int) -> (Rect, Rect) {
        let right = min(max(columns, 0), width)
        return (Rect(x: x, y: y, width: width - right, height: height),
                Rect(x: maxX - right, y: y, width: right, height: height))
    }

    /// `count` columns of nearly equal width, left to right.
    public func columns(_ count: Int) -> [Rect] {
        guard count > 0 else { return [] }
        return (0..<count).map { i in
            let left = x + width * i / count, right = x + width * (i + 1) / count
            return Rect(x: left, y: y, width: right - left, height: height)
        }
    }

    /// `count` rows of nearly equal height, top to bottom.
    public func rows(_ count: Int) -> [Rect] {
        guard count > 0 else { return [] }
        return (0..<count).map { i in
            let top = y + height * i / count, bottom = y + height * (i + 1) / count
            return Rect(x: x, y: top, width: width, height: bottom - top)
        }
    }
}

/// A terminal size in cells.
public struct TerminalSize: Equatable, Hashable, Sendable {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// The smallest size the explorer draws; anything smaller gets a one-line message.
    public static let minimum = TerminalSize(columns: 40, rows: 12)

    public var isUsable: Bool { columns >= Self.minimum.columns && rows >= Self.minimum.rows }
}
