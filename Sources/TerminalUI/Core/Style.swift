/// A terminal colour: the terminal's default (-1) or an index into the xterm 256-colour palette.
public struct TerminalColor: Equatable, Hashable, Sendable {
    public let index: Int16

    public init(index: Int) { self.index = Int16(clamping: min(max(index, -1), 255)) }

    /// The terminal's own foreground or background.
    public static let `default` = TerminalColor(index: -1)

    public var isDefault: Bool { index < 0 }

    /// The nearest palette entry to a 24-bit colour: the 6×6×6 cube or the grey ramp, as xterm defines them.
    public init(red: Int, green: Int, blue: Int) {
        let levels = [0, 95, 135, 175, 215, 255]
        func nearestLevel(_ v: Int) -> Int {
            var best = 0
            for (i, level) in levels.enumerated() where abs(level - v) < abs(levels[best] - v) { best = i }
            return best
        }
        let r = nearestLevel(red), g = nearestLevel(green), b = nearestLevel(blue)
        let cube = 16 + 36 * r + 6 * g + b
        let cubeDistance = Self.distance((levels[r], levels[g], levels[b]), (red, green, blue))
        let average = (red + green + blue) / 3
        let greyStep = min(23, max(0, (average - 8 + 5) / 10))
        let greyLevel = 8 + 10 * greyStep
        let greyDistance = Self.distance((greyLevel, greyLevel, greyLevel), (red, green, blue))
        self.init(index: greyDistance < cubeDistance ? 232 + greyStep : cube)
    }

    /// The colour's red, green and blue as xterm draws them.
    public var rgb: (Int, Int, Int) {
        let i = Int(index)
        switch i {
        case ..<0: return (192, 192, 192)
        case 0..<16: return Self.basic[i]
        case 16..<232:
            let levels = [0, 95, 135, 175, 215, 255]
            let c = i - 16
            return (levels[c / 36], levels[(c / 6) % 6], levels[c % 6])
        default:
            let v = 8 + 10 * (i - 232)
            return (v, v, v)
        }
    }

    /// The nearest of the first `count` palette entries (8 or 16), for terminals with few colours.
    public func reduced(to count: Int) -> TerminalColor {
        guard !isDefault, Int(index) >= count else { return self }
        let target = rgb
        var best = 0
        for candidate in 0..<min(count, 16) where Self.distance(Self.basic[candidate], target) < Self.distance(Self.basic[best], target) {
            best = candidate
        }
        return TerminalColor(index: best)
    }

    private static let basic: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    private static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return dr * dr + dg * dg + db * db
    }
}

/// Text attributes a cell may carry.
public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1 << 0)
    public static let dim = TextAttributes(rawValue: 1 << 1)
    public static let reverse = TextAttributes(rawValue: 1 << 2)
    public static let underline = TextAttributes(rawValue: 1 << 3)
    public static let italic = TextAttributes(rawValue: 1 << 4)
}

/// How a cell looks: foreground, background and attributes.
public struct Style: Equatable, Hashable, Sendable {
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var attributes: TextAttributes

    public init(foreground: TerminalColor = .default, background: TerminalColor = .default, attributes: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let plain = Style()

    public func with(_ extra: TextAttributes) -> Style {
        var copy = self
        copy.attributes.formUnion(extra)
        return copy
    }

    public func on(_ background: TerminalColor) -> Style {
        var copy = self
        copy.background = background
        return copy
    }
}

/// How many colours the terminal shows, which decides whether classes are told apart by colour or by glyph.
public enum ColorDepth: Equatable, Sendable {
    /// `NO_COLOR` is set or the terminal has no colour: attributes only.
    case none
    /// 8 or 16 colours: UI colours are reduced, classes get glyphs.
    case basic(Int)
    /// 256 colours or more.
    case full

    /// Whether classes need glyphs (and attributes) rather than colours to be told apart.
    public var classesByGlyph: Bool { self != .full }
}
