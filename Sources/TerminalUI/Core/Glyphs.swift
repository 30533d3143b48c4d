/// Characters the widgets use, in one place so monochrome modes and tests agree on them.
public enum Glyphs {
    /// Class markers when classes are told apart by glyph (NO_COLOR, 8-colour terminals).
    public static let classes: [Unicode.Scalar] = ["●", "○", "▲", "△", "■", "□", "◆", "◇", "+", "×", "*", "#"]
    /// Points outside the coloured classes or outside the filter.
    public static let context: Unicode.Scalar = "·"
    /// Chart markers of the primary model's series, per label.
    public static let series: [Unicode.Scalar] = ["●", "■", "▲", "◆", "★", "✚"]
    /// Chart markers of an overlaid model's series (hollow versions).
    public static let overlaySeries: [Unicode.Scalar] = ["○", "□", "△", "◇", "☆", "✛"]
    /// The selected token in a scatter.
    public static let selected: Unicode.Scalar = "◆"
    /// Confidence of a framewise prediction, low to high.
    public static let levels: [Unicode.Scalar] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    /// The class swatch in a legend.
    public static let swatch: Unicode.Scalar = "■"

    public static func classGlyph(_ slot: Int) -> Unicode.Scalar { classes[slot % classes.count] }
    public static func seriesGlyph(_ index: Int, overlay: Bool) -> Unicode.Scalar {
        overlay ? overlaySeries[index % overlaySeries.count] : series[index % series.count]
    }
}
