import Foundation

/// A Praat TextGrid: tiers of labelled intervals or labelled points over one stretch of time.
public struct TextGrid: Sendable, Equatable {
    /// Start and end of the whole grid, in seconds.
    public var xmin: Double
    public var xmax: Double
    public var tiers: [TextGridTier]

    public init(xmin: Double, xmax: Double, tiers: [TextGridTier]) {
        self.xmin = xmin
        self.xmax = xmax
        self.tiers = tiers
    }

    /// The tier called `name`, if there is one.
    public func tier(named name: String) -> TextGridTier? { tiers.first { $0.name == name } }
}

/// One tier of a TextGrid: Praat's `IntervalTier` (intervals with a start and an end) or
/// `TextTier` (points, whose start equals their end).
public struct TextGridTier: Sendable, Equatable {
    /// Praat's two kinds of tier, by the class name it writes.
    public enum Kind: String, Sendable, Equatable {
        case interval = "IntervalTier"
        case point = "TextTier"
    }

    public var name: String
    public var kind: Kind
    public var xmin: Double
    public var xmax: Double
    public var items: [TextGridItem]

    public init(name: String, kind: Kind, xmin: Double, xmax: Double, items: [TextGridItem]) {
        self.name = name
        self.kind = kind
        self.xmin = xmin
        self.xmax = xmax
        self.items = items
    }
}

/// A labelled interval (or a point, where `start == end`), with the line of the file it came
/// from so later problems (a label no scheme knows) can point at it.
public struct TextGridItem: Sendable, Equatable {
    public var start: Double
    public var end: Double
    public var text: String
    /// 1-based line in the TextGrid file where the item begins.
    public var line: Int

    public init(start: Double, end: Double, text: String, line: Int) {
        self.start = start
        self.end = end
        self.text = text
        self.line = line
    }
}
