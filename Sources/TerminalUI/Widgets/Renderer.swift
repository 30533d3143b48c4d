/// Draws a whole frame from the state: status line, chart, scatter(s), utterance pane, hints, and
/// the help screen on top. Keeps the scatters' position caches between frames.
public final class Renderer {
    public let theme: Theme
    private var caches: [ScatterCache] = []

    public init(theme: Theme) {
        self.theme = theme
    }

    public func render(_ state: AppState) -> Buffer {
        var buffer = Buffer(width: state.size.columns, height: state.size.rows, fill: Cell(" ", style: theme.text))
        render(state, into: &buffer)
        return buffer
    }

    public func render(_ state: AppState, into buffer: inout Buffer) {
        let layout = ScreenLayout(state)
        guard layout.usable else {
            let text = "needs ≥ \(TerminalSize.minimum.columns)×\(TerminalSize.minimum.rows) (now \(state.size.columns)×\(state.size.rows))"
            buffer.write(DisplayWidth.truncate(text, to: buffer.width), x: 0, y: 0, style: theme.text)
            return
        }
        let bar = StatusBar(state: state, theme: theme)
        bar.renderTop(layout.status, into: &buffer)
        if let chart = layout.chart { ChartWidget(state: state, theme: theme).render(chart, into: &buffer) }
        let keys = state.visibleLayouts
        while caches.count < layout.scatters.count { caches.append(ScatterCache()) }
        for (i, rect) in layout.scatters.enumerated() where i < keys.count {
            ScatterWidget(state: state, theme: theme, key: keys[i], single: state.compare == .off, cache: caches[i])
                .render(rect, into: &buffer)
        }
        if let legend = layout.compareLegend {
            Block(title: "legend", focused: false).render(legend, into: &buffer, theme: theme)
            LegendWidget(state: state, theme: theme, coloring: ClassColoring(state: state, paletteSize: state.paletteSize))
                .render(legend.inset(1), into: &buffer)
        }
        if let utterance = layout.utterance { UtteranceWidget(state: state, theme: theme).render(utterance, into: &buffer) }
        bar.renderBottom(layout.hints, into: &buffer)
        if state.showHelp { HelpWidget(theme: theme).render(buffer.area, into: &buffer) }
    }
}
