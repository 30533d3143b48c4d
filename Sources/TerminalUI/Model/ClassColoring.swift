import Store

/// Which classes of a label get their own colour (or glyph) and which are grey context: every class
/// when they fit the palette, else the most frequent ones; with a filter, only the chosen classes.
public struct ClassColoring: Equatable, Sendable {
    /// Classes with their own slot, in slot order (the legend's order).
    public let coloured: [Int]
    /// Per class: its slot, or nil when it is grey.
    public let slotOfClass: [Int?]
    /// How many slots are in use; grey is slot `coloured.count`.
    public var greySlot: Int { coloured.count }
    /// Classes drawn grey.
    public let greyClasses: [Int]
    public let filtered: Bool

    public init(classCount: Int, counts: [Int], paletteSize: Int, filter: Set<Int32>?) {
        let palette = max(1, paletteSize)
        var chosen: [Int]
        if let filter, !filter.isEmpty {
            chosen = filter.map(Int.init).filter { $0 >= 0 && $0 < classCount }.sorted()
            filtered = true
        } else if classCount <= palette {
            chosen = Array(0..<classCount)
            filtered = false
        } else {
            chosen = (0..<classCount).sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
            filtered = false
        }
        chosen = Array(chosen.prefix(palette))
        coloured = chosen
        var slots = [Int?](repeating: nil, count: classCount)
        for (slot, c) in chosen.enumerated() { slots[c] = slot }
        slotOfClass = slots
        greyClasses = (0..<classCount).filter { slots[$0] == nil }
    }

    /// The colouring of `state`'s colour-by label.
    public init(state: AppState, paletteSize: Int) {
        let label = state.colorBy
        let counts = state.data.classCounts.indices.contains(label) ? state.data.classCounts[label] : []
        self.init(classCount: counts.count, counts: counts, paletteSize: paletteSize, filter: state.filter)
    }

    /// Per token: its slot (grey for grey classes, 255 for tokens without a value).
    public func slots(for codes: [Int32]) -> [UInt8] {
        let grey = UInt8(clamping: greySlot)
        let table = slotOfClass.map { $0.map { UInt8(clamping: $0) } ?? grey }
        return codes.map { $0 >= 0 && Int($0) < table.count ? table[Int($0)] : 255 }
    }
}

/// The legend's lines, shared by the legend widget (to draw) and the reducer (to map a click to a class).
public enum LegendLines {
    /// One legend line.
    public enum Entry: Equatable, Sendable {
        case title
        /// A class with its own colour (or glyph).
        case coloured(classIndex: Int, slot: Int)
        /// A grey class listed on its own (clicking it adds it to the filter).
        case greyClass(classIndex: Int)
        /// The grey classes summed up, when they do not fit one per line.
        case grey(classes: Int, tokens: Int)
        /// Coloured classes that did not fit.
        case more(Int)
    }

    /// The lines for a legend `height` rows tall.
    public static func entries(_ coloring: ClassColoring, counts: [Int], height: Int) -> [Entry] {
        guard height > 0 else { return [] }
        let room = height - 1
        let classes = coloring.coloured.enumerated().map { Entry.coloured(classIndex: $0.element, slot: $0.offset) }
        if classes.count + coloring.greyClasses.count <= room {
            return [.title] + classes + coloring.greyClasses.map { Entry.greyClass(classIndex: $0) }
        }
        var lines: [Entry] = [.title]
        let greyTokens = coloring.greyClasses.reduce(0) { $0 + (counts.indices.contains($1) ? counts[$1] : 0) }
        let tail: [Entry] = coloring.greyClasses.isEmpty ? [] : [.grey(classes: coloring.greyClasses.count, tokens: greyTokens)]
        let space = room - tail.count
        if classes.count <= space {
            lines += classes
        } else if space > 1 {
            lines += classes.prefix(space - 1)
            lines.append(.more(classes.count - (space - 1)))
        }
        lines += tail
        return Array(lines.prefix(height))
    }
}
