/// A bordered box with a title in its top edge; a focused block's border is brighter (bold
/// without colour).
public struct Block {
    public var title: String
    public var focused: Bool

    public init(title: String, focused: Bool = false) {
        self.title = title
        self.focused = focused
    }

    public func render(_ area: Rect, into buffer: inout Buffer, theme: Theme) {
        guard area.width >= 2, area.height >= 2 else { return }
        var border = Style(foreground: focused ? theme.focusedBorder : theme.border, background: theme.background)
        if focused { border.attributes.insert(.bold) }
        let right = area.maxX - 1, bottom = area.maxY - 1
        for x in (area.x + 1)..<right {
            buffer.set(x, area.y, "─", border)
            buffer.set(x, bottom, "─", border)
        }
        for y in (area.y + 1)..<bottom {
            buffer.set(area.x, y, "│", border)
            buffer.set(right, y, "│", border)
        }
        buffer.set(area.x, area.y, "┌", border)
        buffer.set(right, area.y, "┐", border)
        buffer.set(area.x, bottom, "└", border)
        buffer.set(right, bottom, "┘", border)
        if !title.isEmpty && area.width > 4 {
            var titleStyle = Style(foreground: theme.title, background: theme.background)
            if focused { titleStyle.attributes.insert(.bold) }
            let text = " " + DisplayWidth.truncate(title, to: area.width - 4) + " "
            buffer.write(text, x: area.x + 1, y: area.y, maxWidth: area.width - 2, style: titleStyle)
        }
    }
}

/// Writes `text` centred in `area`'s middle row, cut to fit.
func writeCentered(_ text: String, in area: Rect, row: Int? = nil, into buffer: inout Buffer, style: Style) {
    guard !area.isEmpty else { return }
    let cut = DisplayWidth.truncate(text, to: area.width)
    let x = area.x + max(0, (area.width - DisplayWidth.of(cut)) / 2)
    buffer.write(cut, x: x, y: row ?? (area.y + area.height / 2), maxWidth: area.maxX - x, style: style)
}

/// Like `writeCentered`, but a text wider than the area is broken at spaces over several lines
/// (centred as a block around the middle row); a single word wider than the area is cut.
func writeCenteredWrapped(_ text: String, in area: Rect, into buffer: inout Buffer, style: Style) {
    guard !area.isEmpty else { return }
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
        let candidate = line.isEmpty ? word : line + " " + word
        if DisplayWidth.of(candidate) <= area.width || line.isEmpty {
            line = candidate
        } else {
            lines.append(line)
            line = word
        }
    }
    if !line.isEmpty { lines.append(line) }
    let shown = Array(lines.prefix(area.height))
    let first = area.y + area.height / 2 - (shown.count - 1) / 2
    for (i, text) in shown.enumerated() { writeCentered(text, in: area, row: max(area.y, first) + i, into: &buffer, style: style) }
}
