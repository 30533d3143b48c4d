/// Where everything goes on the screen for a given state: one pure function of the state, used by
/// the renderer to draw and by the reducer to map mouse clicks and cursor steps to data.
public struct ScreenLayout: Equatable, Sendable {
    public var status: Rect
    public var hints: Rect
    public var chart: Rect?
    /// One rectangle per visible scatter, in `AppState.visibleLayouts` order.
    public var scatters: [Rect]
    /// The shared legend of the compare grid (the single scatter keeps its legend inside).
    public var compareLegend: Rect?
    public var utterance: Rect?
    /// False when the terminal is smaller than `TerminalSize.minimum`.
    public var usable: Bool

    /// Rows the utterance pane wants: borders, the time axis, one row per time-varying label, the
    /// central-frame marks, two rows per task head, and two for the F0 contour when the store
    /// records the audio.
    public static func utteranceRows(_ state: AppState) -> Int {
        let labels = state.data.speakerLevel.filter { !$0 }.count
        let tasks = max(1, state.currentModel?.tasks.count ?? 0)
        return 2 + 1 + labels + 1 + 2 * tasks + (state.data.hasAudio ? UtteranceWidget.pitchRows : 0)
    }

    public init(_ state: AppState) {
        let screen = Rect(x: 0, y: 0, width: state.size.columns, height: state.size.rows)
        usable = state.size.isUsable
        let (top, rest) = screen.splitTop(1)
        let (body, bottom) = rest.splitBottom(1)
        status = top
        hints = bottom
        chart = nil
        scatters = []
        compareLegend = nil
        utterance = nil
        guard usable else { return }

        let roomy = body.width >= 80 && body.height >= 22
        if roomy {
            let wanted = Self.utteranceRows(state)
            let (upper, lower) = body.splitBottom(min(wanted, body.height / 2))
            utterance = lower
            if state.compare != .off {
                placeCompare(in: upper, state: state)
            } else {
                let chartWidth = max(36, upper.width * 36 / 100)
                let (left, right) = upper.splitLeft(chartWidth)
                chart = left
                scatters = [right]
            }
            return
        }
        // Small terminals show the focused pane alone; Tab moves between them.
        switch state.focus {
        case .chart: chart = body
        case .utterance: utterance = body
        case .scatter:
            if state.compare != .off { placeCompare(in: body, state: state) } else { scatters = [body] }
        }
    }

    private mutating func placeCompare(in area: Rect, state: AppState) {
        let count = state.visibleLayouts.count
        var grid = area
        if area.width >= 70 {
            let (plots, legend) = area.splitRight(22)
            grid = plots
            compareLegend = legend
        }
        if count <= 2 {
            scatters = grid.columns(count)
        } else {
            let rows = grid.rows(2)
            scatters = rows[0].columns(2) + rows[1].columns(2)
        }
    }

    /// The pane under a screen position.
    public func pane(atX x: Int, y: Int) -> Pane? {
        if let chart, chart.contains(x: x, y: y) { return .chart }
        if scatters.contains(where: { $0.contains(x: x, y: y) }) { return .scatter }
        if let compareLegend, compareLegend.contains(x: x, y: y) { return .scatter }
        if let utterance, utterance.contains(x: x, y: y) { return .utterance }
        return nil
    }
}

/// The inside of one scatter pane: the plot, its legend (single view) and the token line.
public struct ScatterGeometry: Equatable, Sendable {
    public var plot: Rect
    public var legend: Rect?
    public var info: Rect?

    public static let legendWidth = 22

    public init(pane: Rect, withLegend: Bool) {
        var area = pane.inset(1)
        if area.height >= 6 && withLegend {
            let (upper, line) = area.splitBottom(1)
            area = upper
            info = line
        } else {
            info = nil
        }
        if withLegend && area.width >= 50 {
            let (left, right) = area.splitRight(Self.legendWidth)
            plot = left
            legend = right
        } else {
            plot = area
            legend = nil
        }
    }
}

/// Maps layout coordinates to braille dots of a plot and back, for a viewport; keeps the layout's
/// aspect ratio (a braille dot is about as wide as it is tall).
public struct ScatterProjection: Equatable, Sendable {
    public let dotWidth: Int
    public let dotHeight: Int
    /// Dots per layout unit.
    public let scale: Float
    public let centerX: Float
    public let centerY: Float
    /// The layout's box, to convert unit points.
    public let minX: Float, minY: Float, spanX: Float, spanY: Float

    public init(layout: Layout, plot: Rect, viewport: Viewport) {
        dotWidth = plot.width * 2
        dotHeight = plot.height * 4
        let b = layout.bounds
        minX = b.minX
        minY = b.minY
        spanX = max(b.maxX - b.minX, 1e-6)
        spanY = max(b.maxY - b.minY, 1e-6)
        let fit = min(Float(max(dotWidth - 1, 1)) / spanX, Float(max(dotHeight - 1, 1)) / spanY)
        scale = fit * viewport.zoom
        centerX = minX + viewport.center.u * spanX
        centerY = minY + viewport.center.v * spanY
    }

    /// The dot of a layout point (may lie outside the plot).
    @inline(__always)
    public func dot(x: Float, y: Float) -> (x: Int, y: Int) {
        let dx = (x - centerX) * scale + Float(dotWidth) / 2
        let dy = (centerY - y) * scale + Float(dotHeight) / 2
        return (Int(dx.rounded(.down)), Int(dy.rounded(.down)))
    }

    /// The dot of a unit point.
    public func dot(_ p: UnitPoint) -> (x: Int, y: Int) {
        dot(x: minX + p.u * spanX, y: minY + p.v * spanY)
    }

    /// The unit point at the centre of dot (`x`, `y`).
    public func unitPoint(dotX x: Float, dotY y: Float) -> UnitPoint {
        let lx = (x - Float(dotWidth) / 2) / scale + centerX
        let ly = centerY - (y - Float(dotHeight) / 2) / scale
        return UnitPoint((lx - minX) / spanX, (ly - minY) / spanY)
    }

    /// How far one dot reaches in unit coordinates, horizontally and vertically.
    public var unitsPerDot: (u: Float, v: Float) { (1 / (scale * spanX), 1 / (scale * spanY)) }
}
