/// The inside of the chart pane: the plot, the y-axis labels to its left, the x axis below it and
/// the legend (to the right when there is room, else below).
public struct ChartGeometry: Equatable, Sendable {
    public var plot: Rect
    public var yAxis: Rect
    public var xAxis: Rect
    public var legend: Rect
    public var legendBeside: Bool

    public static let yAxisWidth = 4
    public static let legendWidth = 22

    public init(pane: Rect, legendLines: Int) {
        let inner = pane.inset(1)
        var area = inner
        if inner.width >= 48 {
            let (left, right) = inner.splitRight(Self.legendWidth)
            area = left
            legend = right
            legendBeside = true
        } else {
            let lines = min(legendLines, max(0, inner.height - 5))
            let (top, bottom) = inner.splitBottom(lines)
            area = top
            legend = bottom
            legendBeside = false
        }
        let (upper, axis) = area.splitBottom(2)
        let (labels, plotArea) = upper.splitLeft(Self.yAxisWidth)
        yAxis = labels
        plot = plotArea
        xAxis = Rect(x: plotArea.x, y: axis.y, width: plotArea.width, height: axis.height)
    }

    /// The braille dot column of `layer` when layers run 0…`lastLayer`.
    public func dotX(layer: Int, lastLayer: Int) -> Int {
        guard lastLayer > 0 else { return 0 }
        let width = plot.width * 2 - 1
        return Int((Double(layer) * Double(width) / Double(lastLayer)).rounded())
    }

    /// The screen column of `layer`.
    public func column(layer: Int, lastLayer: Int) -> Int { plot.x + dotX(layer: layer, lastLayer: lastLayer) / 2 }

    /// The braille dot row of a value in 0…1 (1 at the top).
    public func dotY(value: Double) -> Int {
        let height = plot.height * 4 - 1
        return Int(((1 - min(max(value, 0), 1)) * Double(height)).rounded())
    }

    /// The layer nearest to screen column `x`.
    public func layer(atColumn x: Int, lastLayer: Int) -> Int {
        guard lastLayer > 0, plot.width > 0 else { return 0 }
        let dot = Double((x - plot.x) * 2) + 0.5
        let layer = (dot * Double(lastLayer) / Double(plot.width * 2 - 1)).rounded()
        return min(max(Int(layer), 0), lastLayer)
    }
}
