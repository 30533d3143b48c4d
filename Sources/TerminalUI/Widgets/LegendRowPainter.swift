/// What the scatter's two legends (classes of a label, clusters) draw alike: the swatch or glyph that
/// starts a line, and the line that sums up the groups drawn grey.
struct LegendRowPainter {
    let theme: Theme
    let byGlyph: Bool
    /// The legend's left column, and its width from there.
    let x: Int
    let width: Int

    /// The mark of a group drawn in colour slot `slot`; bold while a filter picks groups out.
    func colouredMark(slot: Int, filtered: Bool, y: Int, into buffer: inout Buffer) {
        var style = Style(foreground: theme.classes[slot % max(theme.classes.count, 1)], background: theme.background)
        if filtered { style.attributes.insert(.bold) }
        buffer.set(x, y, byGlyph ? Glyphs.classGlyph(slot) : Glyphs.swatch, style)
    }

    /// The mark of a group drawn in the grey of context.
    func greyMark(y: Int, into buffer: inout Buffer) {
        let style = Style(foreground: theme.grey, background: theme.background, attributes: byGlyph ? .dim : [])
        buffer.set(x, y, byGlyph ? Glyphs.context : Glyphs.swatch, style)
    }

    /// "12 more    3,456" (or "others (12)" under a filter): the grey groups that get no line of their own.
    func greySummary(groups: Int, tokens: Int, filtered: Bool, y: Int, into buffer: inout Buffer) {
        greyMark(y: y, into: &buffer)
        let name = DisplayWidth.pad(filtered ? "others (\(groups))" : "\(groups) more", to: max(1, width - 9))
        buffer.write(name + DisplayWidth.pad(grouped(tokens), to: 7, alignRight: true), x: x + 2, y: y,
                     maxWidth: width - 2, style: theme.dimText)
    }
}
